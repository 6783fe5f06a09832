package userpool

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// The hosted UI's HTTP endpoints, as Cognito's managed login serves them
// on https://{domain}.auth.{region}.amazoncognito.com:
//
//	GET  /oauth2/authorize     validate, then the login page, the identity provider, or (with a session) a code
//	GET  /login, POST /login   the sign-in page and its form (password, new password, MFA code)
//	GET  /oauth2/idpresponse   the identity provider's redirect back (POST: Apple's form_post)
//	POST /saml2/idpresponse    a SAML identity provider's Response (hostedui_federation.go)
//	POST /oauth2/token         authorization_code, refresh_token, client_credentials
//	GET  /oauth2/userInfo      the user's attributes for an access token
//	POST /oauth2/revoke        revoke a refresh token
//	GET  /logout               end the hosted-UI session, then redirect
//	GET  /error                the error page

func init() {
	registerPath("GET /oauth2/authorize", serveAuthorize)
	registerPath("GET /login", serveLoginPage)
	registerPath("POST /login", serveLoginForm)
	registerPath("GET /oauth2/idpresponse", serveIdPResponse)
	registerPath("/oauth2/token", serveToken)
	registerPath("/oauth2/userInfo", serveUserInfo)
	registerPath("/oauth2/revoke", serveRevoke)
	registerPath("GET /logout", serveLogout)
	registerPath("GET /error", serveErrorPage)
}

// oauthErr is an error of the hosted UI or an OAuth endpoint.
type oauthErr struct {
	Code, Description string
}

func oerr(code, desc string) *oauthErr { return &oauthErr{code, desc} }

// writeOAuthError answers an OAuth endpoint's error as Cognito does:
// JSON {"error": code[, "error_description"]}.
func writeOAuthError(w http.ResponseWriter, status int, e *oauthErr) {
	m := map[string]string{"error": e.Code}
	if e.Description != "" {
		m["error_description"] = e.Description
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="`+e.Code+`"`)
	}
	writeOAuthJSON(w, status, m)
}

func writeOAuthJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ---------------------------------------------------------------------------
// Pages.

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:"Amazon Ember",Helvetica,Arial,sans-serif;background:#fafafa;margin:0}
.modal{max-width:360px;margin:48px auto;background:#fff;border:1px solid #ddd;border-radius:4px;padding:24px 28px;box-shadow:0 1px 4px rgba(0,0,0,.1)}
h1{font-size:18px;color:#333;margin:0 0 4px}.sub{color:#888;font-size:12px;margin-bottom:16px}
label{display:block;font-size:14px;margin-top:12px;color:#333}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:14px;border:1px solid #ccc;border-radius:3px}
.btn{display:block;width:100%;margin-top:18px;padding:10px;font-size:15px;border:0;border-radius:3px;cursor:pointer;text-align:center;text-decoration:none}
.primary{background:#ec7211;color:#fff}.fb{background:#1877f2;color:#fff;margin-top:0}
.err{background:#fdecea;color:#b00020;padding:8px;border-radius:3px;font-size:14px;margin-bottom:8px}
.or{text-align:center;color:#999;font-size:12px;margin:14px 0}</style>{{if .CSS}}
<style>{{.CSS}}</style>{{end}}</head>
<body><div class="modal background-customizable">
{{if .Logo}}<div class="banner-customizable"><img class="logo-customizable" src="{{.Logo}}" alt="logo"></div>{{end}}
<h1>{{.Title}}</h1><div class="sub textDescription-customizable">cognitokit emulator · user pool {{.PoolID}}</div>
{{if .Error}}<div class="err errorMessage-customizable" id="loginErrorMessage" role="alert">{{.Error}}</div>{{end}}
{{if .Fatal}}<p id="errorCode">{{.Fatal}}</p>{{else}}
{{range .Providers}}<a class="btn fb idpButton-customizable" id="{{.ID}}" href="{{.URL}}">Continue with {{.Name}}</a><div class="or">or</div>{{end}}
<form method="post" action="{{.Action}}" id="{{.FormID}}">
<input type="hidden" name="_csrf" value="{{.CSRF}}">{{if .Flow}}<input type="hidden" name="_flow" value="{{.Flow}}">{{end}}
{{if eq .Step "login"}}
<label class="label-customizable" for="signInFormUsername">Username</label><input class="inputField-customizable" type="text" id="signInFormUsername" name="username" autocomplete="username" value="{{.Username}}" autofocus>
<label class="label-customizable" for="signInFormPassword">Password</label><input class="inputField-customizable" type="password" id="signInFormPassword" name="password" autocomplete="current-password">
<button class="btn primary submitButton-customizable" type="submit" id="signInSubmitButton" name="signInSubmitButton">Sign in</button>
{{else if eq .Step "new_password"}}
<p>Please enter a new password.</p>
<label for="newPassword">New password</label><input type="password" id="newPassword" name="new_password" autocomplete="new-password">
<label for="confirmPassword">Enter new password again</label><input type="password" id="confirmPassword" name="confirm_password" autocomplete="new-password">
{{range .Required}}<label for="attr-{{.}}">{{.}}</label><input type="text" id="attr-{{.}}" name="userAttributes.{{.}}">{{end}}
<button class="btn primary" type="submit" id="newPasswordSubmit">Send</button>
{{else if eq .Step "mfa"}}
<p>{{.Prompt}}</p>
<label for="mfaCode">Code</label><input type="text" id="mfaCode" name="mfa_code" inputmode="numeric" autocomplete="one-time-code" autofocus>
<button class="btn primary" type="submit" id="mfaSubmit">Sign in</button>
{{end}}
</form>{{end}}
</div></body></html>`))

