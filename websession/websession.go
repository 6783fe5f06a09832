// Package websession gives a Go web service sign-in through Cognito's
// hosted UI in a few lines: login, callback and logout handlers, an opaque
// session cookie, the tokens kept server-side, and middleware that puts the
// verified claims of the signed-in user in the request context.
//
// For most services:
//
//	ws, err := websession.New(websession.Config{HostedUI: ui, Verifier: idVerifier})
//	mux.Handle("GET /login", ws.LoginHandler())        // ?return=/orders
//	mux.Handle("GET /callback", ws.CallbackHandler()) // the app client's callback URL
//	mux.Handle("POST /logout", ws.LogoutHandler())
//	mux.Handle("/orders", ws.Require(orders))          // jwks.ClaimsFromContext in orders
//
// What it does for you:
//
//   - The browser holds only a random session ID, in an HttpOnly,
//     SameSite=Lax cookie that is Secure (and named with the __Host- prefix)
//     unless the app runs on plain http on a loopback address. Cognito's
//     tokens, several kilobytes each, stay on the server in a Store (in
//     memory by default; bring your own for several instances), so requests
//     never grow past a proxy's header limit.
//   - Sign-in is the authorization-code flow with PKCE and a CSRF-safe
//     state (cognito.StateCodec) whose return destination must be
//     allow-listed. Nothing is stored on the server before a sign-in
//     succeeds: the PKCE verifier and the state's nonce travel in a
//     short-lived cookie sealed with AES-GCM, so anonymous floods of /login
//     cannot exhaust anything, and several tabs may sign in at once.
//   - Require and Optional verify the session's ID token (a jwks.Verifier
//     for ID tokens of the app client), refresh the tokens ahead of expiry
//     (once per session, whatever the number of concurrent requests) and
//     put the claims where jwks.ClaimsFromContext finds them, so
//     jwks.RequireGroups works behind them. Session returns the user's
//     cognito.Session for calls made on the user's behalf.
//   - Logout deletes the server-side session, revokes the refresh token and
//     ends the hosted UI's own session through Cognito's /logout.
//   - Establish turns tokens from a sign-in the app ran through Cognito's
//     API (a passkey or an e-mailed code with cognito.FlowUserAuth) into
//     the same kind of session, from a POST handler that refuses
//     cross-site requests.
package websession

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/jwks"
)

// Config configures a Manager. HostedUI and Verifier are required.
type Config struct {
	// HostedUI is the app client's hosted UI; its redirect URI is the URL
	// CallbackHandler is served at.
	HostedUI *cognito.HostedUI
	// Verifier verifies the ID tokens of the app client (jwks.Options with
	// TokenUse jwks.TokenUseID and the client ID).
	Verifier *jwks.Verifier
	// Store keeps the tokens of each session, keyed by session ID. Default:
	// NewMemoryStore().
	Store cognito.TokenStore
	// Key seals the sign-in cookies and signs the OAuth state: 32 random
	// bytes shared by every instance of the service. Default: random at
	// New, so a sign-in must finish on the instance (and process) that
	// started it.
	Key []byte
	// AllowedReturns are the destinations a sign-in may return to (see
	// cognito.StateOptions.AllowedDestinations). Default: "/", any path on
	// this site.
	AllowedReturns []string
	// DefaultReturn is where a sign-in without a return destination goes.
	// Default "/".
	DefaultReturn string
	// LoginPath is where Require sends a browser without a session. Default
	// "/login".
	LoginPath string
	// LogoutURI is the app client's sign-out URL Cognito returns the
	// browser to after logout; empty returns to DefaultReturn without
	// ending the hosted UI's session.
	LogoutURI string
	// Authorize holds extra authorize parameters (identity provider,
	// scopes, prompt).
	Authorize cognito.AuthorizeOptions
	// IdentityProviders are the identity providers a sign-in may go to
	// directly, skipping Cognito's page: LoginHandler honours
	// ?identity_provider=NAME for these names only (e.g.
	// cognito.IdentityProviderFacebook, "Google", a SAML provider's name),
	// so that one handler serves "Sign in with …" buttons. Any other name
	// is refused. Default: none.
	IdentityProviders []string
	// SessionTTL is how long a session lives without use before it must
	// sign in again; default 8 hours. A session never outlives its refresh
	// token.
	SessionTTL time.Duration
	// CookieName is the session cookie's name, default "session" (with the
	// __Host- prefix when Secure).
	CookieName string
	// InsecureCookies drops the Secure flag, for plain http on a
	// non-loopback address during development only. Plain http on a
	// loopback redirect URI drops it by itself.
	InsecureCookies bool
	// MaxLiveSessions bounds the sessions kept refreshed in memory (the
	// Store keeps them all). Default 10,000.
	MaxLiveSessions int
	// Logger receives failures the browser is not told in detail (never a
	// token). Default: slog's default logger.
	Logger *slog.Logger
}

