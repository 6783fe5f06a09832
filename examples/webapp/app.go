package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/jwks"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// settings are everything the app needs to know about its user pool,
// identity pool and API, whether emulated or real.
type settings struct {
	BaseURL        string // the app's public URL, e.g. http://127.0.0.1:8080
	Domain         string // hosted-UI domain
	Region         string
	UserPoolID     string
	ClientID       string
	ClientSecret   string
	IdentityPoolID string
	APIURL         string     // the IAM-protected route to call
	AWS            aws.Config // for cognito-identity (no credentials needed)
	Issuer         string     // iss of the pool's tokens; empty: Cognito's
	Clock          func() time.Time
	// InsecureCookies drops the Secure flag, for plain http on a
	// non-loopback address during development only.
	InsecureCookies bool
}

// Cookie names and lifetimes. The session cookie holds only a random ID;
// the login cookie holds a sealed pendingSignIn.
const (
	sessionCookie = "webapp_sid"
	loginCookie   = "webapp_login"
	pendingTTL    = 10 * time.Minute
	sessionTTL    = 8 * time.Hour
)

// session is what the server keeps for one signed-in browser.
type session struct {
	mu        sync.Mutex
	tokens    *cognito.Tokens
	username  string
	email     string
	sub       string
	groups    []string
	csrf      string
	creds     aws.CredentialsProvider
	apiResult string
	expires   time.Time
}

// app is the web application.
type app struct {
	cfg      settings
	ui       *cognito.HostedUI
	states   *cognito.StateCodec
	pending  *sealer
	verifier *jwks.Verifier
	ids      *cognitoidentity.Client
	logf     func(string, ...any)

	mu       sync.Mutex
	sessions map[string]*session // by SHA-256 of the session ID
}

func newApp(cfg settings, logf func(string, ...any)) (*app, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if logf == nil {
		logf = log.Printf
	}
	ui, err := cognito.NewHostedUI(cfg.Domain, cfg.ClientID, cfg.BaseURL+"/callback", func(o *cognito.HostedUIOptions) {
		o.ClientSecret = cfg.ClientSecret
		o.Scopes = []string{"openid", "email", "profile"}
		o.Clock = cfg.Clock
	})
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	states, err := cognito.NewStateCodec(key, func(o *cognito.StateOptions) {
		o.AllowedDestinations = []string{"/"}
		o.MaxAge = pendingTTL
		o.Clock = cfg.Clock
	})
	if err != nil {
		return nil, err
	}
	pending, err := newSealer(pendingTTL, cfg.Clock)
	if err != nil {
		return nil, err
	}
	pool := jwks.Pool{UserPoolID: cfg.UserPoolID}
	if cfg.Issuer != "" {
		pool.Issuers = []string{cfg.Issuer}
	}
	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{pool}, func(o *jwks.Options) {
		o.TokenUse = jwks.TokenUseID
		o.ClientIDs = []string{cfg.ClientID}
	})
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, ui: ui, states: states, pending: pending, verifier: v, ids: cognitoidentity.NewFromConfig(cfg.AWS),
		logf: logf, sessions: map[string]*session{}}, nil
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("POST /call", a.call)
	mux.HandleFunc("POST /logout", a.logout)
	return securityHeaders(mux, a.ui.Domain())
}

// securityHeaders sets a strict CSP; forms may post here and be
// redirected to the hosted UI (sign-out).
func securityHeaders(h http.Handler, hostedUI string) http.Handler {
	csp := "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + hostedUI + "; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", csp)
		h.ServeHTTP(w, r)
	})
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("webapp: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	s := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

func (a *app) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: !a.cfg.InsecureCookies,
		SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

// currentSession returns the browser's live session, if any.
func (a *app) currentSession(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.sessions[hashID(c.Value)]
	if s == nil || a.cfg.Clock().After(s.expires) {
		delete(a.sessions, hashID(c.Value))
		return nil
	}
	return s
}

// login starts a sign-in: PKCE and a signed state (with its CSRF nonce
// and the destination), the verifier and the nonce sealed in a short-lived
// cookie. Nothing is stored on the server until the callback succeeds.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	provider := r.URL.Query().Get("provider")
	switch provider {
	case "", cognito.IdentityProviderFacebook:
	default:
		http.Error(w, "unknown provider", http.StatusBadRequest)
		return
	}
	pkce, err := cognito.NewPKCE()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	state, nonce, err := a.states.New("/")
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	u, err := a.ui.AuthorizeURL(cognito.AuthorizeOptions{State: state, CodeChallenge: pkce.Challenge, IdentityProvider: provider})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	sealed, err := a.pending.seal(pendingSignIn{Verifier: pkce.Verifier, Nonce: nonce})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, a.cookie(loginCookie, sealed, pendingTTL))
	http.Redirect(w, r, u, http.StatusFound)
}