type pageProvider struct{ ID, Name, URL string }

type pageData struct {
	Title, PoolID, Error, Fatal string
	Action, FormID, CSRF, Flow  string
	Step, Username, Prompt      string
	Required                    []string
	Providers                   []pageProvider
	// CSS and Logo are the pool's or client's UI customization
	// (uicustom.go).
	CSS  template.CSS
	Logo string
}

func renderPage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	// No form-action: the sign-in form's answer redirects to the app.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// renderError shows the error page without redirecting anywhere: used when
// the client or redirect URI cannot be trusted.
func renderError(w http.ResponseWriter, e *oauthErr) {
	msg := e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	renderPage(w, http.StatusBadRequest, pageData{Title: "An error was encountered with the requested page.", Fatal: msg})
}

func serveErrorPage(s *Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	renderError(w, oerr(orDefault(q.Get("error"), "unknown_error"), q.Get("error_description")))
}

// ---------------------------------------------------------------------------
// /oauth2/authorize.

// parseAuthorize validates an authorize request. A non-nil fatal error
// must be shown on the error page (no trusted redirect URI); a non-nil
// redirectable error goes back to the redirect URI.
func (s *Server) parseAuthorize(q url.Values) (p *pool, cl *client, req authRequest, fatal, redirectable *oauthErr) {
	id := q.Get("client_id")
	if id == "" {
		return nil, nil, req, oerr("invalid_request", "client_id is required"), nil
	}
	p, cl, err := s.clientByID(id)
	if err != nil {
		return nil, nil, req, oerr("invalid_request", "Invalid client_id"), nil
	}
	req = authRequest{ClientID: cl.ID, RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		CodeChallenge: q.Get("code_challenge"), ChallengeMethod: q.Get("code_challenge_method"),
		Nonce: q.Get("nonce"), IdP: q.Get("identity_provider")}
	if id := q.Get("idp_identifier"); req.IdP == "" && id != "" {
		idp := p.hosted().idpByIdentifier(id)
		if idp == nil {
			return p, cl, req, oerr("invalid_request", "idp_identifier "+id+" names no identity provider of the user pool"), nil
		}
		req.IdP = idp.Name
	}
	if req.RedirectURI == "" {
		req.RedirectURI = cl.DefaultRedirectURI
	}
	if req.RedirectURI == "" || !contains(cl.CallbackURLs, req.RedirectURI) {
		return p, cl, req, oerr("redirect_mismatch", "redirect_uri does not match a callback URL of the client"), nil
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		return p, cl, req, nil, oerr("invalid_request", "response_type is required")
	case rt != "code":
		return p, cl, req, nil, oerr("unsupported_response_type", "only response_type=code is emulated")
	}
	if !cl.OAuthEnabled || !contains(cl.AllowedOAuthFlows, "code") {
		return p, cl, req, nil, oerr("unauthorized_client", "the client is not allowed the code flow")
	}
	scope, err := checkScopes(p, cl, q.Get("scope"))
	if err != nil {
		return p, cl, req, nil, oerr("invalid_scope", err.Error())
	}
	req.Scope = scope
	if req.CodeChallenge != "" || req.ChallengeMethod != "" {
		if req.ChallengeMethod != "S256" {
			return p, cl, req, nil, oerr("invalid_request", "code_challenge_method must be S256")
		}
		if !challengeRe.MatchString(req.CodeChallenge) {
			return p, cl, req, nil, oerr("invalid_request", "code_challenge must be the base64url SHA-256 of the code_verifier")
		}
	}
	if len(req.State) > 2048 || len(req.Nonce) > 2048 {
		return p, cl, req, nil, oerr("invalid_request", "state or nonce too long")
	}
	if req.IdP != "" {
		if !contains(cl.SupportedIdPs, req.IdP) {
			return p, cl, req, nil, oerr("invalid_request", "identity_provider "+req.IdP+" is not enabled for the client")
		}
		if _, ok := p.hosted().IdPs[req.IdP]; !ok && req.IdP != "COGNITO" {
			return p, cl, req, nil, oerr("invalid_request", "identity_provider "+req.IdP+" is not configured in the user pool")
		}
	}
	return p, cl, req, nil, nil
}

// errorRedirect is where an OAuth error e of request req goes: its
// redirect URI with error, error_description and state.
func errorRedirect(req authRequest, e *oauthErr) string {
	return redirectWith(req.RedirectURI, url.Values{"error": {e.Code}, "error_description": {e.Description}, "state": {req.State}})
}

func redirectError(w http.ResponseWriter, r *http.Request, req authRequest, e *oauthErr) {
	http.Redirect(w, r, errorRedirect(req, e), http.StatusFound)
}

