package sigv4client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"time"
)

// Signature Version 4 constants.
const (
	// Algorithm is the only signing algorithm this package speaks.
	Algorithm = "AWS4-HMAC-SHA256"
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// DefaultService is the service name signed when none is set or inferred.
	DefaultService = "execute-api"

	amzDateFormat  = "20060102T150405Z"
	scopeDayFormat = "20060102"
	terminator     = "aws4_request"

	headerAuthorization = "Authorization"
	headerAmzDate       = "X-Amz-Date"
	headerSecurityToken = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"
)

// ignoredHeaders are never signed by the transport: they are added, changed
// or dropped on the way by HTTP stacks and proxies (hop-by-hop headers), or
// are the signature itself. Content-Length is not signed either: Go writes
// it from Request.ContentLength, and the payload hash covers the body.
var ignoredHeaders = map[string]bool{
	"authorization":       true,
	"user-agent":          true,
	"x-amzn-trace-id":     true,
	"expect":              true,
	"transfer-encoding":   true,
	"content-length":      true,
	"connection":          true,
	"keep-alive":          true,
	"proxy-authorization": true,
	"proxy-connection":    true,
	"te":                  true,
	"trailer":             true,
	"upgrade":             true,
}

// unreserved reports whether c is left as is by AWS's URI encoding
// (RFC 3986 unreserved characters).
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperhex = "0123456789ABCDEF"

// appendURIEncode appends s URI-encoded the way SigV4 wants it: every byte
// except the unreserved characters (and '/' when keepSlash) as %XX with
// upper-case hex digits; a space is %20, never '+'.
func appendURIEncode(b []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperhex[c>>4], upperhex[c&15])
	}
	return b
}

// uriEncode returns s URI-encoded as SigV4 wants it.
func uriEncode(s string, keepSlash bool) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(keepSlash && c == '/') {
			return string(appendURIEncode(make([]byte, 0, len(s)+16), s, keepSlash))
		}
	}
	return s
}

// NormalizePath removes the dot segments ("." and "..") and the empty
// segments (duplicate slashes) from an escaped request path, as the AWS
// SigV4 test suite's normalize-path cases require: "//example//" becomes
// "/example/", "/a/b/../.." becomes "/". A ".." never climbs above the root.
// The result always starts with "/" (it is "/" for an empty p), and keeps a
// trailing slash when p has one and some segment remains.
// Percent-escapes are left as they are: a "%2E" is not a dot.
func NormalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if !needsNormalizing(p) {
		return p
	}
	segs := make([]string, 0, strings.Count(p, "/")+1)
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	var sb strings.Builder
	sb.Grow(len(p))
	sb.WriteByte('/')
	for i, s := range segs {
		if i > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(s)
	}
	if p[len(p)-1] == '/' && len(segs) > 0 {
		sb.WriteByte('/')
	}
	return sb.String()
}

// needsNormalizing reports whether p, which starts with '/', has an empty,
// "." or ".." segment other than the leading and trailing slash.
func needsNormalizing(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// canonicalURI is the canonical request's path for an (already normalized)
// path as it is on the wire: the wire form URI-encoded once more, as every
// AWS service other than S3 computes it ("/a%20b" signs as "/a%2520b").
func canonicalURI(wirePath string) string {
	if wirePath == "" {
		return "/"
	}
	return uriEncode(wirePath, true)
}

// queryPair is one name=value of a query string, decoded.
type queryPair struct{ name, value string }

// parseQuery splits a raw query string into decoded pairs, in order. '+'
// decodes to a space, as in net/url. Empty parts ("a=1&&b=2") are skipped.
func parseQuery(raw string) ([]queryPair, error) {
	if raw == "" {
		return nil, nil
	}
	pairs := make([]queryPair, 0, strings.Count(raw, "&")+1)
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := queryUnescape(name)
		if err != nil {
			return nil, err
		}
		v, err := queryUnescape(value)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, queryPair{n, v})
	}
	return pairs, nil
}

// queryUnescape decodes %XX escapes and '+' (a space). It fails on a
// malformed escape.
func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				end := min(i+3, len(s))
				return "", &QueryError{Escape: s[i:end]}
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// encodedPair is a query pair in its SigV4 encoding.
type encodedPair struct{ name, value string }

// encodePairs URI-encodes every name and value.
func encodePairs(pairs []queryPair) []encodedPair {
	out := make([]encodedPair, len(pairs))
	for i, p := range pairs {
		out[i] = encodedPair{uriEncode(p.name, false), uriEncode(p.value, false)}
	}
	return out
}

// joinPairs writes name=value pairs joined by '&'.
func joinPairs(pairs []encodedPair) string {
	n := 0
	for _, p := range pairs {
		n += len(p.name) + len(p.value) + 2
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.name)
		sb.WriteByte('=')
		sb.WriteString(p.value)
	}
	return sb.String()
}