// callback finishes a sign-in: the sealed login cookie, the state against
// its nonce, the code exchange with its verifier, ID token verification, a
// new server-side session.
func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, a.cookie(loginCookie, "", -1))
	code, state, err := cognito.ParseCallback(r.URL.Query())
	if err != nil {
		a.fail(w, "The sign-in did not complete", err)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil {
		a.fail(w, "This sign-in was not started in this browser", cognito.ErrStateMismatch)
		return
	}
	p, err := a.pending.open(c.Value)
	if errors.Is(err, cognito.ErrStateExpired) {
		a.fail(w, "The sign-in expired", err)
		return
	}
	if err != nil {
		a.fail(w, "The sign-in could not be verified", err)
		return
	}
	dest, err := a.states.Verify(state, p.Nonce)
	if err != nil {
		a.fail(w, "The sign-in could not be verified", err)
		return
	}
	tokens, err := a.ui.Exchange(r.Context(), code, p.Verifier)
	if err != nil {
		a.fail(w, "The code exchange failed", err)
		return
	}
	claims, err := a.verifier.Verify(r.Context(), tokens.IDToken)
	if err != nil {
		a.fail(w, "The ID token did not verify", err)
		return
	}
	s := &session{tokens: tokens, username: claims.Username, email: claims.Email, sub: claims.Subject, groups: claims.Groups,
		csrf: randomID(), expires: a.cfg.Clock().Add(sessionTTL)}
	s.creds = aws.NewCredentialsCache(identity.NewProvider(a.ids, a.cfg.IdentityPoolID, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin(a.cfg.Region, a.cfg.UserPoolID, sessionTokens{a, s}))
	}), func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Minute })
	sid := randomID()
	now := a.cfg.Clock()
	a.mu.Lock()
	for k, old := range a.sessions {
		if now.After(old.expires) {
			delete(a.sessions, k)
		}
	}
	a.sessions[hashID(sid)] = s
	a.mu.Unlock()
	http.SetCookie(w, a.cookie(sessionCookie, sid, sessionTTL))
	a.logf("webapp: %s signed in", claims.Username)
	http.Redirect(w, r, dest, http.StatusFound)
}

// sessionTokens hands the identity provider a current ID token, refreshed
// through the token endpoint when it has expired.
type sessionTokens struct {
	a *app
	s *session
}

func (t sessionTokens) IDToken(ctx context.Context) (string, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.s.tokens.Expired(t.a.cfg.Clock().Add(time.Minute)) {
		fresh, err := t.a.ui.Refresh(ctx, t.s.tokens.RefreshToken)
		if err != nil {
			return "", err
		}
		t.s.tokens = fresh
	}
	return t.s.tokens.IDToken, nil
}

func (a *app) checkCSRF(s *session, r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(s.csrf), []byte(r.PostFormValue("csrf"))) == 1
}

