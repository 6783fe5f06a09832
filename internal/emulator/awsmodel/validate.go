package awsmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ValidationError is the answer to an input that breaks the model's
// constraints: Code is the service's validation error code
// (InvalidParameterException for cognito-idp, ValidationException for
// cognito-identity) and Violations are AWS's "Value … at … failed to
// satisfy constraint: …" sentences, in the order AWS reports them.
type ValidationError struct {
	Code       string
	Violations []string
}

// Message returns AWS's message: "1 validation error detected: V" or
// "N validation errors detected: V1; V2; …".
func (e *ValidationError) Message() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(e.Violations)))
	if len(e.Violations) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v)
	}
	return b.String()
}

// Error returns "awsmodel: Code: Message".
func (e *ValidationError) Error() string { return "awsmodel: " + e.Code + ": " + e.Message() }

// ErrUnknownOperation is returned by Validate for an operation the model
// does not have.
var ErrUnknownOperation = errors.New("awsmodel: operation not in the service model")

// Validate checks a JSON request body against the input shape of
// operation op. It returns nil when the input satisfies every constraint,
// a *ValidationError listing every violation when it does not, and
// ErrUnknownOperation when the model has no such operation. A body that
// is not a JSON object is not judged here (nil): the operation's decoder
// answers SerializationException for it. An empty body is an empty object.
func (s *Service) Validate(op string, body []byte) error {
	in, ok := s.Inputs[op]
	if !ok {
		return ErrUnknownOperation
	}
	if in == nil {
		return nil
	}
	var v any
	if len(bytes.TrimSpace(body)) == 0 {
		v = map[string]any{}
	} else {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var c checker
	c.structure(in, obj, "")
	if len(c.out) == 0 {
		return nil
	}
	return &ValidationError{Code: s.ErrorCode, Violations: c.out}
}

type checker struct{ out []string }

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (c *checker) structure(s *Shape, obj map[string]any, path string) {
	for i := range s.Members {
		m := &s.Members[i]
		p := join(path, m.Path)
		v, present := obj[m.Name]
		if !present || v == nil {
			if m.Required {
				c.out = append(c.out, "Value null at '"+p+"' failed to satisfy constraint: Member must not be null")
			}
			continue
		}
		c.value(m.Shape, v, p)
	}
}

// value checks one present value of shape s at path p.
func (c *checker) value(s *Shape, v any, p string) {
	switch s.Type {
	case TypeStructure:
		if obj, ok := v.(map[string]any); ok {
			c.structure(s, obj, p)
		}
	case TypeList:
		list, ok := v.([]any)
		if !ok {
			return
		}
		for _, msg := range sizeViolations(s, int64(len(list))) {
			c.fail(s, v, p, msg)
		}
		switch s.Elem.Type {
		case TypeStructure, TypeList, TypeMap:
			for i, e := range list {
				if e != nil {
					c.value(s.Elem, e, p+"."+strconv.Itoa(i+1)+".member")
				}
			}
		default:
			for _, e := range list {
				if e != nil && len(scalarViolations(s.Elem, e)) > 0 {
					c.fail(s, v, p, "Member must satisfy constraint: ["+allConstraints(s.Elem)+"]")
					break
				}
			}
		}
	case TypeMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, msg := range sizeViolations(s, int64(len(obj))) {
			c.fail(s, v, p, msg)
		}
		keys := sortedKeys(obj)
		for _, k := range keys {
			if len(scalarViolations(s.Key, k)) > 0 {
				c.fail(s, v, p, "Map keys must satisfy constraint: ["+allConstraints(s.Key)+"]")
				break
			}
		}
		switch s.Value.Type {
		case TypeStructure, TypeList, TypeMap:
			// Unverified against AWS: the path of a member inside a map
			// value is written as a list's, with the key for the index.
			for _, k := range keys {
				if e := obj[k]; e != nil {
					c.value(s.Value, e, p+"."+k+".member")
				}
			}
		default:
			for _, k := range keys {
				if e := obj[k]; e != nil && len(scalarViolations(s.Value, e)) > 0 {
					c.fail(s, v, p, "Map value must satisfy constraint: ["+allConstraints(s.Value)+"]")
					break
				}
			}
		}
	default:
		for _, msg := range scalarViolations(s, v) {
			c.fail(s, v, p, msg)
		}
	}
}

// fail records one violation of the value v of shape s at path p. Values
// of hidden shapes and blobs are not printed.
func (c *checker) fail(s *Shape, v any, p, constraint string) {
	if s.hidden || s.Type == TypeBlob {
		c.out = append(c.out, "Value at '"+p+"' failed to satisfy constraint: "+constraint)
		return
	}
	c.out = append(c.out, "Value '"+javaString(v)+"' at '"+p+"' failed to satisfy constraint: "+constraint)
}

// Constraint sentences, as AWS words them.
func maxLen(n int64) string {
	return "Member must have length less than or equal to " + strconv.FormatInt(n, 10)
}
func minLen(n int64) string {
	return "Member must have length greater than or equal to " + strconv.FormatInt(n, 10)
}
func maxVal(n int64) string {
	return "Member must have value less than or equal to " + strconv.FormatInt(n, 10)
}
func minVal(n int64) string {
	return "Member must have value greater than or equal to " + strconv.FormatInt(n, 10)
}
func patternMsg(p string) string { return "Member must satisfy regular expression pattern: " + p }
func enumMsg(e []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(e, ", ") + "]"
}

// sizeViolations checks a list's or map's size.
func sizeViolations(s *Shape, n int64) []string {
	var out []string
	if s.HasMax && n > s.Max {
		out = append(out, maxLen(s.Max))
	}
	if s.HasMin && n < s.Min {
		out = append(out, minLen(s.Min))
	}
	return out
}

// scalarViolations checks a string, blob or number value against its
// shape, in AWS's order: length (or value) maximum, minimum, pattern,
// enum. Values of the wrong JSON type are not judged.
func scalarViolations(s *Shape, v any) []string {
	switch s.Type {
	case TypeString:
		str, ok := v.(string)
		if !ok {
			return nil
		}
		var out []string
		out = append(out, sizeViolations(s, utf16Len(str))...)
		if re, err := s.Regexp(); err == nil && re != nil && !re.MatchString(str) {
			out = append(out, patternMsg(s.Pattern))
		}
		if s.enumSet != nil {
			if _, ok := s.enumSet[str]; !ok {
				out = append(out, enumMsg(s.Enum))
			}
		}
		return out
	case TypeBlob:
		str, ok := v.(string)
		if !ok || (!s.HasMin && !s.HasMax) {
			return nil
		}
		// Decoded length of standard base64, padding or not.
		return sizeViolations(s, int64(len(strings.TrimRight(str, "="))*6/8))
	case TypeInteger, TypeLong:
		n, ok := v.(json.Number)
		if !ok {
			return nil
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsNaN(f) {
			return nil
		}
		var out []string
		if s.HasMax && f > float64(s.Max) {
			out = append(out, maxVal(s.Max))
		}
		if s.HasMin && f < float64(s.Min) {
			out = append(out, minVal(s.Min))
		}
		return out
	}
	return nil
}

// allConstraints lists every constraint a scalar shape declares, as AWS
// does inside "Member must satisfy constraint: […]".
func allConstraints(s *Shape) string {
	var parts []string
	if s.Type == TypeInteger || s.Type == TypeLong {
		if s.HasMax {
			parts = append(parts, maxVal(s.Max))
		}
		if s.HasMin {
			parts = append(parts, minVal(s.Min))
		}
	} else {
		if s.HasMax {
			parts = append(parts, maxLen(s.Max))
		}
		if s.HasMin {
			parts = append(parts, minLen(s.Min))
		}
	}
	if s.Pattern != "" {
		parts = append(parts, patternMsg(s.Pattern))
	}
	if len(s.Enum) > 0 {
		parts = append(parts, enumMsg(s.Enum))
	}
	return strings.Join(parts, ", ")
}

// utf16Len is the length Java's String.length() gives: UTF-16 code units.
func utf16Len(s string) int64 {
	n := int64(0)
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// javaString prints a decoded JSON value as Java's toString would: lists
// as "[a, b]", maps and structures as "{k=v, k2=v2}" (keys sorted).
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaString(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
