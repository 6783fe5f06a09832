package fakefb

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Errors of the OAuth dialog and code exchange.
var (
	// ErrInvalidCode reports an authorization code that is unknown, already
	// used, expired, or issued to another app or redirect_uri.
	ErrInvalidCode = errors.New("fakefb: invalid authorization code")
	// ErrInvalidSecret reports a wrong app secret for a declared app.
	ErrInvalidSecret = errors.New("fakefb: error validating client secret")
	// ErrInvalidRedirect reports a redirect_uri the app does not allow, or
	// one that is not an absolute http(s) URL.
	ErrInvalidRedirect = errors.New("fakefb: redirect_uri is not allowed for this app")
)

// PutApp declares an app: its secret (required at the code exchange) and,
// optionally, the only redirect URIs its dialog accepts (without them, the
// ones given to SetDefaultRedirectURIs).
func (f *Fake) PutApp(appID, secret string, redirectURIs ...string) error {
	if appID == "" || secret == "" {
		return errors.New("fakefb: app ID and secret are required")
	}
	f.mu.Lock()
	f.apps[appID] = App{ID: appID, SecretHash: hashToken(secret), RedirectURIs: append([]string(nil), redirectURIs...)}
	f.mu.Unlock()
	f.changed()
	return nil
}

// SetDefaultRedirectURIs sets the valid OAuth redirect URIs of every app
// that has none of its own (apps never declared, or declared by PutApp
// without a list), as a Facebook app's "Valid OAuth Redirect URIs". fn is
// called at each dialog, without the fake's lock held, so a host can
// derive the list from its current URL (the emulator returns its
// /oauth2/idpresponse). Without it such apps accept no redirect URI.
func (f *Fake) SetDefaultRedirectURIs(fn func() []string) {
	f.mu.Lock()
	f.defaultRedirects = fn
	f.mu.Unlock()
}

// checkRedirect reports whether app appID may send the user to
// redirectURI: an absolute http(s) URL, equal to one of the app's redirect
// URIs (or the default ones), as Facebook's strict mode requires.
func (f *Fake) checkRedirect(appID, redirectURI string) error {
	u, err := url.Parse(redirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return ErrInvalidRedirect
	}
	f.mu.Lock()
	allowed := f.apps[appID].RedirectURIs
	defaults := f.defaultRedirects
	f.mu.Unlock()
	if len(allowed) == 0 && defaults != nil {
		allowed = defaults()
	}
	for _, r := range allowed {
		if r == redirectURI {
			return nil
		}
	}
	return ErrInvalidRedirect
}

// Authorize is the Go form of a user consenting in the OAuth dialog: it
// returns a single-use authorization code for user in app appID, to be
// exchanged with the same redirectURI within CodeLifetime.
func (f *Fake) Authorize(appID, redirectURI string, user User) (string, error) {
	if appID == "" || user.ID == "" {
		return "", errors.New("fakefb: app ID and user ID are required")
	}
	if err := f.checkRedirect(appID, redirectURI); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	f.mu.Lock()
	if _, err := io.ReadFull(f.rand, b); err != nil {
		f.mu.Unlock()
		return "", fmt.Errorf("fakefb: reading randomness: %w", err)
	}
	code := "AQ" + hex.EncodeToString(b)
	now := f.now()
	for k, c := range f.codes {
		if now.After(c.Expires) {
			delete(f.codes, k)
		}
	}
	f.codes[hashToken(code)] = Code{AppID: appID, RedirectURI: redirectURI, User: user, Expires: now.Add(CodeLifetime).UTC()}
	f.mu.Unlock()
	f.changed()
	return code, nil
}

// Exchange trades an authorization code for a user access token, as
// GET /oauth/access_token does. The code is consumed whatever the outcome
// once it is found, so it can never be tried twice.
func (f *Fake) Exchange(appID, secret, redirectURI, code string) (token string, expiresIn time.Duration, err error) {
	f.mu.Lock()
	app, declared := f.apps[appID]
	if declared && subtle.ConstantTimeCompare([]byte(hashToken(secret)), []byte(app.SecretHash)) != 1 {
		f.mu.Unlock()
		return "", 0, ErrInvalidSecret
	}
	h := hashToken(code)
	c, ok := f.codes[h]
	if ok {
		delete(f.codes, h)
	}
	f.mu.Unlock()
	if ok {
		f.changed()
	}
	if !ok || c.AppID != appID || c.RedirectURI != redirectURI || !f.now().Before(c.Expires) {
		return "", 0, ErrInvalidCode
	}
	tok, err := f.Mint(appID, c.User, 0)
	if err != nil {
		return "", 0, err
	}
	return tok, DefaultTokenLifetime, nil
}

