package main

import (
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/jwks"
	"github.com/cognitokit/cognitokit/sigv4client"
	"github.com/cognitokit/cognitokit/websession"
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
	// Providers are the identity providers the page offers a "Sign in
	// with …" button for (the app client's SupportedIdentityProviders
	// other than COGNITO); /login?identity_provider= accepts these only.
	Providers []string
}

// app is the web application: websession does the sign-in, the session
// and the sign-out; the app shows who is signed in and calls the API.
type app struct {
	cfg   settings
	ws    *websession.Manager
	store *websession.MemoryStore // the signed-in sessions' tokens
	ids   *cognitoidentity.Client
	// idStore keeps each user's identity ID, so that a call skips GetId.
	idStore *identity.MemoryStore
	log     *slog.Logger
	domain  string // the hosted UI's origin, for the CSP
	buttons []providerButton
	// users signs in through the API (passkeys, e-mailed codes) and
	// registers passkeys; pending holds USER_AUTH sign-ins between steps.
	users   *cognito.Client
	pending *pendingSignIns
}

func newApp(cfg settings, log *slog.Logger) (*app, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	ui, err := cognito.NewHostedUI(cfg.Domain, cfg.ClientID, cfg.BaseURL+"/callback", func(o *cognito.HostedUIOptions) {
		o.ClientSecret = cfg.ClientSecret
		// aws.cognito.signin.user.admin lets the access token register
		// passkeys (StartWebAuthnRegistration); the app client must allow it.
		o.Scopes = []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}
		o.Clock = cfg.Clock
	})
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
	store := websession.NewMemoryStore()
	ws, err := websession.New(websession.Config{HostedUI: ui, Verifier: v, Store: store,
		LogoutURI:         cfg.BaseURL + "/",
		IdentityProviders: cfg.Providers,
		InsecureCookies:   cfg.InsecureCookies,
		Logger:            log,
	})
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, ws: ws, store: store, ids: cognitoidentity.NewFromConfig(cfg.AWS), idStore: &identity.MemoryStore{},
		log: log, domain: ui.Domain(), buttons: providerButtons(cfg.Providers),
		users: cognito.New(cfg.AWS, cfg.UserPoolID, cfg.ClientID, func(o *cognito.Options) {
			o.ClientSecret = cfg.ClientSecret
		}),
		pending: newPendingSignIns(maxPendingSignIns, pendingSignInTTL, cfg.Clock)}, nil
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", a.ws.Optional(http.HandlerFunc(a.home)))
	mux.Handle("GET /login", a.ws.LoginHandler())
	mux.Handle("GET /callback", a.ws.CallbackHandler())
	mux.Handle("POST /call", a.ws.Require(http.HandlerFunc(a.call)))
	mux.Handle("POST /logout", a.ws.LogoutHandler())
	mux.Handle("POST /passkey/register/options", a.ws.Require(http.HandlerFunc(a.passkeyRegisterOptions)))
	mux.Handle("POST /passkey/register", a.ws.Require(http.HandlerFunc(a.passkeyRegister)))
	mux.HandleFunc("POST /signin/passkey/options", a.passkeySignInOptions)
	mux.HandleFunc("POST /signin/passkey", a.passkeySignIn)
	mux.HandleFunc("POST /signin/email", a.emailCodeStart)
	mux.HandleFunc("POST /signin/email/code", a.emailCode)
	return securityHeaders(sameOriginPosts(mux, a.cfg.BaseURL), a.domain)
}

// securityHeaders sets a strict CSP: the page's one inline script is
// allowed by its hash, and its fetches go to this origin only; forms may
// post here and be redirected to the hosted UI (sign-out).
func securityHeaders(h http.Handler, hostedUI string) http.Handler {
	csp := "default-src 'none'; script-src " + scriptCSP + "; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self' " + hostedUI + "; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", csp)
		h.ServeHTTP(w, r)
	})
}

