// Package faketwitter is the emulator's stand-in for Twitter as a Cognito
// identity pool uses it: the `api.twitter.com` Logins value is
// "token;secret", a user's OAuth 1.0a access token and token secret for
// the app whose consumer key and secret the pool is configured with
// ("consumerKey;consumerSecret"), and Cognito checks it by calling
// Twitter's account/verify_credentials, signed with all four.
//
// The fake registers apps (PutConsumer) and users' token pairs (MintToken,
// PutToken), and checks them for real: VerifyCredentials in Go, and over
// HTTP the verify_credentials endpoint, which verifies the request's
// OAuth 1.0a HMAC-SHA1 signature (RFC 5849), its timestamp (within
// MaxSkew) and nonce (each once).
//
// HTTP surface, relative to the prefix given to New (for example
// /_emulator/twitter/):
//
//	POST tokens   {"consumer_key","user_id","screen_name","name"}
//	              → {"oauth_token","oauth_token_secret","user_id","screen_name"}
//	GET  1.1/account/verify_credentials.json   (OAuth 1.0a signed)
//	              → {"id","id_str","screen_name","name"}, or 401
//	                {"errors":[{"code":32|89,"message"}]}
//
// Twitter's three-legged sign-in (request_token, authorize, access_token)
// is not emulated: identity pools only ever check a token pair the app
// already has, and MintToken stands in for the sign-in.
//
// HMAC-SHA1 needs the secrets themselves, so the fake keeps consumer and
// token secrets in memory (never in errors or logs); tokens are compared
// in constant time.
package faketwitter

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
)

// MaxSkew is how far an OAuth timestamp may be from the fake's clock.
const MaxSkew = 5 * time.Minute

// Errors, matched with errors.Is.
var (
	// ErrInvalidConsumer reports an unknown consumer key or a wrong consumer
	// secret (Twitter's error 32).
	ErrInvalidConsumer = errors.New("faketwitter: invalid consumer key or secret")
	// ErrInvalidToken reports a token pair that is unknown, has the wrong
	// secret, or belongs to another app (Twitter's error 89).
	ErrInvalidToken = errors.New("faketwitter: invalid or expired token")
	// ErrMalformedLogin reports a Logins value that is not "token;secret".
	ErrMalformedLogin = errors.New("faketwitter: login must be \"token;secret\"")
)

// User is a Twitter account.
type User struct {
	// ID is the numeric user ID, as a string. Required.
	ID         string `json:"id_str"`
	ScreenName string `json:"screen_name,omitempty"`
	Name       string `json:"name,omitempty"`
}

type tokenRec struct {
	consumerKey string
	secret      string
	user        User
}

// Fake is the fake Twitter. It is safe for concurrent use.
type Fake struct {
	prefix string
	now    func() time.Time
	rand   io.Reader

	mu        sync.Mutex
	consumers map[string]string   // key → secret
	tokens    map[string]tokenRec // token → record
	nonces    map[string]time.Time
}

// New returns a Fake serving under prefix (starting and ending with /).
// now and random may be nil (wall clock, crypto/rand).
func New(prefix string, now func() time.Time, random io.Reader) (*Fake, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, errors.New("faketwitter: the prefix must start and end with /")
	}
	if now == nil {
		now = time.Now
	}
	if random == nil {
		random = rand.Reader
	}
	return &Fake{prefix: prefix, now: now, rand: random, consumers: map[string]string{},
		tokens: map[string]tokenRec{}, nonces: map[string]time.Time{}}, nil
}

// PutConsumer registers an app by its consumer key and secret.
func (f *Fake) PutConsumer(key, secret string) error {
	if key == "" || secret == "" || strings.Contains(key, ";") || strings.Contains(secret, ";") {
		return errors.New("faketwitter: a consumer needs a key and a secret, without ';'")
	}
	f.mu.Lock()
	f.consumers[key] = secret
	f.mu.Unlock()
	return nil
}

// MintToken registers a new access token pair for user in the app
// consumerKey, as Twitter's sign-in would, and returns it; the identity
// pool Logins value is token + ";" + secret.
func (f *Fake) MintToken(consumerKey string, user User) (token, secret string, err error) {
	b := make([]byte, 30)
	if _, err := io.ReadFull(f.rand, b); err != nil {
		return "", "", fmt.Errorf("faketwitter: reading randomness: %w", err)
	}
	token = user.ID + "-" + hex.EncodeToString(b[:15])
	secret = hex.EncodeToString(b[15:])
	return token, secret, f.PutToken(consumerKey, token, secret, user)
}