// Manager is the web-session machinery of one app client. It is safe for
// concurrent use.
type Manager struct {
	cfg    Config
	ui     *cognito.HostedUI
	states *cognito.StateCodec
	seal   *sealer
	secure bool
	cookie string
	log    *slog.Logger

	mu   sync.Mutex
	live map[string]*liveSession
}

type liveSession struct {
	s        *cognito.Session
	lastUsed time.Time
}

// New returns a Manager for cfg.
func New(cfg Config) (*Manager, error) {
	if cfg.HostedUI == nil || cfg.Verifier == nil {
		return nil, errors.New("websession: Config.HostedUI and Config.Verifier are required")
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.Key == nil {
		cfg.Key = make([]byte, 32)
		if _, err := rand.Read(cfg.Key); err != nil {
			return nil, fmt.Errorf("websession: key: %w", err)
		}
	}
	if len(cfg.Key) < 32 {
		return nil, errors.New("websession: Config.Key must be at least 32 bytes")
	}
	if cfg.AllowedReturns == nil {
		cfg.AllowedReturns = []string{"/"}
	}
	if cfg.DefaultReturn == "" {
		cfg.DefaultReturn = "/"
	}
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/login"
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "session"
	}
	if cfg.MaxLiveSessions <= 0 {
		cfg.MaxLiveSessions = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	states, err := cognito.NewStateCodec(derive(cfg.Key, "state"), func(o *cognito.StateOptions) {
		o.AllowedDestinations = cfg.AllowedReturns
		o.MaxAge = pendingTTL
	})
	if err != nil {
		return nil, fmt.Errorf("websession: %w", err)
	}
	seal, err := newSealer(derive(cfg.Key, "seal"))
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, ui: cfg.HostedUI, states: states, seal: seal, log: cfg.Logger, live: map[string]*liveSession{}}
	m.secure = !cfg.InsecureCookies && !plainLoopback(cfg.HostedUI)
	m.cookie = cfg.CookieName
	if m.secure {
		m.cookie = "__Host-" + cfg.CookieName
	}
	return m, nil
}

// derive returns a key for one purpose from the configured key.
func derive(key []byte, purpose string) []byte {
	h := sha256.New()
	h.Write([]byte("cognitokit websession " + purpose + "\x00"))
	h.Write(key)
	return h.Sum(nil)
}

