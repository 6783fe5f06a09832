// Package fakefb is the emulator's stand-in for Facebook: it mints user
// access tokens for an app, answers the Graph API calls a Cognito identity
// pool or user pool makes to check them (/me and /debug_token), and lets
// the emulator's identity pools accept `graph.facebook.com` logins offline.
//
// HTTP surface, mounted by the emulator under /_emulator/facebook/:
//
//	POST /_emulator/facebook/tokens   {"app_id","user_id","name","email","expires_in"}
//	                                  → {"access_token","token_type","expires_in","user_id"}
//	GET  /_emulator/facebook/me?access_token=T[&fields=id,name,email]
//	                                  → {"id","name","email"}
//	GET  /_emulator/facebook/debug_token?input_token=T
//	                                  → {"data":{"app_id","user_id","is_valid","expires_at"}}
//	GET  /_emulator/facebook/dialog/oauth?client_id=APP&redirect_uri=U&state=S[&scope=..]
//	                                  → the Login dialog: a consent page where the
//	                                    tester says who signs in (id, name, e-mail)
//	POST /_emulator/facebook/dialog/oauth (the consent form)
//	                                  → 302 U?code=C&state=S, or
//	                                    U?error=access_denied&error_reason=user_denied&state=S
//	GET  /_emulator/facebook/oauth/access_token?client_id=APP&client_secret=X&redirect_uri=U&code=C
//	                                  → {"access_token","token_type":"bearer","expires_in"}
//
// The OAuth dialog and code exchange follow Facebook Login's manual flow
// (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow):
// codes are single-use, expire after ten minutes, and are only exchanged
// for the app they were issued to with the same redirect_uri. An app
// declared with PutApp must present its secret (compared in constant time);
// an undeclared app needs no secret. The dialog refuses, before consent,
// any redirect_uri that is not one of the app's valid OAuth redirect URIs
// (given to PutApp, else SetDefaultRedirectURIs): Facebook's error 191.
//
// Errors follow the Graph API's shape: HTTP 400 with
// {"error":{"message","type":"OAuthException","code":190}}.
package fakefb

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// PathPrefix is where the emulator mounts the fake's HTTP surface.
const PathPrefix = "/_emulator/facebook/"

// DefaultTokenLifetime is how long a minted token is valid when the caller
// does not say: Facebook's short-lived user tokens last about two hours.
const DefaultTokenLifetime = 2 * time.Hour

// Errors returned by Lookup.
var (
	// ErrUnknownToken reports a token this fake never minted.
	ErrUnknownToken = errors.New("fakefb: unknown access token")
	// ErrExpiredToken reports a minted token past its expiry.
	ErrExpiredToken = errors.New("fakefb: access token has expired")
)

// User is a Facebook account as the fake knows it.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Token is a minted access token's record. The token itself is stored only
// as its SHA-256 hash.
type Token struct {
	AppID   string    `json:"app_id"`
	User    User      `json:"user"`
	Expires time.Time `json:"expires"`
}

// State is the fake's persistent state.
type State struct {
	// Tokens maps hex(SHA-256(token)) to its record.
	Tokens map[string]Token `json:"tokens"`
	// Codes maps hex(SHA-256(code)) to a pending OAuth authorization code.
	Codes map[string]Code `json:"codes,omitempty"`
	// Apps are the apps declared with PutApp, by app ID.
	Apps map[string]App `json:"apps,omitempty"`
}

// Code is a pending authorization code of the OAuth dialog.
type Code struct {
	AppID       string    `json:"app_id"`
	RedirectURI string    `json:"redirect_uri"`
	User        User      `json:"user"`
	Expires     time.Time `json:"expires"`
}

// App is a Facebook app as the fake knows it. Its secret is kept as a
// SHA-256 hash only.
type App struct {
	ID string `json:"id"`
	// SecretHash is hex(SHA-256(app secret)).
	SecretHash string `json:"secret_hash"`
	// RedirectURIs, when not empty, are the only redirect_uri values the
	// dialog accepts ("Valid OAuth Redirect URIs"); when empty, the ones
	// set with SetDefaultRedirectURIs are.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
}

// CodeLifetime is how long an authorization code of the OAuth dialog may
// be exchanged.
const CodeLifetime = 10 * time.Minute

// Fake is the fake Facebook. It is safe for concurrent use.
type Fake struct {
	now      func() time.Time
	rand     io.Reader
	onChange func()

	mu               sync.Mutex
	tokens           map[string]Token
	codes            map[string]Code
	apps             map[string]App
	defaultRedirects func() []string
}

// New returns an empty Fake. now and random may be nil (wall clock,
// crypto/rand); onChange, when set, is called after every mutation so the
// host can persist Snapshot.
func New(now func() time.Time, random io.Reader, onChange func()) *Fake {
	if now == nil {
		now = time.Now
	}
	if random == nil {
		random = rand.Reader
	}
	return &Fake{now: now, rand: random, onChange: onChange, tokens: map[string]Token{},
		codes: map[string]Code{}, apps: map[string]App{}}
}