// authorizeOrRefuse is parseAuthorize for a handler holding s.mu: a
// refused request is answered (a fatal error on the error page, any other
// by redirect) after s.mu is released, and ok is false.
func (s *Server) authorizeOrRefuse(l *heldLock, w http.ResponseWriter, r *http.Request, q url.Values) (p *pool, cl *client, req authRequest, ok bool) {
	p, cl, req, fatal, rerr := s.parseAuthorize(q)
	if fatal != nil {
		l.unlock()
		renderError(w, fatal)
		return nil, nil, req, false
	}
	if rerr != nil {
		l.unlock()
		redirectError(w, r, req, rerr)
		return nil, nil, req, false
	}
	return p, cl, req, true
}

func sessionCookieName(poolID string) string { return "cognito-" + poolID }

// sessionFor returns the live hosted-UI session of the request, if any.
func (s *Server) sessionFor(p *pool, r *http.Request, now time.Time) (*uiSession, *user) {
	c, err := r.Cookie(sessionCookieName(p.ID))
	if err != nil || c.Value == "" {
		return nil, nil
	}
	h := p.hosted()
	sess, ok := h.Sessions[hashToken(c.Value)]
	if !ok || now.After(sess.Expires) {
		return nil, nil
	}
	u := p.sameUser(sess.Username, sess.Sub)
	if u == nil || !u.Enabled {
		return nil, nil
	}
	return sess, u
}

func serveAuthorize(s *Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := s.lock()
	defer l.release()
	s.hookPanic("authorize")
	now := s.now()
	p, _, req, ok := s.authorizeOrRefuse(l, w, r, q)
	if !ok {
		return
	}
	h := p.hosted()
	h.prune(now)
	if req.IdP != "" && req.IdP != "COGNITO" && h.IdPs[req.IdP].Type != typeFacebook {
		s.startProviderFlow(l, w, r, p, h.IdPs[req.IdP], req, now)
		return
	}
	if req.IdP != "" && req.IdP != "COGNITO" {
		idp := h.IdPs[req.IdP]
		flowID := b64(s.randBytes(32))
		h.Flows[hashToken(flowID)] = &uiFlow{Req: req, Step: flowIdP, Expires: now.Add(hostedFlowLifetime)}
		base := s.urlLocked()
		_ = l.save()
		v := url.Values{"client_id": {idp.AppID}, "redirect_uri": {base + "/oauth2/idpresponse"}, "state": {flowID},
			"scope": {idp.AuthorizeScopes}, "response_type": {"code"}}
		http.Redirect(w, r, base+"/_emulator/facebook/dialog/oauth?"+v.Encode(), http.StatusFound)
		return
	}
	if sess, u := s.sessionFor(p, r, now); sess != nil && q.Get("prompt") != "login" {
		loc := s.newCodeLocked(p, req, u, now)
		_ = l.save()
		http.Redirect(w, r, loc, http.StatusFound)
		return
	}
	l.unlock()
	http.Redirect(w, r, "/login?"+r.URL.RawQuery, http.StatusFound)
}

// newCodeLocked stores an authorization code for u and returns the
// redirect to the client with code and state.
func (s *Server) newCodeLocked(p *pool, req authRequest, u *user, now time.Time) string {
	code := s.uuid()
	p.hosted().Codes[hashToken(code)] = &authCode{Req: req, Username: u.Username, Sub: u.Sub, Expires: now.Add(AuthCodeLifetime)}
	return redirectWith(req.RedirectURI, url.Values{"code": {code}, "state": {req.State}})
}

// ---------------------------------------------------------------------------
// /login.

const csrfCookie = "XSRF-TOKEN"

// csrfToken returns the request's CSRF cookie value, setting a new one
// when there is none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	l := s.lock()
	defer l.release()
	v := b64(s.randBytes(32))
	l.unlock()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return v
}

func (s *Server) loginPage(p *pool, cl *client, r *http.Request, csrf string) pageData {
	d := pageData{Title: "Sign in with your username and password", PoolID: p.ID, Action: "/login?" + r.URL.RawQuery,
		FormID: "signInForm", CSRF: csrf, Step: "login"}
	d.CSS, d.Logo = p.hostedUIStyle(cl.ID)
	q := r.URL.Query()
	if q.Get("identity_provider") == "" {
		names := make([]string, 0)
		for _, n := range cl.SupportedIdPs {
			if _, ok := p.hosted().IdPs[n]; ok {
				names = append(names, n)
			}
		}
		for _, n := range names {
			v := url.Values{}
			for k, x := range q {
				v[k] = x
			}
			v.Set("identity_provider", n)
			d.Providers = append(d.Providers, pageProvider{ID: strings.ToLower(n) + "-button", Name: n, URL: "/oauth2/authorize?" + v.Encode()})
		}
		if !contains(cl.SupportedIdPs, "COGNITO") {
			d.Step = "none"
		}
	}
	return d
}

func serveLoginPage(s *Server, w http.ResponseWriter, r *http.Request) {
	csrf := s.csrfToken(w, r)
	l := s.lock()
	defer l.release()
	p, cl, _, fatal, rerr := s.parseAuthorize(r.URL.Query())
	if fatal == nil && rerr == nil {
		d := s.loginPage(p, cl, r, csrf)
		l.unlock()
		renderPage(w, http.StatusOK, d)
		return
	}
	l.unlock()
	if fatal == nil {
		fatal = rerr
	}
	renderError(w, fatal)
}

