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
	// query. An entry other than "/" that ends in "/" also allows every
	// path under it ("/account/" allows "/account/keys"); "/" alone is the
	// home page only.
	// Default: just "/". Absolute URLs, "//host" and backslashes are never
	// allowed.
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
// Making and verifying one state costs about 17-20 µs and 34 allocations
// on a shared 2-core AMD EPYC, 2.1-2.9x the 7-8 µs floor of its
// cryptography (32 random bytes and two HMAC-SHA256; BenchmarkStateCodec
// against BenchmarkStateFloor): the rest is JSON and base64, and nothing
// next to the network round trips of a sign-in.
//
// New returns the state for the authorize URL and the nonce, which the
// app keeps in the browser (an HttpOnly cookie) or its server session;
// Verify, at the callback, checks the signature, the age, the nonce
// against the browser's (constant time) and the destination again.
type StateCodec struct {
	key     []byte
	allowed []string
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
	for _, d := range o.AllowedDestinations {
		if !localPath(d) {
			return nil, fmt.Errorf("cognito: allowed destination %q is not a local path: %w", d, ErrInvalidParameter)
		}
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
	return &StateCodec{key: append([]byte(nil), key...), allowed: append([]string(nil), o.AllowedDestinations...),
		maxAge: o.MaxAge, clock: o.Clock, rand: o.Rand}, nil
}

// localPath reports whether d is a path on this site: it starts with one
// "/", and has no backslash, control character or scheme.
func localPath(d string) bool {
	if d == "" || d[0] != '/' || strings.HasPrefix(d, "//") || strings.ContainsAny(d, "\\") {
		return false
	}
	for _, r := range d {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Allowed reports whether dest may be a post-login destination.
func (c *StateCodec) Allowed(dest string) bool {
	if !localPath(dest) || strings.Contains(dest, "/../") || strings.HasSuffix(dest, "/..") {
		return false
	}
	path := dest
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	for _, a := range c.allowed {
		if path == a || (len(a) > 1 && strings.HasSuffix(a, "/") && strings.HasPrefix(path, a)) {
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
	got, err := base64.RawURLEncoding.DecodeString(sig)
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