// plainLoopback reports whether the app's callback is plain http on a
// loopback host, where browsers refuse Secure cookies.
func plainLoopback(ui *cognito.HostedUI) bool {
	u, err := url.Parse(ui.RedirectURI())
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

const (
	pendingTTL    = 10 * time.Minute
	pendingPrefix = "login_"
)

// pending is what the sealed sign-in cookie holds.
type pending struct {
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
}

func (m *Manager) pendingName(state string) string {
	sum := sha256.Sum256([]byte(state))
	name := pendingPrefix + base64.RawURLEncoding.EncodeToString(sum[:8])
	if m.secure {
		return "__Host-" + name
	}
	return name
}

func (m *Manager) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// LoginHandler starts a sign-in: it redirects the browser to the hosted UI
// and returns it, signed in, to the request's "return" query parameter
// (which must be allow-listed; default DefaultReturn). An
// "identity_provider" query parameter naming one of
// Config.IdentityProviders goes straight to that provider.
func (m *Manager) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		dest := q.Get("return")
		if dest == "" {
			dest = m.cfg.DefaultReturn
		}
		if !m.states.Allowed(dest) {
			http.Error(w, "websession: return destination not allowed", http.StatusBadRequest)
			return
		}
		ao := m.cfg.Authorize
		if p := q.Get("identity_provider"); p != "" {
			if !slices.Contains(m.cfg.IdentityProviders, p) {
				http.Error(w, "websession: identity provider not allowed", http.StatusBadRequest)
				return
			}
			ao.IdentityProvider = p
		}
		state, nonce, err := m.states.New(dest)
		if err != nil {
			m.fail(w, "new state", err)
			return
		}
		pkce, err := cognito.NewPKCE()
		if err != nil {
			m.fail(w, "PKCE", err)
			return
		}
		sealed, err := m.seal.seal(pending{Nonce: nonce, Verifier: pkce.Verifier, Expires: time.Now().Add(pendingTTL).Unix()})
		if err != nil {
			m.fail(w, "seal", err)
			return
		}
		ao.State, ao.CodeChallenge = state, pkce.Challenge
		u, err := m.ui.AuthorizeURL(ao)
		if err != nil {
			m.fail(w, "authorize URL", err)
			return
		}
		m.setCookie(w, m.pendingName(state), sealed, pendingTTL)
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u, http.StatusFound)
	})
}

// CallbackHandler completes a sign-in at the app client's callback URL:
// it checks the state against this browser's sealed sign-in cookie,
// exchanges the code, verifies the ID token, stores the tokens under a new
// session ID and returns the browser where LoginHandler was asked to.
func (m *Manager) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		code, state, err := cognito.ParseCallback(r.URL.Query())
		if err != nil {
			var oe *cognito.OAuthError
			if errors.As(err, &oe) && oe.Code == "access_denied" {
				http.Redirect(w, r, m.cfg.DefaultReturn, http.StatusFound)
				return
			}
			http.Error(w, "websession: sign-in failed", http.StatusBadRequest)
			return
		}
		name := m.pendingName(state)
		c, err := r.Cookie(name)
		if err != nil {
			http.Error(w, "websession: this sign-in was not started in this browser (or took longer than 10 minutes)", http.StatusBadRequest)
			return
		}
		m.setCookie(w, name, "", -1) // single use, whatever happens next
		var p pending
		if err := m.seal.open(c.Value, &p); err != nil || time.Now().Unix() > p.Expires {
			http.Error(w, "websession: this sign-in was not started in this browser (or took longer than 10 minutes)", http.StatusBadRequest)
			return
		}
		dest, err := m.states.Verify(state, p.Nonce)
		if err != nil {
			http.Error(w, "websession: invalid sign-in state", http.StatusBadRequest)
			return
		}
		tokens, err := m.ui.Exchange(r.Context(), code, p.Verifier)
		if errors.Is(err, cognito.ErrInvalidGrant) {
			// A code used twice or too late: the browser's request is at
			// fault, not the hosted UI.
			http.Error(w, "websession: sign-in failed (the code was already used or has expired)", http.StatusBadRequest)
			return
		}
		if err != nil {
			m.fail(w, "code exchange", err)
			return
		}
		if _, err := m.cfg.Verifier.Verify(r.Context(), tokens.IDToken); err != nil {
			m.fail(w, "ID token", err)
			return
		}
		id, err := newSessionID()
		if err != nil {
			m.fail(w, "session ID", err)
			return
		}
		if err := m.cfg.Store.Save(r.Context(), id, tokens); err != nil {
			m.fail(w, "store", err)
			return
		}
		m.setCookie(w, m.cookie, id, m.cfg.SessionTTL)
		http.Redirect(w, r, dest, http.StatusFound)
	})
}