// loginOutcome is what a POST /login step decided, acted on after s.mu is
// released.
type loginOutcome struct {
	page     *pageData // show this page
	status   int
	redirect string          // or redirect here
	trigger  *TriggerEvent   // after running this trigger
	postAuth *hostedPostAuth // and, for a PostAuthentication trigger, this function
	finish   *finishInfo     // then issue a code
}

type finishInfo struct {
	poolID, username, sub, provider string
	req                             authRequest
}

func serveLoginForm(s *Server, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderError(w, oerr("invalid_request", "malformed form"))
		return
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 32 || !ctEqual(c.Value, r.PostForm.Get("_csrf")) {
		renderPage(w, http.StatusForbidden, pageData{Title: "An error was encountered with the requested page.", Fatal: "invalid_request: CSRF token missing or wrong; reload the sign-in page"})
		return
	}
	l := s.lock()
	defer l.release()
	s.hookPanic("login")
	out := s.loginStep(r, c.Value)
	if err := l.save(); err != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	s.act(w, r, out)
}

// act carries out a loginOutcome (s.mu not held).
func (s *Server) act(w http.ResponseWriter, r *http.Request, out loginOutcome) {
	switch {
	case out.page != nil:
		renderPage(w, out.status, *out.page)
		return
	case out.redirect != "":
		http.Redirect(w, r, out.redirect, http.StatusFound)
		return
	}
	f := out.finish
	if out.trigger != nil && out.trigger.TriggerSource == TriggerPostAuthentication {
		if err := out.postAuth.run(r.Context(), s); err != nil {
			redirectError(w, r, f.req, oerr("invalid_request", apiMessage(err)))
			return
		}
	}
	if out.trigger != nil {
		if err := s.runTrigger(r, out.trigger); err != nil {
			redirectError(w, r, f.req, oerr("invalid_request", hostedTriggerMessage(out.trigger, err)))
			return
		}
	}
	l := s.lock()
	defer l.release()
	now := s.now()
	p, ok := s.st.Pools[f.poolID]
	var u *user
	if ok {
		u = p.sameUser(f.username, f.sub)
	}
	if u == nil || !u.Enabled {
		l.unlock()
		redirectError(w, r, f.req, oerr("access_denied", "User is disabled or no longer exists."))
		return
	}
	if f.provider == "COGNITO" {
		s.recordEvent(p, u, &call{r: r, now: now}, eventSignIn, eventPass, passwordOK)
	}
	sid := b64(s.randBytes(32))
	p.hosted().Sessions[hashToken(sid)] = &uiSession{Username: u.Username, Sub: u.Sub, Provider: f.provider, Expires: now.Add(HostedSessionLifetime)}
	loc := s.newCodeLocked(p, f.req, u, now)
	if err := l.save(); err != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName(f.poolID), Value: sid, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(HostedSessionLifetime / time.Second)})
	http.Redirect(w, r, loc, http.StatusFound)
}

func (s *Server) runTrigger(r *http.Request, ev *TriggerEvent) error {
	if ev.TriggerSource == TriggerPostConfirmation {
		return s.federatedPostConfirmation(r, ev)
	}
	t := s.triggers()
	if t == nil {
		return nil
	}
	fn := t.PostAuthentication
	if fn == nil {
		return nil
	}
	return fn(r.Context(), *ev)
}

