package fakeoidc

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
)

// ServeHTTP serves the provider's HTTP surface under Config.Prefix.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, p.cfg.Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path {
	case ".well-known/openid-configuration":
		p.serveDiscovery(w, r)
	case "jwks":
		fakeoauth.WriteJSON(w, http.StatusOK, p.public)
	case "authorize":
		p.serveAuthorize(w, r)
	case "token":
		p.serveToken(w, r)
	case "userinfo":
		p.serveUserinfo(w, r)
	case "tokens":
		p.serveMint(w, r)
	default:
		http.NotFound(w, r)
	}
}

// BaseURL returns the scheme and host endpoints are named with.
func (p *Provider) baseURL(r *http.Request) string {
	if p.cfg.BaseURL != "" {
		return strings.TrimSuffix(p.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	base := p.baseURL(r) + p.cfg.Prefix
	modes := []string{"query", "form_post"}
	claims := []string{"aud", "email", "email_verified", "exp", "iat", "iss", "nonce", "sub", "at_hash", "auth_time"}
	if p.cfg.Apple {
		claims = append(claims, "is_private_email")
	} else {
		claims = append(claims, "name", "given_name", "family_name", "azp")
	}
	auth := []string{"client_secret_basic", "client_secret_post"}
	if p.cfg.Apple {
		auth = []string{"client_secret_post"}
	}
	fakeoauth.WriteJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.cfg.Issuer,
		"authorization_endpoint":                base + "authorize",
		"token_endpoint":                        base + "token",
		"userinfo_endpoint":                     base + "userinfo",
		"jwks_uri":                              base + "jwks",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              modes,
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile", "name"},
		"token_endpoint_auth_methods_supported": auth,
		"claims_supported":                      claims,
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// authzRequest is a validated authorization request.
type authzRequest struct {
	ClientID, RedirectURI, State, Nonce, Scope string
	Challenge, ChallengeMethod, ResponseMode   string
}

var errorPage = template.Must(template.New("e").Parse(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Sign-in error</title></head><body><h1>Sign-in error</h1><p id="error">{{.}}</p></body></html>`))

// showError answers a request that cannot be sent back to the client.
func showError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, msg)
}

// parseAuthz validates an authorization request. An error with redirect
// false must not be sent to redirect_uri (unknown client or redirect).
func (p *Provider) parseAuthz(q url.Values) (req authzRequest, redirect bool, err error) {
	req = authzRequest{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Scope: q.Get("scope"), Challenge: q.Get("code_challenge"),
		ChallengeMethod: q.Get("code_challenge_method"), ResponseMode: q.Get("response_mode")}
	if err := p.clients.CheckRedirect(req.ClientID, req.RedirectURI); err != nil {
		return req, false, err
	}
	scopes := strings.Fields(req.Scope)
	switch {
	case q.Get("response_type") != "code":
		return req, true, errors.New("unsupported_response_type")
	case !slices.Contains(scopes, "openid"):
		return req, true, errors.New("invalid_scope")
	case req.ResponseMode != "" && req.ResponseMode != "query" && req.ResponseMode != "form_post":
		return req, true, errors.New("invalid_request")
	case p.cfg.Apple && (slices.Contains(scopes, "name") || slices.Contains(scopes, "email")) && req.ResponseMode != "form_post":
		// Apple: "response_mode must be form_post when name or email scope is requested".
		return req, true, errors.New("invalid_request")
	case fakeoauth.CheckChallenge(req.Challenge, req.ChallengeMethod) != nil:
		return req, true, errors.New("invalid_request")
	case req.Challenge == "" && p.clients.Public(req.ClientID):
		return req, true, errors.New("invalid_request")
	}
	return req, true, nil
}

// respond sends params back to the client, by redirect or form_post.
func respond(w http.ResponseWriter, r *http.Request, req authzRequest, params url.Values) {
	if req.State != "" {
		params.Set("state", req.State)
	}
	if req.ResponseMode == "form_post" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = formPost.Execute(w, map[string]any{"Action": req.RedirectURI, "Params": params})
		return
	}
	http.Redirect(w, r, fakeoauth.RedirectWith(req.RedirectURI, params), http.StatusFound)
}

var formPost = template.Must(template.New("fp").Parse(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Submit</title></head><body onload="document.forms[0].submit()"><form method="post" action="{{.Action}}">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<noscript><button type="submit">Continue</button></noscript></form></body></html>`))

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in with {{.Name}} (emulated)</title>
<style>body{font-family:sans-serif;background:#f5f5f5}.box{max-width:400px;margin:50px auto;background:#fff;padding:24px;border-radius:8px}
label{display:block;margin-top:10px}input[type=text],input[type=email]{width:100%;box-sizing:border-box;padding:6px}button{margin-top:14px;padding:8px 14px}</style></head>
<body><div class="box"><h1>Sign in with {{.Name}}</h1>
<p><b id="oidc-client">{{.Req.ClientID}}</b> asks for: {{.Req.Scope}}</p>
<p><small>This is the cognitokit emulator's fake {{.Name}}: type the account that signs in.</small></p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.Req.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="response_type" value="code"><input type="hidden" name="scope" value="{{.Req.Scope}}">
<input type="hidden" name="state" value="{{.Req.State}}"><input type="hidden" name="nonce" value="{{.Req.Nonce}}">
<input type="hidden" name="code_challenge" value="{{.Req.Challenge}}"><input type="hidden" name="code_challenge_method" value="{{.Req.ChallengeMethod}}">
<input type="hidden" name="response_mode" value="{{.Req.ResponseMode}}">
<label for="oidc-sub">Subject (user ID)</label><input type="text" id="oidc-sub" name="sub" value="100000000000000000001" required>
<label for="oidc-email">E-mail</label><input type="email" id="oidc-email" name="email" value="user@example.com">
<label><input type="checkbox" id="oidc-email-verified" name="email_verified" value="true" checked> e-mail verified</label>
<label for="oidc-given">Given name</label><input type="text" id="oidc-given" name="given_name" value="Gail">
<label for="oidc-family">Family name</label><input type="text" id="oidc-family" name="family_name" value="Oogle">
{{if .Apple}}<label><input type="checkbox" id="oidc-hide-email" name="hide_email" value="true"> Hide my e-mail</label>{{end}}
<button id="oidc-allow" type="submit" name="action" value="allow">Continue</button>
<button id="oidc-deny" type="submit" name="action" value="deny">Cancel</button>
</form></div></body></html>`))

func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		showError(w, http.StatusMethodNotAllowed, "Use GET or POST.")
		return
	}
	if err := fakeoauth.ParseForm(w, r); err != nil {
		showError(w, http.StatusBadRequest, "Malformed request.")
		return
	}
	q := r.Form
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	req, redirect, err := p.parseAuthz(q)
	if !redirect {
		// Never redirect to an unregistered URI: Google's redirect_uri_mismatch,
		// Apple's invalid_client / invalid_request, on the provider's own page.
		showError(w, http.StatusBadRequest, "redirect_uri_mismatch: "+err.Error())
		return
	}
	if err != nil {
		respond(w, r, req, url.Values{"error": {err.Error()}})
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		_ = consentPage.Execute(w, map[string]any{"Name": p.cfg.Name, "Req": req, "Apple": p.cfg.Apple,
			"Action": p.cfg.Prefix + "authorize"})
		return
	}
	if q.Get("action") != "allow" {
		respond(w, r, req, url.Values{"error": {"access_denied"}})
		return
	}
	u := User{Sub: strings.TrimSpace(q.Get("sub")), Email: strings.TrimSpace(q.Get("email")),
		EmailVerified: q.Get("email_verified") == "true", GivenName: q.Get("given_name"),
		FamilyName: q.Get("family_name"), HideEmail: q.Get("hide_email") == "true"}
	u.Name = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	code, user, err := p.Authorize(req.ClientID, req.RedirectURI, u, AuthorizeOptions{Nonce: req.Nonce,
		Scope: req.Scope, CodeChallenge: req.Challenge})
	if err != nil {
		showError(w, http.StatusBadRequest, err.Error())
		return
	}
	params := url.Values{"code": {code}}
	if user != "" {
		params.Set("user", user)
	}
	respond(w, r, req, params)
}

// AuthorizeOptions are the optional parts of an authorization request.
type AuthorizeOptions struct {
	Nonce string
	Scope string
	// CodeChallenge is the PKCE S256 challenge.
	CodeChallenge string
}

// Authorize is the Go form of user consenting to clientID: it returns a
// single-use code to exchange with redirectURI (and the PKCE verifier of
// opts.CodeChallenge) within CodeLifetime. With Apple, appleUser is the
// JSON "user" value Apple posts at the first consent only
// ({"name":{"firstName","lastName"},"email"}), empty afterwards.
func (p *Provider) Authorize(clientID, redirectURI string, user User, opts AuthorizeOptions) (code, appleUser string, err error) {
	if err := p.clients.CheckRedirect(clientID, redirectURI); err != nil {
		return "", "", err
	}
	if user.Sub == "" {
		return "", "", fmt.Errorf("%w: the user's sub is required", fakeoauth.ErrInvalidRequest)
	}
	if err := fakeoauth.CheckChallenge(opts.CodeChallenge, "S256"); opts.CodeChallenge != "" && err != nil {
		return "", "", err
	}
	if opts.CodeChallenge == "" && p.clients.Public(clientID) {
		return "", "", fmt.Errorf("%w: a public client must use PKCE", fakeoauth.ErrInvalidRequest)
	}
	c, err := p.userClaims(clientID, user)
	if err != nil {
		return "", "", err
	}
	code, err = p.codes.Issue(fakeoauth.Grant[grant]{ClientID: clientID, RedirectURI: redirectURI,
		CodeChallenge: opts.CodeChallenge, Data: grant{Claims: c, Nonce: opts.Nonce, Scope: opts.Scope}}, CodeLifetime)
	if err != nil {
		return "", "", err
	}
	if p.firstConsent(clientID, user.Sub) && p.cfg.Apple {
		v := map[string]any{}
		if user.GivenName != "" || user.FamilyName != "" {
			v["name"] = map[string]string{"firstName": user.GivenName, "lastName": user.FamilyName}
		}
		if c.Email != "" {
			v["email"] = c.Email
		}
		b, _ := json.Marshal(v)
		appleUser = string(b)
	}
	return code, appleUser, nil
}

// TokenResponse is the token endpoint's answer.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope,omitempty"`
}

// Exchange is the Go form of the token endpoint: it redeems code for
// clientID (authenticated by secret: the static secret, an Apple
// client-secret JWT, or empty for a public client) with redirectURI and
// the PKCE verifier.
func (p *Provider) Exchange(clientID, secret, redirectURI, code, verifier string) (TokenResponse, error) {
	if err := p.authenticate(clientID, secret); err != nil {
		return TokenResponse{}, err
	}
	g, err := p.codes.Redeem(code, clientID, redirectURI, verifier)
	if err != nil {
		return TokenResponse{}, err
	}
	at, err := p.tokens.Issue(g.Data.Claims, TokenLifetime)
	if err != nil {
		return TokenResponse{}, err
	}
	idt, err := p.idToken(clientID, g.Data.Claims, g.Data.Nonce, at)
	if err != nil {
		return TokenResponse{}, err
	}
	return TokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int(TokenLifetime.Seconds()),
		IDToken: idt, Scope: g.Data.Scope}, nil
}

func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := fakeoauth.TokenRequest(w, r)
	if !ok {
		return
	}
	resp, err := p.Exchange(id, secret, r.PostForm.Get("redirect_uri"), r.PostForm.Get("code"), r.PostForm.Get("code_verifier"))
	if err != nil {
		fakeoauth.WriteError(w, err)
		return
	}
	fakeoauth.WriteJSON(w, http.StatusOK, resp)
}

// UserInfo returns the claims of a valid access token, as the userinfo
// endpoint does.
func (p *Provider) UserInfo(accessToken string) (map[string]any, error) {
	c, _, err := p.tokens.Lookup(accessToken)
	if err != nil {
		return nil, err
	}
	m := map[string]any{"sub": c.User.Sub}
	if c.Email != "" {
		m["email"], m["email_verified"] = c.Email, c.User.EmailVerified
	}
	if c.Private {
		m["is_private_email"] = true
	}
	if !p.cfg.Apple {
		for k, v := range map[string]string{"name": c.User.Name, "given_name": c.User.GivenName, "family_name": c.User.FamilyName} {
			if v != "" {
				m[k] = v
			}
		}
	}
	return m, nil
}

func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	m, err := p.UserInfo(fakeoauth.BearerToken(r))
	if err != nil {
		fakeoauth.WriteError(w, err)
		return
	}
	fakeoauth.WriteJSON(w, http.StatusOK, m)
}

// serveMint serves POST tokens, the HTTP form of MintIDToken for tests in
// other languages: {"client_id","sub","email","email_verified","name",
// "nonce"} → {"id_token"}. Like every /_emulator/ path, it is test-only.
func (p *Provider) serveMint(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID      string `json:"client_id"`
		Sub           string `json:"sub"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
		Nonce         string `json:"nonce"`
	}
	if !fakeoauth.DecodeJSONPost(w, r, &in, `{"client_id","sub","email","email_verified","name","nonce"}`) {
		return
	}
	tok, err := p.MintIDToken(in.ClientID, User{Sub: in.Sub, Email: in.Email, EmailVerified: in.EmailVerified, Name: in.Name}, in.Nonce)
	if err != nil {
		fakeoauth.WriteError(w, err)
		return
	}
	fakeoauth.WriteJSON(w, http.StatusOK, map[string]string{"id_token": tok})
}
