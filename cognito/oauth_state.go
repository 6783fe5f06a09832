package cognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Errors of StateCodec.Verify and StateCodec.New.
var (
	// ErrInvalidState reports a state that is malformed or whose signature
	// does not verify (tampered, or signed with another key).
	ErrInvalidState = errors.New("cognito: invalid OAuth state")
	// ErrStateExpired reports a state older than StateOptions.MaxAge.
	ErrStateExpired = errors.New("cognito: OAuth state expired")
	// ErrStateMismatch reports a state whose CSRF nonce is not the one the
	// browser holds: the callback was not started by this browser.
	ErrStateMismatch = errors.New("cognito: OAuth state does not match this browser")
	// ErrDestinationNotAllowed reports a post-login destination that is
	// not on the allow-list (an open-redirect attempt).
	ErrDestinationNotAllowed = errors.New("cognito: post-login destination not allowed")
)

// DefaultStateMaxAge is how long a state stays valid by default: long
// enough to type a password, short enough to limit replay.
const DefaultStateMaxAge = 10 * time.Minute

// StateOptions configure a StateCodec.
type StateOptions struct {
	// AllowedDestinations are the post-login destinations a state may
	// carry: local paths ("/", "/orders"), each allowing itself with any
	// query and fragment. An entry other than "/" that ends in "/" also
	// allows every path under it ("/account/" allows "/account/keys"); "/"
	// alone is the home page only.
	//
	// An entry may also be an absolute http(s) URL, to send users back to
	// another service after login ("state overloading"):
	// "https://other.example/app/" allows destinations on exactly that
	// origin (scheme, host and port; a default port may be written or
	// not) under /app/, with the same path rules.
	//
	// Destinations are resolved as a browser would before matching, and
	// refused (ErrDestinationNotAllowed) when they could leave the entry:
	// "." and ".." segments, percent-encoded ones ("%2e%2e", ".%2E") and
	// those hidden behind "%2F" included; backslashes (which browsers read
	// as "/"), "//host" (scheme-relative), control characters, tabs,
	// newlines and spaces (which browsers strip), user info ("user@") and
	// percent-encoded hosts.
	// Default: just "/".
	AllowedDestinations []string
	// MaxAge bounds the age of a state; default DefaultStateMaxAge.
	MaxAge time.Duration
	// Clock and Rand default to time.Now and crypto/rand.Reader.
	Clock func() time.Time
	Rand  io.Reader
}

// StateCodec makes and checks the OAuth `state` parameter: a CSRF nonce
// plus an allow-listed post-login destination, signed with HMAC-SHA256 so
// that nobody can change the destination or forge a state (the safe form
// of "state overloading"). It is safe for concurrent use.
//
// Making and verifying one state costs a few times its cryptography (32
// random bytes and two HMAC-SHA256), nothing next to the network round
// trips of a sign-in; the figures are in the repository's
// benchmarks/README.md.
//
// New returns the state for the authorize URL and the nonce, which the
// app keeps in the browser (an HttpOnly cookie) or its server session;
// Verify, at the callback, checks the signature, the age, the nonce
// against the browser's (constant time) and the destination again.
type StateCodec struct {
	key     []byte
	allowed []string
	dests   []destination // allowed, parsed
	maxAge  time.Duration
	clock   func() time.Time
	rand    io.Reader
}

// NewStateCodec returns a StateCodec signing with key, which must hold at
// least 32 random bytes and stay secret (rotate it by deploying a new key:
// states in flight then fail with ErrInvalidState).
func NewStateCodec(key []byte, optFns ...func(*StateOptions)) (*StateCodec, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("cognito: state key must be at least 32 bytes, got %d: %w", len(key), ErrInvalidParameter)
	}
	var o StateOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.AllowedDestinations == nil {
		o.AllowedDestinations = []string{"/"}
	}
	dests := make([]destination, 0, len(o.AllowedDestinations))
	for _, d := range o.AllowedDestinations {
		pd, ok := parseDestination(d)
		if !ok || pd.rest != "" {
			return nil, fmt.Errorf("cognito: allowed destination %q is not a local path or an http(s) URL without query: %w", d, ErrInvalidParameter)
		}
		dests = append(dests, pd)
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultStateMaxAge
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return &StateCodec{key: append([]byte(nil), key...), allowed: append([]string(nil), o.AllowedDestinations...), dests: dests,
		maxAge: o.MaxAge, clock: o.Clock, rand: o.Rand}, nil
}

// destination is a post-login destination split for matching: origin
// ("" for a local path, else "scheme://host:port", lower case, port
// explicit), the path as written, and what follows it ("?…" or "#…").
type destination struct {
	origin, path, rest string
}