// loginStep runs one POST /login step with s.mu held.
func (s *Server) loginStep(r *http.Request, csrf string) loginOutcome {
	now := s.now()
	p, cl, req, fatal, rerr := s.parseAuthorize(r.URL.Query())
	if fatal != nil {
		d := pageData{Title: "An error was encountered with the requested page.", Fatal: fatal.Code + ": " + fatal.Description}
		return loginOutcome{page: &d, status: http.StatusBadRequest}
	}
	if rerr != nil {
		return loginOutcome{redirect: errorRedirect(req, rerr)}
	}
	h := p.hosted()
	h.prune(now)
	page := s.loginPage(p, cl, r, csrf)
	fail := func(msg string) loginOutcome {
		page.Error = msg
		return loginOutcome{page: &page, status: http.StatusOK}
	}
	form := r.PostForm
	var u *user
	var flow *uiFlow
	if id := form.Get("_flow"); id != "" {
		flow = h.Flows[hashToken(id)]
		if flow == nil || now.After(flow.Expires) || flow.Req.ClientID != cl.ID || flow.Step == flowIdP {
			return fail("Your session has expired. Please sign in again.")
		}
		if u = p.sameUser(flow.Username, flow.Sub); u == nil {
			return fail("Your session has expired. Please sign in again.")
		}
		page.Flow = id
	} else {
		if !contains(cl.SupportedIdPs, "COGNITO") {
			return fail("Sign-in with a username and password is not enabled for this app client.")
		}
		name, pw := strings.TrimSpace(form.Get("username")), form.Get("password")
		page.Username = name
		if name == "" || pw == "" {
			return fail("Username and password are required.")
		}
		u = p.findUser(name)
		if err := s.preAuthentication(&call{r: r, now: now}, p, cl, u, name, nil); err != nil {
			return fail(apiMessage(err))
		}
		if u != nil {
			u = p.sameUser(u.Username, u.Sub) // looked up again after the trigger
		}
		if u == nil {
			var err error
			if u, err = s.migrateOnSignIn(&call{r: r, now: now}, p, cl, name, pw, nil, now); err != nil {
				return fail(apiMessage(err))
			}
		}
		// As the API flows: a RESET_REQUIRED user is told so whatever the
		// password, and no failure is counted.
		if err := resetRequired(u); err != nil {
			return fail(apiMessage(err))
		}
		if err := s.checkLockout(u, now); err != nil {
			return fail(apiMessage(err))
		}
		if !passwordMatches(p, u, pw) {
			s.noteFailure(u, now)
			s.recordEvent(p, u, &call{r: r, now: now}, eventSignIn, eventFail, passwordFail)
			return fail(apiMessage(errIncorrectPassword))
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		if err := userCanSignIn(u); err != nil {
			return fail(apiMessage(err))
		}
		if u.Status == statusForceChange {
			if !u.TempUntil.IsZero() && now.After(u.TempUntil) {
				return fail("Temporary password has expired and must be reset by an administrator.")
			}
			flow = &uiFlow{Req: req, Step: flowNewPassword, Username: u.Username, Sub: u.Sub, Expires: now.Add(hostedFlowLifetime)}
			return s.showFlow(p, u, flow, page, "")
		}
		flow = &uiFlow{Req: req, Username: u.Username, Sub: u.Sub, Expires: now.Add(hostedFlowLifetime)}
		return s.afterHostedPassword(p, u, flow, page, now)
	}

	if !u.Enabled {
		return fail(apiMessage(errUserDisabled))
	}
	switch flow.Step {
	case flowNewPassword:
		pw := form.Get("new_password")
		if pw == "" || pw != form.Get("confirm_password") {
			return s.showFlow(p, u, flow, page, "Passwords do not match or are empty.")
		}
		if err := validatePassword(p.Policy, pw); err != nil {
			return s.showFlow(p, u, flow, page, err.Message)
		}
		var attrs []attributeType
		for k, v := range form {
			if n, ok := cutPrefix(k, "userAttributes."); ok && len(v) > 0 && v[0] != "" {
				val := v[0]
				attrs = append(attrs, attributeType{Name: n, Value: &val})
			}
		}
		am, err := checkAttrs(p, attrs, false)
		if err != nil {
			return s.showFlow(p, u, flow, page, apiMessage(err))
		}
		for _, req := range p.requiredAttrs() {
			if u.Attrs[req] == "" && am[req] == "" {
				return s.showFlow(p, u, flow, page, "Missing required attribute "+req)
			}
		}
		if _, err := s.changeAttributes(&trigCall{clientID: cl.ID}, p, u, am, false, now); err != nil {
			return s.showFlow(p, u, flow, page, apiMessage(err))
		}
		if err := s.setPassword(p, u, pw); err != nil {
			return fail(apiMessage(err))
		}
		u.Status, u.TempUntil, u.Modified = statusConfirmed, time.Time{}, now
		delete(h.Flows, hashToken(page.Flow))
		return s.afterHostedPassword(p, u, flow, page, now)
	case flowMFA:
		code := strings.TrimSpace(form.Get("mfa_code"))
		ok := false
		if flow.MFAKind == "SOFTWARE_TOKEN_MFA" {
			ok = s.checkTOTP(u, u.TOTPSecret, code, now)
		} else {
			ok = code != "" && ctEqual(flow.Code, code)
		}
		if !ok {
			flow.Failures++
			if flow.Failures >= maxChallengeFailures {
				delete(h.Flows, hashToken(page.Flow))
				page.Flow = ""
				return fail("Too many invalid codes. Please sign in again.")
			}
			return s.showFlow(p, u, flow, page, apiMessage(errCodeMismatch))
		}
		delete(h.Flows, hashToken(page.Flow))
		return s.hostedDone(p, cl, u, flow.Req, "COGNITO")
	}
	return fail("Your session has expired. Please sign in again.")
}

// afterHostedPassword runs MFA, then finishes.
func (s *Server) afterHostedPassword(p *pool, u *user, flow *uiFlow, page pageData, now time.Time) loginOutcome {
	cl := p.Clients[flow.Req.ClientID]
	if p.MFA == "OFF" {
		return s.hostedDone(p, cl, u, flow.Req, "COGNITO")
	}
	methods := mfaMethods(u)
	kind := ""
	switch {
	case len(methods) > 0 && u.PreferredMFA != "" && contains(methods, u.PreferredMFA):
		kind = u.PreferredMFA
	case len(methods) > 0:
		kind = methods[0]
	case p.MFA == "OPTIONAL":
		return s.hostedDone(p, cl, u, flow.Req, "COGNITO")
	case u.Attrs["phone_number"] != "":
		kind = "SMS_MFA"
	default:
		page.Error = "This account must set up multi-factor authentication; MFA setup is not emulated in the hosted UI (use AssociateSoftwareToken first)."
		return loginOutcome{page: &page, status: http.StatusOK}
	}
	flow.Step, flow.MFAKind, flow.Failures = flowMFA, kind, 0
	if kind == "SMS_MFA" || kind == "EMAIL_OTP" {
		attr := "phone_number"
		if kind == "EMAIL_OTP" {
			attr = "email"
		}
		flow.Code = s.digits(6)
		if _, err := s.sendMFACode(p, cl, u, attr, KindMFA, flow.Code, nil, now); err != nil {
			page.Error = apiMessage(err)
			return loginOutcome{page: &page, status: http.StatusOK}
		}
	}
	return s.showFlow(p, u, flow, page, "")
}

// showFlow stores flow under a fresh ID when it has none and shows its
// form.
func (s *Server) showFlow(p *pool, u *user, flow *uiFlow, page pageData, errMsg string) loginOutcome {
	h := p.hosted()
	if page.Flow == "" || h.Flows[hashToken(page.Flow)] != flow {
		if page.Flow != "" {
			delete(h.Flows, hashToken(page.Flow))
		}
		page.Flow = b64(s.randBytes(32))
		h.Flows[hashToken(page.Flow)] = flow
	}
	page.Providers, page.Error = nil, errMsg
	switch flow.Step {
	case flowNewPassword:
		page.Title, page.Step, page.FormID = "Change Password", "new_password", "newPasswordForm"
		for _, r := range p.requiredAttrs() {
			if u.Attrs[r] == "" {
				page.Required = append(page.Required, r)
			}
		}
	case flowMFA:
		page.Title, page.Step, page.FormID = "Multi-factor authentication", "mfa", "mfaForm"
		switch flow.MFAKind {
		case "SOFTWARE_TOKEN_MFA":
			page.Prompt = "Enter the code from your authenticator app."
		case "EMAIL_OTP":
			page.Prompt = "We have sent a code by e-mail to " + maskEmail(u.Attrs["email"]) + "."
		default:
			page.Prompt = "We have sent a code by SMS to " + maskPhone(u.Attrs["phone_number"]) + "."
		}
	}
	return loginOutcome{page: &page, status: http.StatusOK}
}

func (s *Server) hostedDone(p *pool, cl *client, u *user, req authRequest, provider string) loginOutcome {
	ev := &TriggerEvent{TriggerSource: TriggerPostAuthentication, UserPoolID: p.ID, ClientID: cl.ID, Username: u.Username,
		Attributes: copyAttrs(u.Attrs), Provider: provider}
	pa := &hostedPostAuth{}
	pa.arn, pa.ev = s.postAuthEvent(nil, p, cl, u, false, nil)
	return loginOutcome{trigger: ev, postAuth: pa, finish: &finishInfo{poolID: p.ID, username: u.Username, sub: u.Sub, provider: provider, req: req}}
}

// ---------------------------------------------------------------------------
// /oauth2/idpresponse.

func serveIdPResponse(s *Server, w http.ResponseWriter, r *http.Request) {
	// GET: the provider's redirect; POST: Sign in with Apple's form_post.
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderError(w, oerr("invalid_request", "malformed request"))
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	st := q.Get("state")
	if st == "" {
		renderError(w, oerr("invalid_request", "state is required"))
		return
	}
	l := s.lock()
	defer l.release()
	now := s.now()
	p, flow, idp, cl, e := s.takeIdPFlow(st, now)
	base := s.urlLocked()
	if serr := l.save(); serr != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	if e != nil {
		renderError(w, e)
		return
	}
	if e := q.Get("error"); e != "" {
		redirectError(w, r, flow.Req, oerr(e, orDefault(q.Get("error_description"), "the identity provider refused the sign-in")))
		return
	}
	if idp.Type == typeSAML || (r.Method == http.MethodPost && idp.Type != typeApple) {
		redirectError(w, r, flow.Req, oerr("invalid_request", "unexpected response for identity provider "+idp.Name))
		return
	}
	// The code exchange and profile read, as Cognito makes them to the
	// provider (the fake's lock, never with s.mu held).
	idpCopy, redirect := *idp, base+"/oauth2/idpresponse"
	var ext externalUser
	var err error
	switch {
	case idp.Type == typeFacebook:
		var fb SocialUser
		if fb, err = s.social.ExchangeCode(idp.AppID, idp.AppSecret, redirect, q.Get("code")); err == nil {
			ext = externalUser{Subject: fb.ID, Claims: map[string]any{"id": fb.ID, "name": fb.Name, "email": fb.Email}}
		}
	case idp.Type == typeAmazon:
		ext, err = s.exchangeAmazon(&idpCopy, *flow, redirect, q.Get("code"))
	default:
		ext, err = s.exchangeOIDC(&idpCopy, *flow, redirect, q.Get("code"), q.Get("user"))
	}
	if errors.Is(err, ErrProfileUnreadable) {
		redirectError(w, r, flow.Req, oerr("invalid_request", "could not read the "+idp.Name+" profile"))
		return
	}
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "fakefb: "), "userpool: ")
		redirectError(w, r, flow.Req, oerr("invalid_request", "Error exchanging the code with "+idp.Name+": "+msg))
		return
	}
	if ext.Subject == "" {
		redirectError(w, r, flow.Req, oerr("invalid_request", idp.Name+" did not say who signed in"))
		return
	}
	l.relock()
	s.finishFederated(l, w, r, p.ID, cl.ID, &idpCopy, *flow, ext)
}