// sameOriginPosts refuses a POST that a browser says came from another
// site. The session cookie is SameSite=Lax, so such a POST carries no
// session anyway; this check is a second line against cross-site request
// forgery, for browsers or proxies that get SameSite wrong.
func sameOriginPosts(h http.Handler, base string) http.Handler {
	origin := base
	if u, err := url.Parse(base); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// Sec-Fetch-Site when the browser sends it; else the Origin,
			// which is "null" under Referrer-Policy: no-referrer.
			site, o := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin")
			if (site != "" && site != "same-origin" && site != "none") || (site == "" && o != "" && o != "null" && o != origin) {
				http.Error(w, "cross-site request refused", http.StatusForbidden)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// call calls the IAM-protected API with the identity pool's credentials
// for the signed-in user — the user-pool ID token of the user's session
// (refreshed by websession) is the login — and shows the answer.
func (a *app) call(w http.ResponseWriter, r *http.Request) {
	s, _ := websession.Session(r.Context())
	claims, _ := jwks.ClaimsFromContext(r.Context())
	creds := identity.NewProvider(a.ids, a.cfg.IdentityPoolID, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin(a.cfg.Region, a.cfg.UserPoolID, s))
		o.Store, o.User = a.idStore, claims.Subject
	})
	hc := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region = a.cfg.Region
		t.Clock = a.cfg.Clock
	})
	hc.Timeout = 30 * time.Second
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, a.cfg.APIURL, strings.NewReader(`{"from":"webapp"}`))
	req.Header.Set("Content-Type", "application/json")
	var result string
	resp, err := hc.Do(req)
	if err != nil {
		a.log.Warn("webapp: API call failed", "err", err)
		result = "error: " + err.Error()
	} else {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		result = fmt.Sprintf("HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	a.render(w, r, result)
}

func (a *app) home(w http.ResponseWriter, r *http.Request) { a.render(w, r, "") }

type pageData struct {
	SignedIn                     bool
	Username, Email, Sub, Groups string
	APIResult                    string
	Providers                    []providerButton
	// Error is a failed sign-in's message; CodeForm asks for the code
	// e-mailed to CodeSentTo.
	Error      string
	CodeForm   bool
	CodeSentTo string
	Script     template.JS // passkeyScript
}

// providerButton is a "Sign in with …" link that skips Cognito's page.
type providerButton struct {
	Name  string // the identity provider's name in the user pool
	Label string // what the button says
	ID    string // the element ID: "sign-in-" + the name in lower case, letters and digits only
	Class string // the button's colour
}

// providerButtons makes the buttons of the providers names.
func providerButtons(names []string) []providerButton {
	out := make([]providerButton, 0, len(names))
	for _, n := range names {
		b := providerButton{Name: n, Label: n, Class: "plain"}
		switch n {
		case cognito.IdentityProviderFacebook:
			b.Class = "fb"
		case cognito.IdentityProviderGoogle:
			b.Class = "google"
		case "SignInWithApple":
			b.Label = "Apple"
		case "LoginWithAmazon":
			b.Label = "Amazon"
		}
		b.ID = "sign-in-" + strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				return r
			case r >= 'A' && r <= 'Z':
				return r + ('a' - 'A')
			}
			return -1
		}, n)
		out = append(out, b)
	}
	return out
}

// render shows the home page: who is signed in, if anyone, and the API's
// answer.
func (a *app) render(w http.ResponseWriter, r *http.Request, apiResult string) {
	a.renderPage(w, r, http.StatusOK, pageData{APIResult: apiResult})
}

// renderPage shows the page with d, adding the provider buttons and the
// signed-in user's claims.
func (a *app) renderPage(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	d.Providers, d.Script = a.buttons, template.JS(passkeyScript)
	if c, ok := jwks.ClaimsFromContext(r.Context()); ok {
		d.SignedIn, d.Username, d.Email, d.Sub, d.Groups = true, c.Username, c.Email, c.Subject, strings.Join(c.Groups, ", ")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

var pageTmpl = template.Must(template.New("home").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cognitokit web app</title>
<style>body{font-family:system-ui,sans-serif;max-width:640px;margin:40px auto;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:20px;margin-top:16px}
a.btn,button{display:inline-block;padding:10px 16px;border-radius:6px;border:0;font-size:15px;text-decoration:none;cursor:pointer;margin-right:8px}
.primary{background:#ec7211;color:#fff}.fb{background:#1877f2;color:#fff}.google{background:#4285f4;color:#fff}.plain{background:#e4e6eb;color:#222}
pre{background:#f5f5f5;padding:10px;border-radius:6px;white-space:pre-wrap;word-break:break-all}
dt{font-weight:600;margin-top:6px}</style></head>
<body><h1>cognitokit web app</h1>
{{if .SignedIn}}<div class="card">
<p>Signed in as <b id="who">{{.Username}}</b></p>
<dl><dt>E-mail</dt><dd id="email">{{.Email}}</dd><dt>sub</dt><dd id="sub">{{.Sub}}</dd>{{if .Groups}}<dt>Groups</dt><dd id="groups">{{.Groups}}</dd>{{end}}</dl>
<form method="post" action="/call" style="display:inline"><button class="primary" id="call-api" type="submit">Call the API</button></form>
<form method="post" action="/logout" style="display:inline"><button class="plain" id="sign-out" type="submit">Sign out</button></form>
<button class="plain" id="register-passkey" type="button">Register a passkey</button>
<p id="passkey-status" role="status"></p>
{{if .APIResult}}<h3>API answer</h3><pre id="api-result">{{.APIResult}}</pre>{{end}}
</div>
{{else if .CodeForm}}{{template "code" .}}
{{else}}<div class="card"><p id="signed-out">You are not signed in.</p>
{{if .Error}}<p id="signin-error" style="color:#b00">{{.Error}}</p>{{end}}
<a class="btn primary" id="sign-in" href="/login">Sign in</a>
{{range .Providers}}<a class="btn {{.Class}}" id="{{.ID}}" href="/login?identity_provider={{.Name}}">Sign in with {{.Label}}</a>
{{end}}
<form method="post" action="/signin/email" style="margin-top:16px"><label>Username <input id="pl-username" name="username" autocomplete="username webauthn" required></label>
<button class="primary" id="sign-in-passkey" type="button">Sign in with a passkey</button>
<button class="plain" id="email-code" type="submit">E-mail me a code</button></form>
<p id="passkey-status" role="status"></p></div>
{{end}}<script>{{.Script}}</script></body></html>`))