// ErrReturnNotAllowed is Establish's error for a return destination that
// is not among Config.AllowedReturns.
var ErrReturnNotAllowed = errors.New("websession: return destination not allowed")

// Establish starts a session with tokens the app obtained itself — from a
// sign-in through the API (cognito.Client.SignIn, e.g. a passkey or an
// e-mailed code with cognito.FlowUserAuth) rather than the hosted UI. It
// verifies the ID token with Config.Verifier, stores the tokens under a new
// session ID, replacing (and forgetting) any session the browser had, and
// sets the session cookie; it returns the destination to send the browser
// to: returnTo, which must be allow-listed (ErrReturnNotAllowed), or
// DefaultReturn when empty. Nothing is written to w on error.
//
// Call it only from a POST handler that refuses cross-site requests (by
// Sec-Fetch-Site or Origin) and that checked the user's proof itself: it
// signs the browser in as whoever the tokens belong to, so a handler
// reachable cross-site would let another site sign a visitor in to an
// account of its choosing (login CSRF).
func (m *Manager) Establish(w http.ResponseWriter, r *http.Request, tokens *cognito.Tokens, returnTo string) (string, error) {
	if tokens == nil || tokens.IDToken == "" {
		return "", fmt.Errorf("websession: Establish: %w", cognito.ErrNoStoredTokens)
	}
	if returnTo == "" {
		returnTo = m.cfg.DefaultReturn
	} else if !m.states.Allowed(returnTo) {
		return "", ErrReturnNotAllowed
	}
	if _, err := m.cfg.Verifier.Verify(r.Context(), tokens.IDToken); err != nil {
		return "", fmt.Errorf("websession: Establish: ID token: %w", err)
	}
	id, err := newSessionID()
	if err != nil {
		return "", fmt.Errorf("websession: Establish: session ID: %w", err)
	}
	if err := m.cfg.Store.Save(r.Context(), id, tokens); err != nil {
		return "", fmt.Errorf("websession: Establish: store: %w", err)
	}
	if old, ok := m.sessionID(r); ok {
		m.forget(r.Context(), old)
	}
	m.setCookie(w, m.cookie, id, m.cfg.SessionTTL)
	return returnTo, nil
}

// LogoutHandler signs the browser out: it deletes the session, revokes its
// refresh token, clears the cookie and sends the browser to Cognito's
// /logout (with LogoutURI) or to DefaultReturn. Serve it for POST: a
// cross-site form cannot carry the SameSite=Lax cookie, so no other site
// can sign users out.
func (m *Manager) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := m.sessionID(r); ok {
			if t, err := m.cfg.Store.Load(r.Context(), id); err == nil && t.RefreshToken != "" {
				if err := m.ui.Revoke(r.Context(), t.RefreshToken); err != nil {
					m.log.Warn("websession: revoke at logout failed", "err", err)
				}
			}
			m.forget(r.Context(), id)
		}
		m.setCookie(w, m.cookie, "", -1)
		to := m.cfg.DefaultReturn
		if m.cfg.LogoutURI != "" {
			to = m.ui.LogoutURL(m.cfg.LogoutURI)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// Require serves next only to signed-in browsers, with the claims of
// their ID token in the request context (jwks.ClaimsFromContext). Others
// are sent to LoginPath when they asked for a page with GET, and get 401
// otherwise.
func (m *Manager) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, ok := m.attach(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, m.cfg.LoginPath+"?"+url.Values{"return": {r.URL.RequestURI()}}.Encode(), http.StatusFound)
				return
			}
			http.Error(w, "websession: sign-in required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// Optional serves next to everyone, with the claims in the context when
// the browser is signed in.
func (m *Manager) Optional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, _ := m.attach(r)
		next.ServeHTTP(w, r2)
	})
}

type sessionKey struct{}

// Session returns the signed-in user's cognito.Session, inside Require or
// Optional, for calls made on the user's behalf (Session.Client, an
// identity-pool login with identity.UserPoolLogin).
func Session(ctx context.Context) (*cognito.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*cognito.Session)
	return s, ok
}