// ---------------------------------------------------------------------------
// /oauth2/token.

// oauthClient authenticates the client of a token or revoke request:
// HTTP Basic, or client_id (and client_secret) in the form.
func (s *Server) oauthClient(r *http.Request) (*pool, *client, *oauthErr) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if f := r.PostForm.Get("client_id"); f != "" && f != id {
			return nil, nil, oerr("invalid_client", "client_id does not match the Authorization header")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return nil, nil, oerr("invalid_client", "client authentication required")
	}
	p, cl, err := s.clientByID(id)
	if err != nil {
		return nil, nil, oerr("invalid_client", "")
	}
	if cl.Secret != "" {
		if !matchSecret(cl, secret) {
			return nil, nil, oerr("invalid_client", "")
		}
	} else if secret != "" {
		return nil, nil, oerr("invalid_client", "the client has no secret")
	}
	return p, cl, nil
}

func parseOAuthForm(w http.ResponseWriter, r *http.Request) *oauthErr {
	if r.Method != http.MethodPost {
		return oerr("invalid_request", "use POST")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return oerr("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return oerr("invalid_request", "malformed form body")
	}
	return nil
}

func serveToken(s *Server, w http.ResponseWriter, r *http.Request) {
	if e := parseOAuthForm(w, r); e != nil {
		status := http.StatusBadRequest
		if r.Method != http.MethodPost {
			status = http.StatusMethodNotAllowed
		}
		writeOAuthError(w, status, e)
		return
	}
	l := s.lock()
	defer l.release()
	s.hookPanic("oauth2/token")
	out, e := s.tokenGrant(r)
	if err := l.save(); err != nil {
		writeOAuthError(w, http.StatusInternalServerError, oerr("server_error", ""))
		return
	}
	if e != nil {
		writeOAuthError(w, http.StatusBadRequest, e)
		return
	}
	writeOAuthJSON(w, http.StatusOK, out)
}

func (s *Server) tokenGrant(r *http.Request) (map[string]any, *oauthErr) {
	now := s.now()
	f := r.PostForm
	gt := f.Get("grant_type")
	if gt == "" {
		return nil, oerr("invalid_request", "grant_type is required")
	}
	p, cl, e := s.oauthClient(r)
	if e != nil {
		return nil, e
	}
	h := p.hosted()
	h.prune(now)
	switch gt {
	case "authorization_code":
		code := f.Get("code")
		if code == "" || f.Get("redirect_uri") == "" {
			return nil, oerr("invalid_request", "code and redirect_uri are required")
		}
		ac, ok := h.Codes[hashToken(code)]
		if !ok {
			return nil, oerr("invalid_grant", "")
		}
		delete(h.Codes, hashToken(code)) // single use, whatever follows
		if ac.Used {
			// A replayed code: revoke what its first exchange issued
			// (RFC 6749 section 4.1.2).
			p.revokeSignIn(ac.Username, ac.Origin, now)
			return nil, oerr("invalid_grant", "")
		}
		if now.After(ac.Expires) || ac.Req.ClientID != cl.ID || ac.Req.RedirectURI != f.Get("redirect_uri") {
			return nil, oerr("invalid_grant", "")
		}
		if !cl.OAuthEnabled || !contains(cl.AllowedOAuthFlows, "code") {
			return nil, oerr("unauthorized_client", "")
		}
		v := f.Get("code_verifier")
		switch {
		case ac.Req.CodeChallenge != "" && (v == "" || !verifierRe.MatchString(v) || !ctEqual(s256(v), ac.Req.CodeChallenge)):
			return nil, oerr("invalid_grant", "")
		case ac.Req.CodeChallenge == "" && v != "":
			return nil, oerr("invalid_grant", "")
		}
		u := p.sameUser(ac.Username, ac.Sub)
		if u == nil || !u.Enabled {
			return nil, oerr("invalid_grant", "")
		}
		res, err := s.issueOAuth(p, cl, u, now, nil, "", &oauthIssue{Scope: ac.Req.Scope, Nonce: ac.Req.Nonce},
			&tokenTrigger{c: &call{r: r, now: now}, source: triggers.SourceTokenHostedAuth})
		if err != nil {
			return nil, tokenError(err)
		}
		// Remembered until it expires, so that a replay revokes these tokens.
		ac.Used, ac.Origin = true, p.Refresh[hashToken(res.RefreshToken)].OriginJTI
		h.Codes[hashToken(code)] = ac
		out := map[string]any{"access_token": res.AccessToken, "refresh_token": res.RefreshToken,
			"expires_in": res.ExpiresIn, "token_type": "Bearer"}
		if hasScope(ac.Req.Scope, "openid") {
			out["id_token"] = res.IdToken
		}
		return out, nil
	case "refresh_token":
		tok := f.Get("refresh_token")
		if tok == "" {
			return nil, oerr("invalid_request", "refresh_token is required")
		}
		rt, u, err := s.lookupRefresh(p, cl, tok, now)
		if err != nil || !u.Enabled {
			return nil, oerr("invalid_grant", "")
		}
		res, err := s.issueOAuth(p, cl, u, now, rt, "", &oauthIssue{}, &tokenTrigger{c: &call{r: r, now: now}, source: triggers.SourceTokenRefresh})
		if err != nil {
			return nil, tokenError(err)
		}
		out := map[string]any{"access_token": res.AccessToken, "expires_in": res.ExpiresIn, "token_type": "Bearer"}
		if rt.Scope == "" || hasScope(rt.Scope, "openid") {
			out["id_token"] = res.IdToken
		}
		return out, nil
	case "client_credentials":
		if cl.Secret == "" || !cl.OAuthEnabled || !contains(cl.AllowedOAuthFlows, "client_credentials") {
			return nil, oerr("unauthorized_client", "")
		}
		req := strings.Fields(f.Get("scope"))
		if len(req) == 0 {
			for _, sc := range cl.AllowedOAuthScopes {
				if p.isCustomScope(sc) {
					req = append(req, sc)
				}
			}
		}
		if len(req) == 0 {
			return nil, oerr("invalid_scope", "")
		}
		for _, sc := range req {
			if !contains(cl.AllowedOAuthScopes, sc) || !p.isCustomScope(sc) {
				return nil, oerr("invalid_scope", "")
			}
		}
		tok, ttl, err := s.clientAccessToken(&call{r: r, now: now}, p, cl, strings.Join(req, " "), now)
		if err != nil {
			return nil, tokenError(err)
		}
		return map[string]any{"access_token": tok, "expires_in": int64(ttl / time.Second), "token_type": "Bearer"}, nil
	}
	return nil, oerr("unsupported_grant_type", "")
}

// ---------------------------------------------------------------------------
// /oauth2/userInfo and /oauth2/revoke.

func serveUserInfo(s *Server, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, oerr("invalid_request", "use GET or POST"))
		return
	}
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		writeOAuthError(w, http.StatusUnauthorized, oerr("invalid_request", "Authorization: Bearer <access token> is required"))
		return
	}
	l := s.lock()
	defer l.release()
	p, u, cl, err := s.authBearer(strings.TrimSpace(tok), s.now())
	var info map[string]any
	if err == nil {
		if !hasScope(cl.Scope, "openid") && !hasScope(cl.Scope, "aws.cognito.signin.user.admin") {
			l.unlock()
			writeOAuthError(w, http.StatusUnauthorized, oerr("invalid_token", "Access token does not contain openid scope"))
			return
		}
		c := p.Clients[cl.ClientID]
		if c == nil {
			c = &client{}
		}
		info = userInfo(p, c, u, cl.Scope)
	}
	l.unlock()
	if err != nil {
		msg := apiMessage(err)
		if msg == "Invalid Access Token" {
			msg = "Invalid access token"
		}
		writeOAuthError(w, http.StatusUnauthorized, oerr("invalid_token", msg))
		return
	}
	writeOAuthJSON(w, http.StatusOK, info)
}

