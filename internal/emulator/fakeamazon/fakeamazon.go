// Package fakeamazon is the emulator's stand-in for Login with Amazon:
// OAuth 2.0 authorization with a consent page, the token endpoint, the
// profile and tokeninfo endpoints, and VerifyAccessToken, which is what a
// Cognito identity pool does with a `www.amazon.com` login (the Logins
// value is the access token; Cognito asks Amazon whose it is and for which
// app).
//
// HTTP surface, relative to the path prefix given to New (for example
// /_emulator/amazon/), with Amazon's paths
// (https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html):
//
//	GET  ap/oa?client_id&scope=profile&response_type=code&redirect_uri&state
//	     [&code_challenge&code_challenge_method=S256]   the consent page
//	POST ap/oa                      (the consent form) → redirect_uri?code&state
//	POST auth/o2/token              grant_type=authorization_code → {"access_token":"Atza|…",…}
//	GET  auth/o2/tokeninfo?access_token=T → {"iss","user_id","aud","app_id","exp","iat"}
//	GET  user/profile               Authorization: Bearer T → {"user_id","name","email","postal_code"}
//	POST tokens                     (test-only) {"client_id","user_id","name","email","postal_code"}
//	                                → {"access_token","token_type","expires_in"}
//
// Clients are registered with exact redirect URIs (others are refused
// before consent, as Amazon's "Allowed Return URLs"); codes are single-use,
// expire after CodeLifetime and are bound to the client, the redirect URI
// and the PKCE challenge; the client secret is compared in constant time; a
// client without a secret must use PKCE.
package fakeamazon

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
)

// Lifetimes, as Amazon's.
const (
	CodeLifetime  = 5 * time.Minute
	TokenLifetime = time.Hour
)

// Issuer is the iss tokeninfo reports.
const Issuer = "https://www.amazon.com"

// Profile is an Amazon customer profile, as user/profile returns it.
type Profile struct {
	// UserID is "amzn1.account.…". Required.
	UserID     string `json:"user_id"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// Client is a Login with Amazon security profile.
type Client struct {
	fakeoauth.Client
	// AppID is the application ID ("amzn1.application.…") that identity
	// pools are configured with for www.amazon.com. Required.
	AppID string
}

// TokenInfo is what VerifyAccessToken learns of a valid token.
type TokenInfo struct {
	Profile Profile
	// ClientID is the client the token was issued to (tokeninfo's aud).
	ClientID string
	// AppID is that client's application ID.
	AppID   string
	Issued  time.Time
	Expires time.Time
}

// Fake is the fake Login with Amazon. It is safe for concurrent use.
type Fake struct {
	prefix  string
	now     func() time.Time
	clients fakeoauth.Clients
	appsMu  sync.RWMutex
	apps    map[string]string // client ID → app ID
	codes   fakeoauth.Codes[Profile]
	tokens  fakeoauth.Tokens[TokenInfo]
}

// New returns a Fake serving under prefix (starting and ending with /).
// now and random may be nil (wall clock, crypto/rand).
func New(prefix string, now func() time.Time, random io.Reader) (*Fake, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, errors.New("fakeamazon: the prefix must start and end with /")
	}
	if now == nil {
		now = time.Now
	}
	if random == nil {
		random = rand.Reader
	}
	f := &Fake{prefix: prefix, now: now, apps: map[string]string{}}
	f.codes = fakeoauth.Codes[Profile]{Now: now, Rand: random, Prefix: "ANd"}
	f.tokens = fakeoauth.Tokens[TokenInfo]{Now: now, Rand: random, Prefix: "Atza|"}
	return f, nil
}

func (f *Fake) appID(clientID string) string {
	f.appsMu.RLock()
	defer f.appsMu.RUnlock()
	return f.apps[clientID]
}

// RegisterClient registers or replaces a security profile.
func (f *Fake) RegisterClient(c Client) error {
	if c.AppID == "" {
		return fmt.Errorf("%w: a client needs its application ID", fakeoauth.ErrInvalidRequest)
	}
	if err := f.clients.Register(c.Client); err != nil {
		return err
	}
	f.appsMu.Lock()
	f.apps[c.ID] = c.AppID
	f.appsMu.Unlock()
	return nil
}

// MintAccessToken returns an access token for user issued to clientID,
// as the token endpoint would: the Go helper tests use to get a user's
// www.amazon.com login.
func (f *Fake) MintAccessToken(clientID string, user Profile) (string, error) {
	if !f.clients.Known(clientID) {
		return "", fakeoauth.ErrInvalidClient
	}
	if user.UserID == "" {
		return "", fmt.Errorf("%w: the user ID is required", fakeoauth.ErrInvalidRequest)
	}
	now := f.now()
	return f.tokens.Issue(TokenInfo{Profile: user, ClientID: clientID, AppID: f.appID(clientID),
		Issued: now, Expires: now.Add(TokenLifetime)}, TokenLifetime)
}

// VerifyAccessToken returns whose token is and for which client and app,
// or an error wrapping fakeoauth.ErrInvalidToken for a token that is
// unknown or expired. An identity pool must also check that AppID is the
// one it is configured with for www.amazon.com.
func (f *Fake) VerifyAccessToken(token string) (TokenInfo, error) {
	info, _, err := f.tokens.Lookup(token)
	return info, err
}

// Authorize is the Go form of user consenting to clientID: a single-use
// code to exchange with redirectURI (and the PKCE verifier of challenge,
// which may be empty for a confidential client) within CodeLifetime.
func (f *Fake) Authorize(clientID, redirectURI, challenge string, user Profile) (string, error) {
	if err := f.clients.CheckRedirect(clientID, redirectURI); err != nil {
		return "", err
	}
	if user.UserID == "" {
		return "", fmt.Errorf("%w: the user ID is required", fakeoauth.ErrInvalidRequest)
	}
	if challenge == "" && f.clients.Public(clientID) {
		return "", fmt.Errorf("%w: a client without a secret must use PKCE", fakeoauth.ErrInvalidRequest)
	}
	return f.codes.Issue(fakeoauth.Grant[Profile]{ClientID: clientID, RedirectURI: redirectURI,
		CodeChallenge: challenge, Data: user}, CodeLifetime)
}

// Exchange is the Go form of the token endpoint.
func (f *Fake) Exchange(clientID, secret, redirectURI, code, verifier string) (string, error) {
	if err := f.clients.CheckSecret(clientID, secret); err != nil {
		return "", err
	}
	g, err := f.codes.Redeem(code, clientID, redirectURI, verifier)
	if err != nil {
		return "", err
	}
	return f.MintAccessToken(clientID, g.Data)
}

// ServeHTTP serves the fake's HTTP surface under its prefix.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path {
	case "ap/oa":
		f.serveAuthorize(w, r)
	case "auth/o2/token":
		f.serveToken(w, r)
	case "auth/o2/tokeninfo":
		info, err := f.VerifyAccessToken(r.URL.Query().Get("access_token"))
		if err != nil {
			fakeoauth.WriteError(w, err)
			return
		}
		fakeoauth.WriteJSON(w, http.StatusOK, map[string]any{"iss": Issuer, "user_id": info.Profile.UserID,
			"aud": info.ClientID, "app_id": info.AppID, "iat": info.Issued.Unix(),
			"exp": int(info.Expires.Sub(f.now()).Seconds())})
	case "tokens":
		f.serveMint(w, r)
	case "user/profile":
		info, err := f.VerifyAccessToken(fakeoauth.BearerToken(r))
		if err != nil {
			fakeoauth.WriteError(w, err)
			return
		}
		fakeoauth.WriteJSON(w, http.StatusOK, info.Profile)
	default:
		http.NotFound(w, r)
	}
}

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Login with Amazon (emulated)</title></head>
<body><h1>Login with Amazon</h1><p><b id="lwa-client">{{.ClientID}}</b> asks for: {{.Scope}}</p>
<p><small>This is the cognitokit emulator's fake Login with Amazon: type the account that signs in.</small></p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="response_type" value="code"><input type="hidden" name="scope" value="{{.Scope}}">
<input type="hidden" name="state" value="{{.State}}"><input type="hidden" name="code_challenge" value="{{.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.Method}}">
<label for="lwa-user-id">User ID</label><input id="lwa-user-id" name="user_id" value="amzn1.account.AEXAMPLE" required>
<label for="lwa-name">Name</label><input id="lwa-name" name="name" value="Ama Zon">
<label for="lwa-email">E-mail</label><input id="lwa-email" name="email" value="ama@example.com">
<label for="lwa-postal">Postal code</label><input id="lwa-postal" name="postal_code" value="98109">
<button id="lwa-allow" type="submit" name="action" value="allow">Allow</button>
<button id="lwa-deny" type="submit" name="action" value="deny">Cancel</button>
</form></body></html>`))