// PutToken registers a given token pair for user in the app consumerKey.
func (f *Fake) PutToken(consumerKey, token, secret string, user User) error {
	if _, err := strconv.ParseUint(user.ID, 10, 64); err != nil {
		return errors.New("faketwitter: the user ID must be numeric")
	}
	if token == "" || secret == "" || strings.Contains(token, ";") || strings.Contains(secret, ";") {
		return errors.New("faketwitter: a token pair needs a token and a secret, without ';'")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.consumers[consumerKey]; !ok {
		return ErrInvalidConsumer
	}
	f.tokens[token] = tokenRec{consumerKey: consumerKey, secret: secret, user: user}
	return nil
}

// ParseLogin splits an identity pool's api.twitter.com Logins value.
func ParseLogin(login string) (token, secret string, err error) {
	token, secret, ok := strings.Cut(login, ";")
	if !ok || token == "" || secret == "" || strings.Contains(secret, ";") {
		return "", "", ErrMalformedLogin
	}
	return token, secret, nil
}

// VerifyCredentials is Cognito's check of a Twitter login: the app
// (consumerKey, consumerSecret) must be registered with that secret, and
// (token, tokenSecret) a pair issued to that app. It returns the user.
func (f *Fake) VerifyCredentials(consumerKey, consumerSecret, token, tokenSecret string) (User, error) {
	f.mu.Lock()
	cs, okC := f.consumers[consumerKey]
	rec, okT := f.tokens[token]
	f.mu.Unlock()
	if !okC || subtle.ConstantTimeCompare([]byte(cs), []byte(consumerSecret)) != 1 {
		return User{}, ErrInvalidConsumer
	}
	if !okT || rec.consumerKey != consumerKey || subtle.ConstantTimeCompare([]byte(rec.secret), []byte(tokenSecret)) != 1 {
		return User{}, ErrInvalidToken
	}
	return rec.user, nil
}

// VerifyLogin is VerifyCredentials for a Logins value "token;secret".
func (f *Fake) VerifyLogin(consumerKey, consumerSecret, login string) (User, error) {
	token, secret, err := ParseLogin(login)
	if err != nil {
		return User{}, err
	}
	return f.VerifyCredentials(consumerKey, consumerSecret, token, secret)
}

// VerifyRequest checks an OAuth 1.0a signed request as Twitter's API does
// and returns the user whose token signed it. Errors wrap ErrBadSignature,
// ErrInvalidConsumer or ErrInvalidToken.
func (f *Fake) VerifyRequest(r *http.Request) (User, error) {
	oauth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return User{}, err
	}
	if oauth["oauth_signature_method"] != "HMAC-SHA1" || (oauth["oauth_version"] != "" && oauth["oauth_version"] != "1.0") {
		return User{}, fmt.Errorf("%w: only HMAC-SHA1, OAuth 1.0", ErrBadSignature)
	}
	ts, err := strconv.ParseInt(oauth["oauth_timestamp"], 10, 64)
	now := f.now()
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > MaxSkew {
		return User{}, fmt.Errorf("%w: timestamp out of bounds", ErrBadSignature)
	}
	key, token, nonce := oauth["oauth_consumer_key"], oauth["oauth_token"], oauth["oauth_nonce"]
	f.mu.Lock()
	cs, okC := f.consumers[key]
	rec, okT := f.tokens[token]
	f.mu.Unlock()
	if !okC {
		return User{}, ErrInvalidConsumer
	}
	if !okT || rec.consumerKey != key {
		return User{}, ErrInvalidToken
	}
	params, err := formParams(r)
	if err != nil {
		return User{}, err
	}
	sig := oauth["oauth_signature"]
	delete(oauth, "oauth_signature")
	u := *r.URL
	u.Host = r.Host
	u.Scheme = "http"
	if r.TLS != nil {
		u.Scheme = "https"
	}
	want := hmacSHA1(signatureBase(r.Method, &u, params, oauth), cs, rec.secret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return User{}, fmt.Errorf("%w: signature does not verify", ErrBadSignature)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for n, exp := range f.nonces {
		if now.After(exp) {
			delete(f.nonces, n)
		}
	}
	nk := key + "\x00" + ts2s(ts) + "\x00" + nonce
	if _, seen := f.nonces[nk]; seen || nonce == "" {
		return User{}, fmt.Errorf("%w: nonce already used", ErrBadSignature)
	}
	f.nonces[nk] = time.Unix(ts, 0).Add(MaxSkew)
	return rec.user, nil
}

func ts2s(ts int64) string { return strconv.FormatInt(ts, 10) }

// ServeHTTP serves the fake's HTTP surface under its prefix.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, f.prefix) {
	case "tokens":
		if r.Method != http.MethodPost {
			apiError(w, http.StatusMethodNotAllowed, 34, "Use POST to mint a token pair.")
			return
		}
		var in struct {
			ConsumerKey string `json:"consumer_key"`
			UserID      string `json:"user_id"`
			ScreenName  string `json:"screen_name"`
			Name        string `json:"name"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
			apiError(w, http.StatusBadRequest, 214, "Body must be JSON: {\"consumer_key\",\"user_id\",\"screen_name\",\"name\"}.")
			return
		}
		tok, sec, err := f.MintToken(in.ConsumerKey, User{ID: in.UserID, ScreenName: in.ScreenName, Name: in.Name})
		if err != nil {
			apiError(w, http.StatusBadRequest, 214, strings.TrimPrefix(err.Error(), "faketwitter: "))
			return
		}
		fakeoauth.WriteJSON(w, http.StatusOK, map[string]string{"oauth_token": tok, "oauth_token_secret": sec,
			"user_id": in.UserID, "screen_name": in.ScreenName})
	case "1.1/account/verify_credentials.json":
		u, err := f.VerifyRequest(r)
		switch {
		case errors.Is(err, ErrInvalidToken):
			apiError(w, http.StatusUnauthorized, 89, "Invalid or expired token.")
		case err != nil:
			apiError(w, http.StatusUnauthorized, 32, "Could not authenticate you.")
		default:
			id, _ := strconv.ParseUint(u.ID, 10, 64)
			fakeoauth.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "id_str": u.ID, "screen_name": u.ScreenName, "name": u.Name})
		}
	default:
		apiError(w, http.StatusNotFound, 34, "Sorry, that page does not exist.")
	}
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	fakeoauth.WriteJSON(w, status, map[string]any{"errors": []map[string]any{{"code": code, "message": msg}}})
}

// Consumers returns a copy of the registered apps: consumer key → secret.
func (f *Fake) Consumers() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]string, len(f.consumers))
	for k, v := range f.consumers {
		out[k] = v
	}
	return out
}