func serveRevoke(s *Server, w http.ResponseWriter, r *http.Request) {
	if e := parseOAuthForm(w, r); e != nil {
		writeOAuthError(w, http.StatusBadRequest, e)
		return
	}
	l := s.lock()
	defer l.release()
	e := s.revoke(r)
	if err := l.save(); err != nil {
		writeOAuthError(w, http.StatusInternalServerError, oerr("server_error", ""))
		return
	}
	if e != nil {
		writeOAuthError(w, http.StatusBadRequest, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revoke(r *http.Request) *oauthErr {
	tok := r.PostForm.Get("token")
	if tok == "" {
		return oerr("invalid_request", "token is required")
	}
	p, cl, e := s.oauthClient(r)
	if e != nil {
		return e
	}
	if !cl.EnableTokenRevocation {
		return oerr("unauthorized_client", "token revocation is not enabled for the client")
	}
	if strings.Count(tok, ".") == 2 {
		return oerr("unsupported_token_type", "only refresh tokens can be revoked")
	}
	if !p.revokeRefresh(cl, tok, s.now()) {
		return oerr("unauthorized_client", "the token was not issued to this client")
	}
	return nil
}

// ---------------------------------------------------------------------------
// /logout.

func serveLogout(s *Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := s.lock()
	defer l.release()
	p, cl, err := s.clientByID(q.Get("client_id"))
	if err != nil {
		l.unlock()
		renderError(w, oerr("invalid_request", "a valid client_id is required"))
		return
	}
	var loc string
	switch lo := q.Get("logout_uri"); {
	case lo != "":
		if !contains(cl.LogoutURLs, lo) {
			l.unlock()
			renderError(w, oerr("redirect_mismatch", "logout_uri does not match a sign-out URL of the client"))
			return
		}
		loc = lo
	case q.Get("redirect_uri") != "":
		if _, _, _, ok := s.authorizeOrRefuse(l, w, r, q); !ok {
			return
		}
		loc = "/login?" + r.URL.RawQuery
	default:
		l.unlock()
		renderError(w, oerr("invalid_request", "logout_uri, or redirect_uri and response_type, are required"))
		return
	}
	if c, err := r.Cookie(sessionCookieName(p.ID)); err == nil {
		delete(p.hosted().Sessions, hashToken(c.Value))
	}
	if err := l.save(); err != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName(p.ID), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, loc, http.StatusFound)
}

// basicAuth is the Authorization header value of HTTP Basic for an OAuth
// client (RFC 6749 section 2.3.1: form-encoded ID and secret).
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
