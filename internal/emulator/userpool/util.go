package userpool

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// epoch marshals a time as JSON 1.1's epoch seconds.
type epoch time.Time

// MarshalJSON writes epoch seconds with millisecond precision.
func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}

func ep(t time.Time) *epoch { e := epoch(t); return &e }

func (s *Server) randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		panic("cognitotest: random source failed: " + err.Error())
	}
	return b
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (s *Server) randString(n int, alphabet string) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := randInt(s.opts.Rand, max)
		if err != nil {
			panic("cognitotest: random source failed: " + err.Error())
		}
		out[i] = alphabet[v]
	}
	return string(out)
}

func randInt(r io.Reader, max *big.Int) (int64, error) {
	// rejection sampling on one byte is enough for alphabets below 256
	m := max.Int64()
	limit := 256 - 256%m
	var b [1]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		if int64(b[0]) < limit {
			return int64(b[0]) % m, nil
		}
	}
}

func (s *Server) uuid() string {
	b := s.randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Server) digits(n int) string { return s.randString(n, "0123456789") }

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func ctEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// attributeType is the wire shape of an attribute.
type attributeType struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value,omitempty"`
}

func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

func maskPhone(p string) string {
	if len(p) <= 4 {
		return "+*******"
	}
	return "+*******" + p[len(p)-4:]
}

func validatePassword(pp passwordPolicy, pw string) *APIError {
	const pre = "Password did not conform with policy: "
	if pw == "" {
		return errInvalidParam("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null")
	}
	if len(pw) > 256 {
		return errorf("InvalidPasswordException", pre+"Password is too long")
	}
	if len([]rune(pw)) < pp.MinimumLength {
		return errorf("InvalidPasswordException", pre+"Password not long enough")
	}
	var up, low, num, sym bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			low = true
		case unicode.IsDigit(r):
			num = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			sym = true
		}
	}
	switch {
	case pp.RequireLowercase && !low:
		return errorf("InvalidPasswordException", pre+"Password must have lowercase characters")
	case pp.RequireUppercase && !up:
		return errorf("InvalidPasswordException", pre+"Password must have uppercase characters")
	case pp.RequireNumbers && !num:
		return errorf("InvalidPasswordException", pre+"Password must have numeric characters")
	case pp.RequireSymbols && !sym:
		return errorf("InvalidPasswordException", pre+"Password must have symbol characters")
	}
	return nil
}

func required(name, v string) *APIError {
	if v == "" {
		return errInvalidParam("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	}
	return nil
}

func firstErr(errs ...*APIError) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// page applies Cognito-style pagination (opaque token = next index).
func page(n int, limit int32, token string, max int32) (start, end int, next string, err error) {
	if limit <= 0 || limit > max {
		limit = max
	}
	if token != "" {
		v, perr := strconv.Atoi(token)
		if perr != nil || v < 0 || v > n {
			return 0, 0, "", errInvalidParam("Invalid pagination token")
		}
		start = v
	}
	end = start + int(limit)
	if end < n {
		next = strconv.Itoa(end)
	} else {
		end = n
	}
	return start, end, next, nil
}

// listPage answers a List operation with one page (see page; at most 60)
// of items, each as wire makes it, under listKey, and the next page's
// token, if any, under tokenKey.
func listPage[T any](items []T, limit int32, token, listKey, tokenKey string, wire func(T) any) (map[string]any, error) {
	start, end, next, err := page(len(items), limit, token, 60)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, it := range items[start:end] {
		out = append(out, wire(it))
	}
	res := map[string]any{listKey: out}
	if next != "" {
		res[tokenKey] = next
	}
	return res, nil
}

func boolp(b bool) *bool { return &b }

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func sprint(v any) string { return fmt.Sprint(v) }