var dialogPage = template.Must(template.New("dialog").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in with Facebook (emulated)</title>
<style>body{font-family:Helvetica,Arial,sans-serif;background:#f0f2f5;margin:0}
.box{max-width:380px;margin:60px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.2);padding:24px}
h1{color:#1877f2;font-size:28px;margin:0 0 8px}label{display:block;margin-top:10px;font-size:14px}
input{width:100%;box-sizing:border-box;padding:8px;font-size:15px;border:1px solid #dddfe2;border-radius:6px}
button{margin-top:16px;padding:10px 16px;font-size:16px;border:0;border-radius:6px;cursor:pointer}
.ok{background:#1877f2;color:#fff}.no{background:#e4e6eb}</style></head>
<body><div class="box"><h1>facebook</h1>
<p>The app <b id="fb-app">{{.AppID}}</b> asks for your {{.Scope}}.</p>
<p><small>This is the cognitokit emulator's fake Facebook: type the account that signs in.</small></p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.AppID}}"><input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}"><input type="hidden" name="scope" value="{{.Scope}}">
<label for="fb-user-id">Facebook user ID</label><input id="fb-user-id" name="user_id" value="10001" required>
<label for="fb-name">Name</label><input id="fb-name" name="name" value="Fay Book">
<label for="fb-email">E-mail</label><input id="fb-email" name="email" value="fay@example.com">
<button class="ok" id="fb-continue" type="submit" name="action" value="allow">Continue</button>
<button class="no" id="fb-cancel" type="submit" name="action" value="deny">Cancel</button>
</form></div></body></html>`))

// serveDialog serves the OAuth Login dialog: GET shows the consent page,
// POST (the form) redirects back with a code or an access_denied error.
func (f *Fake) serveDialog(w http.ResponseWriter, r *http.Request) {
	var q url.Values
	switch r.Method {
	case http.MethodGet:
		q = r.URL.Query()
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			graphError(w, http.StatusBadRequest, "Malformed form.")
			return
		}
		q = r.PostForm
	default:
		graphError(w, http.StatusMethodNotAllowed, "Use GET or POST.")
		return
	}
	appID, redirect := q.Get("client_id"), q.Get("redirect_uri")
	if appID == "" {
		graphErrorCode(w, http.StatusBadRequest, 101, "Missing client_id parameter.")
		return
	}
	if err := f.checkRedirect(appID, redirect); err != nil {
		graphErrorCode(w, http.StatusBadRequest, 191, "URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's client OAuth settings.")
		return
	}
	if rt := q.Get("response_type"); rt != "" && rt != "code" {
		graphErrorCode(w, http.StatusBadRequest, 100, "Unsupported response_type: only code is emulated.")
		return
	}
	scope := q.Get("scope")
	if scope == "" {
		scope = "public_profile"
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		_ = dialogPage.Execute(w, map[string]string{"AppID": appID, "RedirectURI": redirect, "State": q.Get("state"),
			"Scope": scope, "Action": PathPrefix + "dialog/oauth"})
		return
	}
	back, _ := url.Parse(redirect)
	v := back.Query()
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	if q.Get("action") == "deny" {
		v.Set("error", "access_denied")
		v.Set("error_code", "200")
		v.Set("error_description", "Permissions error")
		v.Set("error_reason", "user_denied")
	} else {
		user := User{ID: strings.TrimSpace(q.Get("user_id")), Name: q.Get("name"), Email: q.Get("email")}
		code, err := f.Authorize(appID, redirect, user)
		if err != nil {
			graphErrorCode(w, http.StatusBadRequest, 100, strings.TrimPrefix(err.Error(), "fakefb: "))
			return
		}
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// serveAccessToken serves GET (or POST) /oauth/access_token.
func (f *Fake) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		graphError(w, http.StatusBadRequest, "Malformed request.")
		return
	}
	q := r.Form
	appID, code := q.Get("client_id"), q.Get("code")
	if appID == "" || code == "" {
		graphErrorCode(w, http.StatusBadRequest, 100, "Missing client_id or code parameter.")
		return
	}
	tok, exp, err := f.Exchange(appID, q.Get("client_secret"), q.Get("redirect_uri"), code)
	switch {
	case errors.Is(err, ErrInvalidSecret):
		graphErrorCode(w, http.StatusBadRequest, 1, "Error validating client secret.")
		return
	case err != nil:
		graphErrorCode(w, http.StatusBadRequest, 100, "Invalid verification code format, or the code has been used, has expired, or was issued for another redirect_uri.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int(exp.Seconds())})
}

func graphErrorCode(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code}})
}
