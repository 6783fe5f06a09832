package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Element names a policy may use, exactly as IAM spells them: IAM element
// names are case-sensitive ("action" is not Action).
var (
	policyElements    = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Action", "Resource", "Condition"}
	// unsupported are IAM elements this package does not evaluate; a policy
	// using one is refused rather than half-applied.
	unsupported = []string{"Principal", "NotPrincipal", "NotAction", "NotResource"}
)

// checkSyntax walks doc's JSON tokens and refuses what encoding/json would
// let through silently: an element name in the wrong case (json matches
// field names without regard to case), a key given twice in one object
// (json keeps the last; IAM calls it ambiguous), and elements this package
// does not evaluate. The error names the element and where it is.
func checkSyntax(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr("", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%w: a policy is a JSON object", ErrInvalidPolicy)
	}
	if err := walkObject(dec, "policy", policyElements, func(key string) error {
		if key == "Statement" {
			return walkStatements(dec)
		}
		return skipValue(dec, "policy."+key, 1)
	}); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the policy's closing brace", ErrInvalidPolicy)
	}
	return nil
}

// walkStatements checks a Statement value: one statement object or an
// array of them. Anything else is left to the decoder to refuse.
func walkStatements(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr("Statement", err)
	}
	d, ok := tok.(json.Delim)
	switch {
	case ok && d == '{':
		return walkStatement(dec, "Statement")
	case ok && d == '[':
		for i := 0; dec.More(); i++ {
			tok, err := dec.Token()
			if err != nil {
				return syntaxErr("Statement", err)
			}
			where := fmt.Sprintf("statement %d", i)
			if d, ok := tok.(json.Delim); ok && d == '{' {
				if err := walkStatement(dec, where); err != nil {
					return err
				}
			} else if err := skipRest(dec, tok, where, 2); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return syntaxErr("Statement", err)
	default:
		return skipRest(dec, tok, "Statement", 1)
	}
}

func walkStatement(dec *json.Decoder, where string) error {
	return walkObject(dec, where, statementElements, func(key string) error {
		return skipValue(dec, where+"."+key, 2)
	})
}

// walkObject reads the keys of an object whose '{' was read, refusing
// duplicates, names that are not in allowed (with a hint for a wrong case
// and for unsupported elements), and calling value for each key to consume
// its value.
func walkObject(dec *json.Decoder, where string, allowed []string, value func(key string) error) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxErr(where, err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("%w: %s: %q is given twice (a duplicate element is ambiguous)", ErrInvalidPolicy, where, key)
		}
		seen[key] = true
		if allowed != nil && !contains(allowed, key) {
			return unknownElement(where, key, allowed)
		}
		if err := value(key); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return syntaxErr(where, err)
}

func unknownElement(where, key string, allowed []string) error {
	for _, name := range append(append([]string(nil), allowed...), unsupported...) {
		if strings.EqualFold(name, key) && name != key {
			return fmt.Errorf("%w: %s: element %q must be written %q (IAM element names are case-sensitive)", ErrInvalidPolicy, where, key, name)
		}
	}
	if contains(unsupported, key) {
		return fmt.Errorf("%w: %s: %s is not supported (only Effect, Action, Resource and Condition are evaluated; a policy that cannot be fully evaluated is refused)", ErrInvalidPolicy, where, key)
	}
	return fmt.Errorf("%w: %s: unknown element %q (want one of %s)", ErrInvalidPolicy, where, key, strings.Join(allowed, ", "))
}

// maxDepth bounds the nesting of a policy document (a real one nests
// three or four levels), so that a hostile document cannot run the walk
// out of stack.
const maxDepth = 32

// skipValue consumes one value at nesting depth, checking any object
// inside it for duplicate keys.
func skipValue(dec *json.Decoder, where string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(where, err)
	}
	return skipRest(dec, tok, where, depth)
}

// skipRest consumes the rest of a value whose first token is tok.
func skipRest(dec *json.Decoder, tok json.Token, where string, depth int) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= maxDepth {
		return fmt.Errorf("%w: %s: nested more than %d levels deep", ErrInvalidPolicy, where, maxDepth)
	}
	switch d {
	case '{':
		return walkObject(dec, where, nil, func(key string) error { return skipValue(dec, where+"."+key, depth+1) })
	case '[':
		for dec.More() {
			if err := skipValue(dec, where, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return syntaxErr(where, err)
	}
	return nil
}

func syntaxErr(where string, err error) error {
	if err == nil {
		return nil
	}
	if where == "" {
		return fmt.Errorf("%w: not JSON: %v", ErrInvalidPolicy, err)
	}
	return fmt.Errorf("%w: %s: not JSON: %v", ErrInvalidPolicy, where, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
