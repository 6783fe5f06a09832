package jwks

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small, strict JSON reader for the two flat objects of a JWS (header and
// claims). It allocates only when a string holds escapes or when a caller
// keeps a slice; everything else is a substring of the decoded segment.
// encoding/json costs several microseconds and dozens of allocations per
// token, which is most of the budget left beside the RSA verification.

var errJSON = errors.New("invalid JSON")

const (
	maxJSONDepth = 64
	maxDate      = 1e15
)

type jsonReader struct {
	s string
	i int
}

func (r *jsonReader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, reporting whether c was there.
func (r *jsonReader) consume(c byte) bool {
	r.ws()
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// peek skips whitespace and returns the next byte (0 at the end).
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// atEnd reports whether only whitespace remains.
func (r *jsonReader) atEnd() bool {
	r.ws()
	return r.i == len(r.s)
}

// nextKey reads the next member's key and the colon after it. It returns
// done=true at the closing brace. first tells whether a comma is expected.
func (r *jsonReader) nextKey(first bool) (key string, done bool, err error) {
	if r.consume('}') {
		return "", true, nil
	}
	if !first && !r.consume(',') {
		return "", false, errJSON
	}
	key, err = r.str()
	if err != nil {
		return "", false, err
	}
	if !r.consume(':') {
		return "", false, errJSON
	}
	return key, false, nil
}

// str reads a JSON string. Without escapes the result is a substring of the
// input; with escapes it is unescaped into a new string.
func (r *jsonReader) str() (string, error) {
	if !r.consume('"') {
		return "", errJSON
	}
	start := r.i
	escaped := false
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			raw := r.s[start:r.i]
			r.i++
			if !utf8.ValidString(raw) {
				return "", errJSON
			}
			if !escaped {
				return raw, nil
			}
			return unescape(raw)
		case c == '\\':
			escaped = true
			r.i += 2
		case c < 0x20:
			return "", errJSON
		default:
			r.i++
		}
	}
	return "", errJSON
}

func unescape(raw string) (string, error) {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", errJSON
		}
		switch raw[i] {
		case '"', '\\', '/':
			b.WriteByte(raw[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r1, ok := hex4(raw, i+1)
			if !ok {
				return "", errJSON
			}
			i += 4
			if utf16.IsSurrogate(r1) {
				// A high surrogate must be followed by \u and a low one.
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if r2, ok := hex4(raw, i+3); ok {
						if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
				}
				return "", errJSON
			}
			b.WriteRune(r1)
		default:
			return "", errJSON
		}
	}
	return b.String(), nil
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number and returns its text.
func (r *jsonReader) number() (string, error) {
	r.ws()
	start := r.i
	if r.i < len(r.s) && r.s[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.s) && r.s[r.i] == '0':
		r.i++
	case r.i < len(r.s) && r.s[r.i] >= '1' && r.s[r.i] <= '9':
		r.digits()
	default:
		return "", errJSON
	}
	if r.i < len(r.s) && r.s[r.i] == '.' {
		r.i++
		if r.digits() == 0 {
			return "", errJSON
		}
	}
	if r.i < len(r.s) && (r.s[r.i] == 'e' || r.s[r.i] == 'E') {
		r.i++
		if r.i < len(r.s) && (r.s[r.i] == '+' || r.s[r.i] == '-') {
			r.i++
		}
		if r.digits() == 0 {
			return "", errJSON
		}
	}
	return r.s[start:r.i], nil
}

func (r *jsonReader) digits() int {
	n := 0
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
		n++
	}
	return n
}

// numericDate reads a NumericDate (RFC 7519 §2): seconds since the epoch,
// possibly fractional. Fractions are truncated toward minus infinity.
func (r *jsonReader) numericDate() (int64, error) {
	txt, err := r.number()
	if err != nil {
		return 0, err
	}
	// Dates beyond ±1e15 s (31 million years) would overflow time.Time
	// arithmetic; no real token has them.
	if n, err := strconv.ParseInt(txt, 10, 64); err == nil {
		if n > maxDate || n < -maxDate {
			return 0, errJSON
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(txt, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f > maxDate || f < -maxDate {
		return 0, errJSON
	}
	return int64(math.Floor(f)), nil
}

// literal reads true, false or null.
func (r *jsonReader) literal() (string, error) {
	r.ws()
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.HasPrefix(r.s[r.i:], lit) {
			r.i += len(lit)
			return lit, nil
		}
	}
	return "", errJSON
}

// stringArray reads an array of strings. A lone string is accepted too when
// loneOK is set (aud may be either).
func (r *jsonReader) stringArray(loneOK bool) ([]string, error) {
	if loneOK && r.peek() == '"' {
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	if !r.consume('[') {
		return nil, errJSON
	}
	if r.consume(']') {
		return []string{}, nil
	}
	// Count first so the slice is allocated once.
	save := r.i
	n := 0
	for {
		if _, err := r.str(); err != nil {
			return nil, err
		}
		n++
		if r.consume(']') {
			break
		}
		if !r.consume(',') {
			return nil, errJSON
		}
	}
	out := make([]string, 0, n)
	r.i = save
	for {
		s, _ := r.str()
		out = append(out, s)
		if r.consume(']') {
			return out, nil
		}
		r.consume(',')
	}
}

// skip reads and discards any JSON value, checking its syntax.
func (r *jsonReader) skip(depth int) error {
	if depth > maxJSONDepth {
		return errJSON
	}
	switch c := r.peek(); {
	case c == '"':
		_, err := r.str()
		return err
	case c == '{':
		r.i++
		for first := true; ; first = false {
			_, done, err := r.nextKey(first)
			if err != nil {
				return err
			}
			if done {
				return nil
			}
			if err := r.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		r.i++
		if r.consume(']') {
			return nil
		}
		for {
			if err := r.skip(depth + 1); err != nil {
				return err
			}
			if r.consume(']') {
				return nil
			}
			if !r.consume(',') {
				return errJSON
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := r.number()
		return err
	default:
		_, err := r.literal()
		return err
	}
}