// parseDestination splits d and reports whether it is safe to match by
// path prefix: a local path or an absolute http(s) URL whose path a
// browser would not resolve elsewhere. See StateOptions.AllowedDestinations.
func parseDestination(d string) (destination, bool) {
	var pd destination
	if d == "" {
		return pd, false
	}
	for i := 0; i < len(d); i++ {
		// Browsers strip tabs, newlines and leading/trailing spaces and
		// read '\' as '/': refuse them rather than guess.
		if c := d[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return pd, false
		}
		// Every '%' starts an escape, in the query and fragment too.
		if d[i] == '%' && (i+2 >= len(d) || !isHex(d[i+1]) || !isHex(d[i+2])) {
			return pd, false
		}
	}
	head := d
	if i := strings.IndexAny(d, "?#"); i >= 0 {
		head, pd.rest = d[:i], d[i:]
	}
	switch {
	case strings.HasPrefix(head, "//"):
		return pd, false // scheme-relative: another host
	case strings.HasPrefix(head, "/"):
		pd.path = head
	default:
		origin, path, ok := splitOrigin(head)
		if !ok {
			return pd, false
		}
		pd.origin, pd.path = origin, path
	}
	return pd, cleanPath(pd.path)
}

// splitOrigin splits an absolute http(s) URL without query into its
// normalised origin and its path ("/" when empty).
func splitOrigin(head string) (origin, path string, ok bool) {
	scheme, rest, found := strings.Cut(head, "://")
	scheme = strings.ToLower(scheme)
	if !found || (scheme != "https" && scheme != "http") {
		return "", "", false
	}
	authority, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if authority == "" || strings.ContainsAny(authority, "@%") {
		return "", "", false
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil || u.Hostname() == "" {
		return "", "", false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port), path, true
}

// cleanPath reports whether path (starting with "/") names itself once a
// browser or server has resolved it: after percent-decoding, no "." or
// ".." segment, no empty segment ("//") and no backslash or control
// character.
func cleanPath(path string) bool {
	dec, err := url.PathUnescape(path)
	if err != nil {
		return false
	}
	for i := 0; i < len(dec); i++ {
		if c := dec[i]; c < ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	for rest := dec[1:]; ; {
		seg, more, found := strings.Cut(rest, "/")
		if seg == "." || seg == ".." {
			return false
		}
		if !found {
			break
		}
		rest = more
	}
	return !strings.Contains(dec, "//")
}

// Allowed reports whether dest may be a post-login destination (see
// StateOptions.AllowedDestinations).
func (c *StateCodec) Allowed(dest string) bool {
	d, ok := parseDestination(dest)
	if !ok {
		return false
	}
	for _, a := range c.dests {
		if d.origin != a.origin {
			continue
		}
		if d.path == a.path || (len(a.path) > 1 && strings.HasSuffix(a.path, "/") && strings.HasPrefix(d.path, a.path)) {
			return true
		}
	}
	return false
}

type statePayload struct {
	Nonce string `json:"n"`
	Dest  string `json:"d"`
	IAT   int64  `json:"t"`
}

const stateDomain = "cognitokit-oauth-state-v1."

func (c *StateCodec) sign(payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(stateDomain))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// New returns a signed state carrying a fresh 256-bit nonce and dest, and
// the nonce. dest must be allowed (ErrDestinationNotAllowed otherwise);
// empty means "/".
func (c *StateCodec) New(dest string) (state, nonce string, err error) {
	if dest == "" {
		dest = "/"
	}
	if !c.Allowed(dest) {
		return "", "", ErrDestinationNotAllowed
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(c.rand, b); err != nil {
		return "", "", fmt.Errorf("cognito: state nonce: %w", err)
	}
	nonce = base64.RawURLEncoding.EncodeToString(b)
	raw, _ := json.Marshal(statePayload{Nonce: nonce, Dest: dest, IAT: c.clock().Unix()})
	payload := base64.RawURLEncoding.EncodeToString(raw)
	return payload + "." + base64.RawURLEncoding.EncodeToString(c.sign(payload)), nonce, nil
}

// Verify checks a state returned to the callback against the nonce the
// browser holds and returns its post-login destination. Errors:
// ErrInvalidState (malformed or forged), ErrStateExpired,
// ErrStateMismatch (another browser's state: login CSRF) and
// ErrDestinationNotAllowed (the allow-list changed since).
func (c *StateCodec) Verify(state, nonce string) (dest string, err error) {
	if len(state) > 4096 {
		return "", ErrInvalidState
	}
	payload, sig, ok := strings.Cut(state, ".")
	if !ok {
		return "", ErrInvalidState
	}
	// encoding/base64 skips CR and LF: refuse them (and anything else
	// outside the alphabet) so that one state has one spelling.
	if !base64URL(sig) {
		return "", ErrInvalidState
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(got, c.sign(payload)) {
		return "", ErrInvalidState
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", ErrInvalidState
	}
	var p statePayload
	if err := json.Unmarshal(raw, &p); err != nil || p.Nonce == "" {
		return "", ErrInvalidState
	}
	age := c.clock().Sub(time.Unix(p.IAT, 0))
	if age > c.maxAge || age < -time.Minute {
		return "", ErrStateExpired
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(p.Nonce), []byte(nonce)) != 1 {
		return "", ErrStateMismatch
	}
	if !c.Allowed(p.Dest) {
		return "", ErrDestinationNotAllowed
	}
	return p.Dest, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// base64URL reports whether s holds only base64url alphabet bytes.
func base64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
