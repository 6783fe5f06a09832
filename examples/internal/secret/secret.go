// Package secret is how the example commands take secrets (passwords,
// client secrets, refresh, ID and identity-provider tokens) so that none
// has to be typed on the command line, where ps shows it.
//
// Every secret flag takes the same forms: @FILE reads the secret from
// FILE, @- from stdin, and a flag left unset falls back to a documented
// environment variable. A literal VALUE still works, and the help says it
// is visible in ps. One trailing newline ("\n" or "\r\n") of a file or
// stdin is dropped; anything else is kept as it is.
package secret

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxBytes is the most read from a file or stdin for one secret.
const MaxBytes = 1 << 20

// ErrEmpty reports a secret file, stdin or variable that holds nothing.
var ErrEmpty = errors.New("empty")

// Flag is a flag.Value for one secret. Its String is always empty, so
// neither the flag package nor a usage message ever prints the secret.
type Flag struct {
	// Name is the flag's name, without the dash.
	Name string
	// EnvVar is the environment variable read when the flag is not given
	// ("" for none).
	EnvVar string

	raw      string
	set      bool
	resolved bool
	val      string
}

var _ flag.Value = (*Flag)(nil)

// Define defines -name on fs as a secret described by what (e.g. "the
// user's password"), falling back to envVar.
func Define(fs *flag.FlagSet, name, envVar, what string) *Flag {
	f := &Flag{Name: name, EnvVar: envVar}
	fs.Var(f, name, Usage(what, envVar))
	return f
}

// Usage is the help text of a secret flag described by what.
func Usage(what, envVar string) string {
	u := what + ": `SECRET` is @FILE, @- (stdin)"
	if envVar != "" {
		u += " or, unset, $" + envVar
	}
	return u + "; a literal value works but is visible in ps"
}

// String is always empty: never the secret.
func (f *Flag) String() string { return "" }

// Set records the flag's argument; it is read by Value.
func (f *Flag) Set(s string) error {
	f.raw, f.set, f.resolved = s, true, false
	return nil
}

// IsSet reports whether the flag was given on the command line.
func (f *Flag) IsSet() bool { return f != nil && f.set }

// Given reports whether the flag or its environment variable gives a
// value (which may still fail to read).
func (f *Flag) Given(getenv func(string) string) bool {
	return f.IsSet() || (f.EnvVar != "" && getenv(f.EnvVar) != "")
}

// ReadsStdin reports whether the flag's value is to be read from stdin.
func (f *Flag) ReadsStdin() bool { return f.IsSet() && f.raw == "@-" }

// Value returns the secret: the flag's argument resolved by Read, else the
// environment variable's value, else "". It reads once; later calls
// return the same value. Errors name the flag or the variable and never
// hold the secret.
func (f *Flag) Value(stdin io.Reader, getenv func(string) string) (string, error) {
	if f.resolved {
		return f.val, nil
	}
	var v string
	switch {
	case f.set:
		var err error
		if v, err = Read(stdin, f.raw); err != nil {
			return "", fmt.Errorf("-%s: %w", f.Name, err)
		}
	case f.EnvVar != "":
		v = getenv(f.EnvVar)
	}
	f.val, f.resolved = v, true
	return v, nil
}

// Read resolves one secret argument: @- reads stdin, @FILE reads FILE
// (dropping one trailing newline), and anything else is the secret itself.
// An empty result is ErrEmpty.
func Read(stdin io.Reader, arg string) (string, error) {
	if !strings.HasPrefix(arg, "@") {
		if arg == "" {
			return "", ErrEmpty
		}
		return arg, nil
	}
	var r io.Reader
	from := "stdin"
	if arg == "@-" {
		r = stdin
	} else {
		from = arg[1:]
		file, err := os.Open(from)
		if err != nil {
			return "", err
		}
		defer file.Close()
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", from, err)
	}
	if len(b) > MaxBytes {
		return "", fmt.Errorf("%s holds more than %d bytes", from, MaxBytes)
	}
	s := TrimNewline(string(b))
	if s == "" {
		return "", fmt.Errorf("%s: %w", from, ErrEmpty)
	}
	return s, nil
}

// TrimNewline drops one trailing "\r\n" or "\n" from s.
func TrimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		return t
	}
	return strings.TrimSuffix(s, "\n")
}

// OneStdin returns an error naming two of flags (nil entries are ignored)
// that both read stdin: it can be read only once.
func OneStdin(flags ...*Flag) error {
	var first *Flag
	for _, f := range flags {
		if f == nil || !f.ReadsStdin() {
			continue
		}
		if first != nil {
			return fmt.Errorf("-%s @- and -%s @- cannot both read stdin", first.Name, f.Name)
		}
		first = f
	}
	return nil
}