func (f *Fake) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := fakeoauth.ParseForm(w, r); err != nil || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		http.Error(w, "Bad request.", http.StatusBadRequest)
		return
	}
	q := r.Form
	clientID, redirect := q.Get("client_id"), q.Get("redirect_uri")
	if err := f.clients.CheckRedirect(clientID, redirect); err != nil {
		// Amazon shows its own error page; it never redirects to an unknown URL.
		http.Error(w, "An unknown client or a return URL that is not allowed for it.", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" {
			params.Set("state", st)
		}
		http.Redirect(w, r, fakeoauth.RedirectWith(redirect, params), http.StatusFound)
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case q.Get("scope") == "":
		back(url.Values{"error": {"invalid_scope"}})
		return
	case fakeoauth.CheckChallenge(challenge, method) != nil || (challenge == "" && f.clients.Public(clientID)):
		back(url.Values{"error": {"invalid_request"}})
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		_ = consentPage.Execute(w, map[string]string{"ClientID": clientID, "RedirectURI": redirect, "Scope": q.Get("scope"),
			"State": q.Get("state"), "Challenge": challenge, "Method": method, "Action": f.prefix + "ap/oa"})
		return
	}
	if q.Get("action") != "allow" {
		back(url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request."}})
		return
	}
	code, err := f.Authorize(clientID, redirect, challenge, Profile{UserID: strings.TrimSpace(q.Get("user_id")),
		Name: q.Get("name"), Email: q.Get("email"), PostalCode: q.Get("postal_code")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	back(url.Values{"code": {code}, "scope": {q.Get("scope")}})
}

func (f *Fake) serveToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := fakeoauth.TokenRequest(w, r)
	if !ok {
		return
	}
	tok, err := f.Exchange(id, secret, r.PostForm.Get("redirect_uri"), r.PostForm.Get("code"), r.PostForm.Get("code_verifier"))
	if err != nil {
		fakeoauth.WriteError(w, err)
		return
	}
	fakeoauth.WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": int(TokenLifetime.Seconds())})
}

// serveMint serves POST tokens, the HTTP form of MintAccessToken for tests
// in other languages.
func (f *Fake) serveMint(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID string `json:"client_id"`
		Profile
	}
	if !fakeoauth.DecodeJSONPost(w, r, &in, `{"client_id","user_id","name","email","postal_code"}`) {
		return
	}
	tok, err := f.MintAccessToken(in.ClientID, in.Profile)
	if err != nil {
		fakeoauth.WriteError(w, err)
		return
	}
	fakeoauth.WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": int(TokenLifetime.Seconds())})
}