// canonicalQuery sorts encoded pairs by name, then value (byte order of the
// encoded forms) and joins them. It sorts a copy.
func canonicalQuery(pairs []encodedPair) string {
	if len(pairs) == 0 {
		return ""
	}
	sorted := slices.Clone(pairs)
	slices.SortFunc(sorted, func(a, b encodedPair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	return joinPairs(sorted)
}

// canonicalQueryString parses, encodes and sorts a raw query.
func canonicalQueryString(raw string) (string, error) {
	pairs, err := parseQuery(raw)
	if err != nil {
		return "", err
	}
	return canonicalQuery(encodePairs(pairs)), nil
}

// appendHeaderValue appends v trimmed, with every run of spaces, tabs and
// line breaks (an obsolete folded header) collapsed to one space.
func appendHeaderValue(b []byte, v string) []byte {
	space := false
	wrote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			space = true
			continue
		}
		if space && wrote {
			b = append(b, ' ')
		}
		space = false
		wrote = true
		b = append(b, c)
	}
	return b
}

// signedHeader is one header of the canonical request: its name (written
// lower-cased) and its values in order.
type signedHeader struct {
	name   string
	values []string
}

// compareFold compares ASCII strings as if lower-cased.
func compareFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// headersToSign picks the headers the transport signs from h, plus host:
// every header but the ignored ones, sorted by lower-cased name, values of
// names equal but for case merged in the order of their sorted keys.
func headersToSign(h http.Header, host string) []signedHeader {
	out := make([]signedHeader, 0, len(h)+1)
	out = append(out, signedHeader{name: "host", values: []string{host}})
	for k, v := range h {
		if len(k) <= len("proxy-authorization") && ignoredHeaders[lowerASCII(k)] || strings.EqualFold(k, "host") {
			continue
		}
		out = append(out, signedHeader{name: k, values: v})
	}
	slices.SortFunc(out, func(a, b signedHeader) int {
		if c := compareFold(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	// Merge names that differed only in case (a non-canonical key set
	// directly in the map). Rare; keep it simple.
	for i := 1; i < len(out); i++ {
		if compareFold(out[i].name, out[i-1].name) == 0 {
			merged := append(slices.Clone(out[i-1].values), out[i].values...)
			out[i-1].values = merged
			out = slices.Delete(out, i, i+1)
			i--
		}
	}
	return out
}

// lowerASCII lower-cases ASCII letters, allocating only when needed.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// appendCanonicalRequest appends the canonical request to b and returns it
// with the bounds of the signed-headers list inside it.
func appendCanonicalRequest(b []byte, method, uri, query string, headers []signedHeader, payloadHash string) (out []byte, namesStart, namesEnd int) {
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	for _, h := range headers {
		b = appendLower(b, h.name)
		b = append(b, ':')
		for i, v := range h.values {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	namesStart = len(b)
	for i, h := range headers {
		if i > 0 {
			b = append(b, ';')
		}
		b = appendLower(b, h.name)
	}
	namesEnd = len(b)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	return b, namesStart, namesEnd
}

// credentialScope is "YYYYMMDD/region/service/aws4_request".
func credentialScope(t time.Time, region, service string) string {
	return t.UTC().Format(scopeDayFormat) + "/" + region + "/" + service + "/" + terminator
}

// appendStringToSign appends the string to sign for a canonical request
// whose SHA-256 is sum.
func appendStringToSign(b []byte, amzDate, scope string, sum *[sha256.Size]byte) []byte {
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	var hx [64]byte
	hex.Encode(hx[:], sum[:])
	return append(b, hx[:]...)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveKey computes the SigV4 signing key for a day, region and service.
func deriveKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// signingKey is a derived key with a pool of HMACs keyed with it.
type signingKey struct {
	akid, secret, day, region, service string
	key                                []byte
	macs                               sync.Pool
}

func newSigningKey(akid, secret, day, region, service string) *signingKey {
	k := &signingKey{akid: akid, secret: secret, day: day, region: region, service: service,
		key: deriveKey(secret, day, region, service)}
	k.macs.New = func() any { return hmac.New(sha256.New, k.key) }
	return k
}

// sign returns the hex HMAC of sts.
func (k *signingKey) sign(sts []byte) [64]byte {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(sts)
	var raw [sha256.Size]byte
	m.Sum(raw[:0])
	k.macs.Put(m)
	var hx [64]byte
	hex.Encode(hx[:], raw[:])
	return hx
}

// scratch buffers for canonical requests and strings to sign.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// signature is what computeSignature produces.
type signature struct {
	hex   [64]byte
	names string // signed headers list
	creq  string // only when kept
	sts   string // only when kept
}

// computeSignature builds the canonical request and the string to sign in
// pooled buffers and signs them with k. It keeps copies of both only when
// keep is set (for logging and tests).
func computeSignature(k *signingKey, method, uri, query string, headers []signedHeader, payloadHash, amzDate, scope string, keep bool) signature {
	bp := scratchPool.Get().(*[]byte)
	b, ns, ne := appendCanonicalRequest((*bp)[:0], method, uri, query, headers, payloadHash)
	sum := sha256.Sum256(b)
	var out signature
	out.names = string(b[ns:ne])
	if keep {
		out.creq = string(b)
	}
	sts := appendStringToSign(b[:0], amzDate, scope, &sum)
	out.hex = k.sign(sts)
	if keep {
		out.sts = string(sts)
	}
	if cap(sts) <= 64<<10 {
		*bp = sts[:0]
		scratchPool.Put(bp)
	}
	return out
}

// canonicalHeaderKey is textproto's canonical form of a header name.
func canonicalHeaderKey(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }
