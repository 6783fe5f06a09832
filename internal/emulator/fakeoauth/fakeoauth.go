// Package fakeoauth is the OAuth 2.0 machinery the emulator's fake identity
// providers share (fakeoidc, fakeamazon): client registration with exact
// redirect URIs, single-use authorization codes bound to a client, a
// redirect URI and a PKCE challenge (RFC 7636, S256 only), opaque access
// tokens stored as hashes, and RFC 6749 §5.2 error bodies.
//
// Nothing here is an HTTP handler; each fake builds its own endpoints on
// these pieces, so that every provider checks codes, secrets and
// verifiers the same strict way. Secrets and tokens are kept only as
// SHA-256 hashes and compared in constant time.
package fakeoauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Errors, matched with errors.Is. Each maps to an RFC 6749 error code
// (see Code).
var (
	// ErrInvalidClient reports an unknown client or a wrong client secret.
	ErrInvalidClient = errors.New("fakeoauth: invalid client")
	// ErrInvalidRedirect reports a redirect_uri that is not one the client
	// registered (compared exactly), or not an absolute http(s) URL.
	ErrInvalidRedirect = errors.New("fakeoauth: redirect_uri is not registered for this client")
	// ErrInvalidGrant reports an authorization code that is unknown,
	// already used, expired, or issued to another client or redirect URI,
	// or a PKCE verifier that does not match the code's challenge.
	ErrInvalidGrant = errors.New("fakeoauth: invalid grant")
	// ErrInvalidRequest reports a malformed or incomplete request.
	ErrInvalidRequest = errors.New("fakeoauth: invalid request")
	// ErrInvalidToken reports an access token that is unknown or expired.
	ErrInvalidToken = errors.New("fakeoauth: invalid access token")
)

// Code returns the RFC 6749 error code for err: "invalid_client",
// "invalid_grant", "invalid_token", or "invalid_request" for anything else.
func Code(err error) string {
	switch {
	case errors.Is(err, ErrInvalidClient):
		return "invalid_client"
	case errors.Is(err, ErrInvalidGrant):
		return "invalid_grant"
	case errors.Is(err, ErrInvalidToken):
		return "invalid_token"
	}
	return "invalid_request"
}

// Hash returns hex(SHA-256(s)): how secrets, codes and tokens are stored.
func Hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Random returns prefix followed by n random bytes in base64url.
func Random(r io.Reader, prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("fakeoauth: reading randomness: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Client is a registered OAuth client.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client secret. Empty makes a public client, which must
	// use PKCE instead.
	Secret string
	// RedirectURIs are the only redirect_uri values accepted, compared
	// exactly. At least one is required.
	RedirectURIs []string
}

type client struct {
	secretHash   string
	redirectURIs []string
}

// Clients is a registry of clients. It is safe for concurrent use.
type Clients struct {
	mu sync.RWMutex
	m  map[string]client
}

// Register adds or replaces c.
func (cs *Clients) Register(c Client) error {
	if c.ID == "" || len(c.RedirectURIs) == 0 {
		return fmt.Errorf("%w: a client needs an ID and at least one redirect URI", ErrInvalidRequest)
	}
	for _, u := range c.RedirectURIs {
		if !absoluteHTTP(u) {
			return fmt.Errorf("%w: redirect URI %q is not an absolute http(s) URL", ErrInvalidRequest, u)
		}
	}
	rec := client{redirectURIs: slices.Clone(c.RedirectURIs)}
	if c.Secret != "" {
		rec.secretHash = Hash(c.Secret)
	}
	cs.mu.Lock()
	if cs.m == nil {
		cs.m = map[string]client{}
	}
	cs.m[c.ID] = rec
	cs.mu.Unlock()
	return nil
}

// Known reports whether clientID is registered.
func (cs *Clients) Known(clientID string) bool {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	_, ok := cs.m[clientID]
	return ok
}

// Public reports whether clientID is registered without a secret.
func (cs *Clients) Public(clientID string) bool {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.m[clientID]
	return ok && c.secretHash == ""
}

// CheckRedirect returns nil when redirectURI is exactly one of clientID's
// registered redirect URIs, ErrInvalidClient for an unknown client and
// ErrInvalidRedirect otherwise.
func (cs *Clients) CheckRedirect(clientID, redirectURI string) error {
	cs.mu.RLock()
	c, ok := cs.m[clientID]
	cs.mu.RUnlock()
	if !ok {
		return ErrInvalidClient
	}
	if !absoluteHTTP(redirectURI) || !slices.Contains(c.redirectURIs, redirectURI) {
		return ErrInvalidRedirect
	}
	return nil
}

// CheckSecret authenticates a confidential client by its secret, in
// constant time. A public client passes with an empty secret only.
func (cs *Clients) CheckSecret(clientID, secret string) error {
	cs.mu.RLock()
	c, ok := cs.m[clientID]
	cs.mu.RUnlock()
	if !ok {
		return ErrInvalidClient
	}
	if c.secretHash == "" {
		if secret != "" {
			return ErrInvalidClient
		}
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(Hash(secret)), []byte(c.secretHash)) != 1 {
		return ErrInvalidClient
	}
	return nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == ""
}

// S256 returns the PKCE S256 challenge of verifier (RFC 7636 §4.2).
func S256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// CheckChallenge validates the code_challenge and code_challenge_method of
// an authorization request: both empty (no PKCE), or method S256 with a
// 43-character challenge. "plain" is refused.
func CheckChallenge(challenge, method string) error {
	switch {
	case challenge == "" && method == "":
		return nil
	case method != "S256":
		return fmt.Errorf("%w: code_challenge_method must be S256", ErrInvalidRequest)
	case len(challenge) != 43:
		return fmt.Errorf("%w: code_challenge must be 43 characters of base64url", ErrInvalidRequest)
	}
	return nil
}

// Grant is what an authorization code stands for, with the provider's own
// data D (the user and whatever the provider needs at the token endpoint).
type Grant[D any] struct {
	ClientID      string
	RedirectURI   string
	CodeChallenge string
	Expires       time.Time
	Data          D
}

// secrets maps hashes of random secrets (codes, tokens) to records that
// expire. The zero value is ready; it is safe for concurrent use.
type secrets[V any] struct {
	Now    func() time.Time
	Rand   io.Reader
	Prefix string

	mu sync.Mutex
	m  map[string]expiring[V]
}

type expiring[V any] struct {
	expires time.Time
	v       V
}

func (s *secrets[V]) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// issue stores v under a new secret, valid for lifetime, dropping the
// expired ones.
func (s *secrets[V]) issue(v V, lifetime time.Duration) (string, time.Time, error) {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	secret, err := Random(r, s.Prefix, 32)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]expiring[V]{}
	}
	for k, e := range s.m {
		if !now.Before(e.expires) {
			delete(s.m, k)
		}
	}
	exp := now.Add(lifetime)
	s.m[Hash(secret)] = expiring[V]{expires: exp, v: v}
	return secret, exp, nil
}

// get returns the record of secret, removing it when take is set, and
// whether it was found and has not expired.
func (s *secrets[V]) get(secret string, take bool) (v V, expires time.Time, found, live bool) {
	h := Hash(secret)
	s.mu.Lock()
	e, ok := s.m[h]
	if take {
		delete(s.m, h)
	}
	s.mu.Unlock()
	if !ok || secret == "" {
		return v, time.Time{}, false, false
	}
	return e.v, e.expires, true, s.now().Before(e.expires)
}

// Codes stores pending authorization codes. It is safe for concurrent use.
type Codes[D any] struct {
	// Now and Rand may be nil (wall clock, crypto/rand).
	Now  func() time.Time
	Rand io.Reader
	// Prefix starts every code.
	Prefix string

	once sync.Once
	s    secrets[Grant[D]]
}

func (c *Codes[D]) store() *secrets[Grant[D]] {
	c.once.Do(func() { c.s.Now, c.s.Rand, c.s.Prefix = c.Now, c.Rand, c.Prefix })
	return &c.s
}

// Issue stores g and returns its code, valid for lifetime.
func (c *Codes[D]) Issue(g Grant[D], lifetime time.Duration) (string, error) {
	g.Expires = c.store().now().Add(lifetime)
	code, _, err := c.store().issue(g, lifetime)
	return code, err
}

// Redeem consumes code and returns its grant if it was issued to clientID
// for redirectURI, has not expired, and verifier matches its PKCE
// challenge (a code issued without a challenge takes no verifier). The
// code is consumed once found, whatever the outcome, so it is never tried
// twice. Every failure is ErrInvalidGrant.
func (c *Codes[D]) Redeem(code, clientID, redirectURI, verifier string) (Grant[D], error) {
	g, _, found, live := c.store().get(code, true)
	switch {
	case !found:
		return Grant[D]{}, fmt.Errorf("%w: unknown or already used code", ErrInvalidGrant)
	case !live:
		return Grant[D]{}, fmt.Errorf("%w: code expired", ErrInvalidGrant)
	case g.ClientID != clientID:
		return Grant[D]{}, fmt.Errorf("%w: code was issued to another client", ErrInvalidGrant)
	case g.RedirectURI != redirectURI:
		return Grant[D]{}, fmt.Errorf("%w: redirect_uri differs from the authorization request's", ErrInvalidGrant)
	case g.CodeChallenge == "" && verifier != "":
		return Grant[D]{}, fmt.Errorf("%w: code_verifier given for a code issued without a challenge", ErrInvalidGrant)
	case g.CodeChallenge != "" && subtle.ConstantTimeCompare([]byte(S256(verifier)), []byte(g.CodeChallenge)) != 1:
		return Grant[D]{}, fmt.Errorf("%w: code_verifier does not match the code_challenge", ErrInvalidGrant)
	}
	return g, nil
}

// Tokens stores opaque access tokens. It is safe for concurrent use.
type Tokens[D any] struct {
	// Now and Rand may be nil (wall clock, crypto/rand).
	Now  func() time.Time
	Rand io.Reader
	// Prefix starts every token.
	Prefix string

	once sync.Once
	s    secrets[D]
}

func (t *Tokens[D]) store() *secrets[D] {
	t.once.Do(func() { t.s.Now, t.s.Rand, t.s.Prefix = t.Now, t.Rand, t.Prefix })
	return &t.s
}

// Issue returns a new token for data, valid for lifetime.
func (t *Tokens[D]) Issue(data D, lifetime time.Duration) (string, error) {
	tok, _, err := t.store().issue(data, lifetime)
	return tok, err
}

// Lookup returns the data of a valid token and its expiry, or
// ErrInvalidToken.
func (t *Tokens[D]) Lookup(tok string) (D, time.Time, error) {
	d, exp, found, live := t.store().get(tok, false)
	var zero D
	switch {
	case !found:
		return zero, time.Time{}, fmt.Errorf("%w: unknown token", ErrInvalidToken)
	case !live:
		return zero, time.Time{}, fmt.Errorf("%w: token expired", ErrInvalidToken)
	}
	return d, exp, nil
}

// TokenRequest reads an authorization_code request at a token endpoint:
// a POST form with that grant_type, and the client's credentials (see
// ClientCredentials). When it fails it has written the error, and ok is
// false.
func TokenRequest(w http.ResponseWriter, r *http.Request) (clientID, secret string, ok bool) {
	if r.Method != http.MethodPost {
		WriteError(w, fmt.Errorf("%w: use POST", ErrInvalidRequest))
		return "", "", false
	}
	if err := ParseForm(w, r); err != nil {
		WriteError(w, err)
		return "", "", false
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return "", "", false
	}
	clientID, secret, err := ClientCredentials(r)
	if err != nil {
		WriteError(w, err)
		return "", "", false
	}
	return clientID, secret, true
}

// ClientCredentials returns the client_id and client_secret of a token
// request: HTTP Basic (client_secret_basic, RFC 6749 §2.3.1, form-encoded
// parts) or the form (client_secret_post). Both at once is an error.
func ClientCredentials(r *http.Request) (id, secret string, err error) {
	u, p, basic := r.BasicAuth()
	if !basic {
		return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), nil
	}
	if r.PostForm.Get("client_secret") != "" {
		return "", "", fmt.Errorf("%w: client authenticated twice", ErrInvalidRequest)
	}
	if id, err = url.QueryUnescape(u); err == nil {
		secret, err = url.QueryUnescape(p)
	}
	if err != nil {
		return "", "", fmt.Errorf("%w: malformed Basic credentials", ErrInvalidClient)
	}
	if f := r.PostForm.Get("client_id"); f != "" && f != id {
		return "", "", fmt.Errorf("%w: client_id differs from the Basic credentials", ErrInvalidRequest)
	}
	return id, secret, nil
}

// WriteError writes an RFC 6749 §5.2 error: HTTP 401 for invalid_client
// (with a Basic challenge) or invalid_token (with a Bearer challenge),
// 400 otherwise. The description never holds a secret.
func WriteError(w http.ResponseWriter, err error) {
	code := Code(err)
	status := http.StatusBadRequest
	switch code {
	case "invalid_client":
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
	case "invalid_token":
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	WriteJSON(w, status, map[string]string{"error": code, "error_description": err.Error()})
}

// WriteJSON writes v as JSON with status, uncached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// BearerToken returns the token of an "Authorization: Bearer" header, or
// of the access_token form or query parameter (RFC 6750 §2.2, §2.3).
func BearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && (h[:7] == "Bearer " || h[:7] == "bearer ") {
		return h[7:]
	}
	return r.FormValue("access_token")
}

// RedirectWith returns redirectURI with params added to its query.
func RedirectWith(redirectURI string, params url.Values) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// DecodeJSONPost decodes the JSON body of a POST (64 KiB at most) into v.
// When it fails it has written an invalid_request error naming usage, the
// body's expected shape, and returns false.
func DecodeJSONPost(w http.ResponseWriter, r *http.Request, v any, usage string) bool {
	if r.Method != http.MethodPost {
		WriteError(w, fmt.Errorf("%w: use POST", ErrInvalidRequest))
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(v); err != nil {
		WriteError(w, fmt.Errorf("%w: body must be JSON %s", ErrInvalidRequest, usage))
		return false
	}
	return true
}

// ParseForm parses a request's form with a 64 KiB body limit.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: malformed form", ErrInvalidRequest)
	}
	return nil
}