// attach returns r with the session's claims and Session in its context.
func (m *Manager) attach(r *http.Request) (*http.Request, bool) {
	id, ok := m.sessionID(r)
	if !ok {
		return r, false
	}
	ctx := r.Context()
	s, err := m.session(ctx, id)
	if err != nil {
		return r, false
	}
	t, err := s.Tokens(ctx)
	if err != nil {
		if errors.Is(err, cognito.ErrNotAuthorized) || errors.Is(err, cognito.ErrNoRefreshToken) || errors.Is(err, cognito.ErrInvalidGrant) {
			m.forget(ctx, id) // signed out elsewhere, or the refresh token expired
		}
		return r, false
	}
	claims, err := m.cfg.Verifier.Verify(ctx, t.IDToken)
	if err != nil {
		return r, false
	}
	ctx = jwks.WithClaims(ctx, claims)
	ctx = context.WithValue(ctx, sessionKey{}, s)
	return r.WithContext(ctx), true
}

func (m *Manager) sessionID(r *http.Request) (string, bool) {
	c, err := r.Cookie(m.cookie)
	if err != nil || len(c.Value) != sessionIDLen {
		return "", false
	}
	return c.Value, true
}

// session returns the live Session of id, restoring it from the Store.
func (m *Manager) session(ctx context.Context, id string) (*cognito.Session, error) {
	now := time.Now()
	m.mu.Lock()
	if l, ok := m.live[id]; ok {
		if now.Sub(l.lastUsed) <= m.cfg.SessionTTL {
			l.lastUsed = now
			m.mu.Unlock()
			return l.s, nil
		}
		delete(m.live, id)
		m.mu.Unlock()
		m.forget(ctx, id)
		return nil, cognito.ErrNoStoredTokens
	}
	m.mu.Unlock()
	s, err := m.ui.RestoreSession(ctx, m.cfg.Store, func(o *cognito.SessionOptions) {
		o.StoreKey = id
		o.OnStoreError = func(err error) { m.log.Warn("websession: saving refreshed tokens failed", "err", err) }
	})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.live[id]; ok { // restored concurrently: keep one
		return l.s, nil
	}
	if len(m.live) >= m.cfg.MaxLiveSessions {
		m.evictLocked(now)
	}
	m.live[id] = &liveSession{s: s, lastUsed: now}
	return s, nil
}

// evictLocked drops idle sessions, or the least recently used one, from
// memory (they stay in the Store).
func (m *Manager) evictLocked(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for id, l := range m.live {
		if now.Sub(l.lastUsed) > m.cfg.SessionTTL {
			delete(m.live, id)
			continue
		}
		if oldest == "" || l.lastUsed.Before(oldestAt) {
			oldest, oldestAt = id, l.lastUsed
		}
	}
	if len(m.live) >= m.cfg.MaxLiveSessions && oldest != "" {
		delete(m.live, oldest)
	}
}

func (m *Manager) forget(ctx context.Context, id string) {
	m.mu.Lock()
	delete(m.live, id)
	m.mu.Unlock()
	if err := m.cfg.Store.Delete(ctx, id); err != nil {
		m.log.Warn("websession: deleting a session failed", "err", err)
	}
}

func (m *Manager) fail(w http.ResponseWriter, what string, err error) {
	m.log.Error("websession: sign-in failed", "step", what, "err", err)
	http.Error(w, "websession: sign-in failed", http.StatusBadGateway)
}

const sessionIDLen = 43 // 32 random bytes, base64url

func newSessionID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// String describes the Manager without its key.
func (m *Manager) String() string {
	return "websession.Manager{Cookie: " + m.cookie + ", Secure: " + fmt.Sprint(m.secure) + ", Login: " + m.cfg.LoginPath + "}"
}

// GoString is String, so that %#v does not print the key either.
func (m *Manager) GoString() string { return m.String() }