// call calls the IAM-protected API with the identity pool's credentials
// for the signed-in user, and shows the answer on the home page.
func (a *app) call(w http.ResponseWriter, r *http.Request) {
	s := a.currentSession(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !a.checkCSRF(s, r) {
		http.Error(w, "bad CSRF token", http.StatusForbidden)
		return
	}
	hc := sigv4client.NewClient(s.creds, func(t *sigv4client.Transport) {
		t.Region = a.cfg.Region
		t.Clock = a.cfg.Clock
	})
	hc.Timeout = 30 * time.Second
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, a.cfg.APIURL, strings.NewReader(`{"from":"webapp"}`))
	req.Header.Set("Content-Type", "application/json")
	var result string
	resp, err := hc.Do(req)
	if err != nil {
		result = "error: " + err.Error()
	} else {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		result = fmt.Sprintf("HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	s.mu.Lock()
	s.apiResult = result
	s.mu.Unlock()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout revokes the refresh token, forgets the session and ends the
// hosted-UI session through /logout.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s := a.currentSession(r)
	if s != nil {
		if !a.checkCSRF(s, r) {
			http.Error(w, "bad CSRF token", http.StatusForbidden)
			return
		}
		s.mu.Lock()
		rt := s.tokens.RefreshToken
		s.mu.Unlock()
		if err := a.ui.Revoke(r.Context(), rt); err != nil {
			a.logf("webapp: revoke: %v", err)
		}
		if c, err := r.Cookie(sessionCookie); err == nil {
			a.mu.Lock()
			delete(a.sessions, hashID(c.Value))
			a.mu.Unlock()
		}
	}
	http.SetCookie(w, a.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, a.ui.LogoutURL(a.cfg.BaseURL+"/"), http.StatusSeeOther)
}

func (a *app) fail(w http.ResponseWriter, what string, err error) {
	a.logf("webapp: %s: %v", what, err)
	msg := what
	var oe *cognito.OAuthError
	switch {
	case errors.As(err, &oe):
		msg += " (" + oe.Code + ")"
	case errors.Is(err, cognito.ErrStateMismatch), errors.Is(err, cognito.ErrInvalidState), errors.Is(err, cognito.ErrStateExpired):
		msg += " (" + err.Error() + ")"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = pageTmpl.Execute(w, pageData{Error: msg})
}

type pageData struct {
	SignedIn                     bool
	Username, Email, Sub, Groups string
	CSRF, APIResult, Error       string
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	d := pageData{}
	if s := a.currentSession(r); s != nil {
		s.mu.Lock()
		d = pageData{SignedIn: true, Username: s.username, Email: s.email, Sub: s.sub, Groups: strings.Join(s.groups, ", "),
			CSRF: s.csrf, APIResult: s.apiResult}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, d)
}

var pageTmpl = template.Must(template.New("home").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cognitokit web app</title>
<style>body{font-family:system-ui,sans-serif;max-width:640px;margin:40px auto;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:20px;margin-top:16px}
a.btn,button{display:inline-block;padding:10px 16px;border-radius:6px;border:0;font-size:15px;text-decoration:none;cursor:pointer;margin-right:8px}
.primary{background:#ec7211;color:#fff}.fb{background:#1877f2;color:#fff}.plain{background:#e4e6eb;color:#222}
pre{background:#f5f5f5;padding:10px;border-radius:6px;white-space:pre-wrap;word-break:break-all}
.err{color:#b00020}dt{font-weight:600;margin-top:6px}</style></head>
<body><h1>cognitokit web app</h1>
{{if .Error}}<div class="card"><p class="err" id="error">{{.Error}}</p><a class="btn plain" href="/">Back</a></div>
{{else if .SignedIn}}<div class="card">
<p>Signed in as <b id="who">{{.Username}}</b></p>
<dl><dt>E-mail</dt><dd id="email">{{.Email}}</dd><dt>sub</dt><dd id="sub">{{.Sub}}</dd>{{if .Groups}}<dt>Groups</dt><dd id="groups">{{.Groups}}</dd>{{end}}</dl>
<form method="post" action="/call" style="display:inline"><input type="hidden" name="csrf" value="{{.CSRF}}"><button class="primary" id="call-api" type="submit">Call the API</button></form>
<form method="post" action="/logout" style="display:inline"><input type="hidden" name="csrf" value="{{.CSRF}}"><button class="plain" id="sign-out" type="submit">Sign out</button></form>
{{if .APIResult}}<h3>API answer</h3><pre id="api-result">{{.APIResult}}</pre>{{end}}
</div>
{{else}}<div class="card"><p id="signed-out">You are not signed in.</p>
<a class="btn primary" id="sign-in" href="/login">Sign in</a>
<a class="btn fb" id="sign-in-facebook" href="/login?provider=Facebook">Sign in with Facebook</a></div>
{{end}}</body></html>`))