// Mint returns a new access token for user in app appID, valid for
// lifetime (DefaultTokenLifetime when zero).
func (f *Fake) Mint(appID string, user User, lifetime time.Duration) (string, error) {
	if appID == "" || user.ID == "" {
		return "", errors.New("fakefb: app ID and user ID are required")
	}
	if lifetime <= 0 {
		lifetime = DefaultTokenLifetime
	}
	b := make([]byte, 48)
	f.mu.Lock()
	_, err := io.ReadFull(f.rand, b)
	if err != nil {
		f.mu.Unlock()
		return "", fmt.Errorf("fakefb: reading randomness: %w", err)
	}
	// Facebook tokens start with "EAA"; keep the look.
	tok := "EAA" + strings.ToUpper(hex.EncodeToString(b[:8])) + hex.EncodeToString(b[8:])
	f.tokens[hashToken(tok)] = Token{AppID: appID, User: user, Expires: f.now().Add(lifetime).UTC()}
	f.mu.Unlock()
	f.changed()
	return tok, nil
}

// Lookup returns the record of a valid token.
func (f *Fake) Lookup(token string) (Token, error) {
	f.mu.Lock()
	rec, ok := f.tokens[hashToken(token)]
	f.mu.Unlock()
	if !ok {
		return Token{}, ErrUnknownToken
	}
	if !f.now().Before(rec.Expires) {
		return rec, ErrExpiredToken
	}
	return rec, nil
}

// Snapshot returns a copy of the state.
func (f *Fake) Snapshot() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := State{Tokens: make(map[string]Token, len(f.tokens)), Codes: make(map[string]Code, len(f.codes)),
		Apps: make(map[string]App, len(f.apps))}
	for k, v := range f.tokens {
		st.Tokens[k] = v
	}
	for k, v := range f.codes {
		st.Codes[k] = v
	}
	for k, v := range f.apps {
		v.RedirectURIs = append([]string(nil), v.RedirectURIs...)
		st.Apps[k] = v
	}
	return st
}

// Restore replaces the state with st.
func (f *Fake) Restore(st State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = make(map[string]Token, len(st.Tokens))
	for k, v := range st.Tokens {
		f.tokens[k] = v
	}
	f.codes = make(map[string]Code, len(st.Codes))
	for k, v := range st.Codes {
		f.codes[k] = v
	}
	f.apps = make(map[string]App, len(st.Apps))
	for k, v := range st.Apps {
		f.apps[k] = v
	}
}

func (f *Fake) changed() {
	if f.onChange != nil {
		f.onChange()
	}
}

func hashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// ServeHTTP serves the fake's HTTP surface under PathPrefix.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, PathPrefix) {
	case "tokens":
		if r.Method != http.MethodPost {
			graphError(w, http.StatusMethodNotAllowed, "Use POST to mint a token.")
			return
		}
		var in struct {
			AppID     string `json:"app_id"`
			UserID    string `json:"user_id"`
			Name      string `json:"name"`
			Email     string `json:"email"`
			ExpiresIn int    `json:"expires_in"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
			graphError(w, http.StatusBadRequest, "Body must be JSON: {\"app_id\",\"user_id\",\"name\",\"email\",\"expires_in\"}.")
			return
		}
		tok, err := f.Mint(in.AppID, User{ID: in.UserID, Name: in.Name, Email: in.Email}, time.Duration(in.ExpiresIn)*time.Second)
		if err != nil {
			graphError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "fakefb: "))
			return
		}
		rec, _ := f.Lookup(tok)
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": tok, "token_type": "bearer", "user_id": in.UserID,
			"expires_in": int(rec.Expires.Sub(f.now()).Seconds()),
		})
	case "me":
		rec, err := f.Lookup(r.URL.Query().Get("access_token"))
		if err != nil {
			graphError(w, http.StatusBadRequest, graphMessage(err))
			return
		}
		writeJSON(w, http.StatusOK, rec.User)
	case "debug_token":
		rec, err := f.Lookup(r.URL.Query().Get("input_token"))
		data := map[string]any{"is_valid": err == nil}
		if !errors.Is(err, ErrUnknownToken) {
			data["app_id"], data["user_id"], data["expires_at"] = rec.AppID, rec.User.ID, rec.Expires.Unix()
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	case "dialog/oauth":
		f.serveDialog(w, r)
	case "oauth/access_token":
		f.serveAccessToken(w, r)
	default:
		graphError(w, http.StatusNotFound, "Unknown path components: "+r.URL.Path)
	}
}

func graphMessage(err error) string {
	if errors.Is(err, ErrExpiredToken) {
		return "Error validating access token: Session has expired."
	}
	return "Invalid OAuth access token - Cannot parse access token"
}

func graphError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": 190}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
