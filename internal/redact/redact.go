// Package redact keeps secrets out of fmt output. A type that holds a
// secret describes itself without it in String and implements
// fmt.Formatter with Format, so that every verb and flag (%v, %+v, %#v,
// %s, %q, %x, %X, %d, ...) prints that description and never reaches the
// fields: String alone is not enough, since fmt bypasses it for %#v and
// for verbs such as %d, and a value whose String has a pointer receiver
// is printed field by field.
package redact

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Format writes desc, whatever the verb and flags. Call it from a
// Format(f fmt.State, verb rune) method with the type's String.
func Format(f fmt.State, desc string) { _, _ = io.WriteString(f, desc) }

// Secret describes a secret value: "none" when it is empty, "[redacted]"
// otherwise.
func Secret(s string) string {
	if s == "" {
		return "none"
	}
	return "[redacted]"
}

// Verbs are the fmt verbs a redaction test should try on every
// secret-bearing type, as value and as pointer.
var Verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%60v", "%-v"}

// Leaks formats v with every verb of Verbs and returns the outputs that
// contain one of secrets, as is or hex-encoded (%x and %X of a string),
// each prefixed with its verb. Empty secrets are ignored. Tests assert that
// it returns nothing.
func Leaks(v any, secrets ...string) []string {
	var out []string
	for _, verb := range Verbs {
		s := fmt.Sprintf(verb, v)
		low := strings.ToLower(s)
		for _, sec := range secrets {
			if sec != "" && (strings.Contains(s, sec) || strings.Contains(low, hex.EncodeToString([]byte(sec)))) {
				out = append(out, verb+": "+s)
				break
			}
		}
	}
	return out
}
