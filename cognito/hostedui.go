package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Identity provider names for AuthorizeOptions.IdentityProvider. A named
// OIDC or SAML provider is passed by the name given to it in the pool.
const (
	IdentityProviderCognito  = "COGNITO"
	IdentityProviderFacebook = "Facebook"
	IdentityProviderGoogle   = "Google"
	IdentityProviderAmazon   = "LoginWithAmazon"
	IdentityProviderApple    = "SignInWithApple"
)

// HostedUIDomain returns the base URL of a user pool's Cognito domain:
// https://{prefix}.auth.{region}.amazoncognito.com. For a custom domain,
// pass "https://auth.example.com" to NewHostedUI instead; for the
// emulator, its URL (cognitotest.Server.HostedUIURL).
func HostedUIDomain(prefix, region string) string {
	return "https://" + prefix + ".auth." + region + ".amazoncognito.com"
}

// HostedUIOptions configure a HostedUI.
type HostedUIOptions struct {
	// ClientSecret is the app client's secret, for confidential clients:
	// the token and revoke endpoints are then called with HTTP Basic
	// authentication. Empty for a public client, which relies on PKCE.
	ClientSecret string
	// Scopes are asked for by AuthorizeURL when AuthorizeOptions.Scopes is
	// empty. Nil sends no scope parameter: Cognito grants every scope the
	// app client allows.
	Scopes []string
	// HTTPClient calls the token, userInfo and revoke endpoints. Default:
	// a client with a 30-second timeout.
	HTTPClient *http.Client
	// Clock stamps Tokens.Expiry; default time.Now.
	Clock func() time.Time
}

// HostedUI is the OAuth 2.0 side of a Cognito app client: it builds
// authorize and logout URLs and calls the token, userInfo and revoke
// endpoints of the user pool's domain. It is safe for concurrent use.
//
// It is built on golang.org/x/oauth2: an oauth2.Config with the domain's
// /oauth2/authorize and /oauth2/token endpoints makes the authorize URL
// and runs the code, refresh and client-credentials grants; HostedUI adds
// Cognito's parameters, typed errors (*OAuthError), Tokens with the ID
// token and the revoke and userInfo endpoints, which x/oauth2 lacks.
// OAuth2Config hands the same configuration to code that speaks x/oauth2.
//
// The usual server-side sign-in:
//
//	pkce, _ := cognito.NewPKCE()
//	state, nonce, _ := states.New("/orders")          // a StateCodec
//	// keep nonce and pkce.Verifier for this browser (HttpOnly cookie or server session)
//	u, _ := ui.AuthorizeURL(cognito.AuthorizeOptions{State: state, CodeChallenge: pkce.Challenge})
//	// redirect; then, at the redirect URI:
//	code, state, err := cognito.ParseCallback(r.URL.Query())
//	dest, err := states.Verify(state, nonce)
//	tokens, err := ui.Exchange(ctx, code, verifier)
type HostedUI struct {
	domain      string
	clientID    string
	redirectURI string
	// cfg is immutable after NewHostedUI. It is a pointer because a
	// Config holds an atomic cache that x/oauth2 writes during a token
	// call, which copying the HostedUI (its Format method) would race with.
	cfg   *oauth2.Config
	hc    *http.Client
	clock func() time.Time
}

// NewHostedUI returns a HostedUI for the app client clientID of the
// domain (see HostedUIDomain) with redirectURI, one of the app client's
// callback URLs, sent exactly as given. The domain must be https, except
// on a loopback host (an emulator).
func NewHostedUI(domain, clientID, redirectURI string, optFns ...func(*HostedUIOptions)) (*HostedUI, error) {
	d, err := url.Parse(strings.TrimRight(domain, "/"))
	if err != nil || d.Host == "" || d.RawQuery != "" || d.Fragment != "" || d.User != nil {
		return nil, fmt.Errorf("cognito: hosted UI domain %q is not a base URL: %w", domain, ErrInvalidParameter)
	}
	if d.Scheme != "https" && !(d.Scheme == "http" && loopback(d.Hostname())) {
		return nil, fmt.Errorf("cognito: hosted UI domain must be https (http only on a loopback host): %w", ErrInvalidParameter)
	}
	if clientID == "" {
		return nil, fmt.Errorf("cognito: client ID is required: %w", ErrInvalidParameter)
	}
	r, err := url.Parse(redirectURI)
	if err != nil || r.Host == "" || (r.Scheme != "https" && r.Scheme != "http") || r.Fragment != "" {
		return nil, fmt.Errorf("cognito: redirect URI must be an absolute http(s) URL without a fragment: %w", ErrInvalidParameter)
	}
	var o HostedUIOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	// Client authentication as Cognito wants it, with no probing (which
	// would send a secret twice): HTTP Basic with a secret, else client_id
	// in the form.
	style := oauth2.AuthStyleInParams
	if o.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	h := &HostedUI{domain: d.String(), clientID: clientID, redirectURI: redirectURI, hc: o.HTTPClient, clock: o.Clock}
	h.cfg = &oauth2.Config{ClientID: clientID, ClientSecret: o.ClientSecret, RedirectURL: redirectURI,
		Scopes:   append([]string(nil), o.Scopes...),
		Endpoint: oauth2.Endpoint{AuthURL: h.domain + "/oauth2/authorize", TokenURL: h.domain + "/oauth2/token", AuthStyle: style}}
	return h, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the HostedUI without its client secret.
func (h *HostedUI) String() string {
	s := "cognito.HostedUI{Domain: " + h.domain + ", ClientID: " + h.clientID
	if h.secret() != "" {
		s += ", ClientSecret: [redacted]"
	}
	return s + "}"
}

func (h *HostedUI) secret() string {
	if h.cfg == nil { // the zero HostedUI
		return ""
	}
	return h.cfg.ClientSecret
}

// Domain returns the base URL the HostedUI talks to.
func (h *HostedUI) Domain() string { return h.domain }

// OAuth2Config returns a copy of the oauth2.Config the HostedUI runs on
// (client ID and secret, redirect URI, default scopes, Cognito's endpoints
// and client authentication), for code that speaks golang.org/x/oauth2
// directly. It holds the client secret: do not log it. Tokens it returns
// lack what Exchange adds (typed errors, the ID token as a field, expiry by
// the HostedUI's clock), and it uses the HTTP client x/oauth2 finds in the
// context (oauth2.HTTPClient), not HostedUIOptions.HTTPClient.
func (h *HostedUI) OAuth2Config() *oauth2.Config {
	return &oauth2.Config{ClientID: h.cfg.ClientID, ClientSecret: h.cfg.ClientSecret, RedirectURL: h.cfg.RedirectURL,
		Scopes: append([]string(nil), h.cfg.Scopes...), Endpoint: h.cfg.Endpoint}
}

// PKCE is a proof key for one authorization (RFC 7636) with the S256
// method: send Challenge in the authorize URL, keep Verifier secret until
// the code exchange. String hides the verifier. Verifier is what
// oauth2.GenerateVerifier makes and Challenge its
// oauth2.S256ChallengeFromVerifier, so either side may come from x/oauth2.
type PKCE struct {
	Verifier  string
	Challenge string
}

// String describes p without its verifier.
func (p PKCE) String() string {
	return "cognito.PKCE{Challenge: " + p.Challenge + ", Verifier: [redacted]}"
}

// NewPKCE returns a fresh verifier from oauth2.GenerateVerifier (32 random
// bytes, 43 characters, as RFC 7636 section 4.1 recommends) and its S256
// challenge. The error is always nil (crypto/rand does not fail); it stays
// for NewPKCEFrom's sake.
func NewPKCE() (PKCE, error) {
	v := oauth2.GenerateVerifier()
	return PKCE{Verifier: v, Challenge: PKCEChallenge(v)}, nil
}

// NewPKCEFrom is NewPKCE with another source of randomness (tests).
func NewPKCEFrom(r io.Reader) (PKCE, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return PKCE{}, fmt.Errorf("cognito: PKCE verifier: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	return PKCE{Verifier: v, Challenge: PKCEChallenge(v)}, nil
}

// PKCEChallenge returns the S256 challenge of a verifier:
// BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 section 4.2). It is
// oauth2.S256ChallengeFromVerifier.
func PKCEChallenge(verifier string) string { return oauth2.S256ChallengeFromVerifier(verifier) }

var (
	challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	verifierRe  = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
)

// AuthorizeOptions are the per-request parameters of AuthorizeURL.
type AuthorizeOptions struct {
	// State is the state parameter, required: use StateCodec.New.
	State string
	// CodeChallenge is PKCE.Challenge, required (method S256). The
	// verifier itself never goes in AuthorizeOptions, which prints as is.
	CodeChallenge string
	// IdentityProvider skips Cognito's page and goes to that provider
	// (IdentityProviderFacebook, …, or a named OIDC/SAML provider);
	// IdentityProviderCognito shows the username-and-password page.
	IdentityProvider string
	// Scopes overrides HostedUIOptions.Scopes for this request.
	Scopes []string
	// Nonce is the OpenID Connect nonce put in the ID token.
	Nonce string
	// Prompt "login" asks for the password even with a hosted-UI session.
	Prompt string
}

var providerRe = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$`)

// authCodeURL checks o and returns the authorize URL of x/oauth2's
// AuthCodeURL at path (/oauth2/authorize, or /logout for
// LogoutAndSignInURL).
func (h *HostedUI) authCodeURL(path string, o AuthorizeOptions) (string, error) {
	if o.State == "" {
		return "", fmt.Errorf("cognito: authorize URL needs a state (CSRF protection): %w", ErrInvalidParameter)
	}
	if !challengeRe.MatchString(o.CodeChallenge) {
		return "", fmt.Errorf("cognito: authorize URL needs an S256 PKCE challenge (NewPKCE): %w", ErrInvalidParameter)
	}
	// oauth2.S256ChallengeOption would need the verifier; the challenge
	// goes in as the same two parameters.
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", o.CodeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256")}
	if o.IdentityProvider != "" && !providerRe.MatchString(o.IdentityProvider) {
		return "", fmt.Errorf("cognito: invalid identity provider name: %w", ErrInvalidParameter)
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = h.cfg.Scopes
	}
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return "", fmt.Errorf("cognito: invalid scope %q: %w", s, ErrInvalidParameter)
		}
	}
	if len(o.Scopes) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(o.Scopes, " ")))
	}
	for k, v := range map[string]string{"identity_provider": o.IdentityProvider, "nonce": o.Nonce, "prompt": o.Prompt} {
		if v != "" {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	c := oauth2.Config{ClientID: h.clientID, RedirectURL: h.redirectURI, Scopes: h.cfg.Scopes, Endpoint: oauth2.Endpoint{AuthURL: h.domain + path}}
	return c.AuthCodeURL(o.State, opts...), nil
}

// AuthorizeURL returns the /oauth2/authorize URL to redirect the browser
// to. It fails with ErrInvalidParameter without a state or a valid S256
// challenge.
func (h *HostedUI) AuthorizeURL(o AuthorizeOptions) (string, error) {
	return h.authCodeURL("/oauth2/authorize", o)
}

// LogoutURL returns the /logout URL that ends the hosted-UI session and
// sends the browser to logoutURI, which must be exactly one of the app
// client's sign-out URLs.
func (h *HostedUI) LogoutURL(logoutURI string) string {
	return h.domain + "/logout?" + url.Values{"client_id": {h.clientID}, "logout_uri": {logoutURI}}.Encode()
}

// LogoutAndSignInURL returns the /logout URL that ends the hosted-UI
// session and shows the sign-in page again (redirect_uri and
// response_type instead of logout_uri), for "sign in as someone else".
func (h *HostedUI) LogoutAndSignInURL(o AuthorizeOptions) (string, error) {
	return h.authCodeURL("/logout", o)
}

// ParseCallback reads the redirect URI's query: the code and state, or
// the error the hosted UI reported (an *OAuthError with Endpoint
// "authorize", e.g. ErrAccessDenied when the user cancelled at Facebook).
func ParseCallback(q url.Values) (code, state string, err error) {
	state = q.Get("state")
	if e := q.Get("error"); e != "" {
		return "", state, &OAuthError{Endpoint: "authorize", Code: e, Description: clip(q.Get("error_description"))}
	}
	code = q.Get("code")
	if code == "" {
		return "", state, &OAuthError{Endpoint: "authorize", Code: "invalid_request", Description: "the callback has no code"}
	}
	return code, state, nil
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// Exchange trades an authorization code and its PKCE verifier for tokens
// (grant_type=authorization_code, through oauth2.Config.Exchange with
// oauth2.VerifierOption). A confidential client authenticates with HTTP
// Basic. A code works once: a second exchange fails with ErrInvalidGrant,
// as does a wrong verifier.
func (h *HostedUI) Exchange(ctx context.Context, code, verifier string) (*Tokens, error) {
	if code == "" {
		return nil, fmt.Errorf("cognito: empty authorization code: %w", ErrInvalidParameter)
	}
	if !verifierRe.MatchString(verifier) {
		return nil, fmt.Errorf("cognito: PKCE verifier must be 43-128 unreserved characters: %w", ErrInvalidParameter)
	}
	tok, err := h.cfg.Exchange(h.oauth2Context(ctx), code, oauth2.VerifierOption(verifier))
	return h.tokens(tok, err)
}

// Refresh gets new ID and access tokens for a refresh token
// (grant_type=refresh_token, through an oauth2.TokenSource). The refresh
// token is kept in the result.
func (h *HostedUI) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("cognito: oauth token: %w", ErrNoRefreshToken)
	}
	tok, err := h.cfg.TokenSource(h.oauth2Context(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	return h.tokens(tok, err)
}

// ClientCredentials gets an access token for the app client itself
// (grant_type=client_credentials, through golang.org/x/oauth2/
// clientcredentials), for machine-to-machine calls with resource-server
// scopes ("orders/read"). It needs a client secret. No scopes means every
// custom scope the client allows.
func (h *HostedUI) ClientCredentials(ctx context.Context, scopes ...string) (*Tokens, error) {
	if h.secret() == "" {
		return nil, fmt.Errorf("cognito: client_credentials needs a client secret: %w", ErrInvalidParameter)
	}
	cc := clientcredentials.Config{ClientID: h.clientID, ClientSecret: h.cfg.ClientSecret, TokenURL: h.cfg.Endpoint.TokenURL,
		Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(h.oauth2Context(ctx))
	return h.tokens(tok, err)
}

// oauth2Context hands HostedUIOptions.HTTPClient to x/oauth2, which takes
// its HTTP client from the context (oauth2.HTTPClient). This is internal
// plumbing: callers pass the client in the options, and a client in their
// own context is ignored.
func (h *HostedUI) oauth2Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, h.hc)
}

// tokens turns x/oauth2's answer into Tokens: the ID token from the
// answer's extra fields, the expiry from expires_in by the HostedUI's clock
// (x/oauth2 uses time.Now), and the username from the tokens' claims.
func (h *HostedUI) tokens(tok *oauth2.Token, err error) (*Tokens, error) {
	if err != nil {
		return nil, tokenError(err)
	}
	expiresIn := tok.ExpiresIn
	if f, ok := tok.Extra("expires_in").(float64); ok && expiresIn == 0 { // clientcredentials drops ExpiresIn
		expiresIn = int64(f)
	}
	idToken, _ := tok.Extra("id_token").(string)
	t := &Tokens{IDToken: idToken, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		TokenType: tok.TokenType, ExpiresIn: time.Duration(expiresIn) * time.Second}
	t.Expiry = h.clock().Add(t.ExpiresIn)
	for _, raw := range []string{t.IDToken, t.AccessToken} {
		if raw == "" {
			continue
		}
		if c, err := ParseClaims(raw); err == nil && c.CognitoUsername() != "" {
			t.Username = c.CognitoUsername()
			break
		}
	}
	return t, nil
}

// Revoke revokes a refresh token and the access tokens issued from it
// (POST /oauth2/revoke; x/oauth2 has no revocation). Revoking an unknown
// token succeeds (RFC 7009). The client authenticates as at the token
// endpoint.
func (h *HostedUI) Revoke(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return fmt.Errorf("cognito: oauth revoke: %w", ErrNoRefreshToken)
	}
	form := url.Values{"token": {refreshToken}}
	if h.cfg.Endpoint.AuthStyle == oauth2.AuthStyleInParams {
		form.Set("client_id", h.clientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.domain+"/oauth2/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("cognito: oauth revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if h.cfg.Endpoint.AuthStyle == oauth2.AuthStyleInHeader {
		// RFC 6749 section 2.3.1: form-encode the ID and secret first.
		req.SetBasicAuth(url.QueryEscape(h.clientID), url.QueryEscape(h.cfg.ClientSecret))
	}
	return h.send(req, "revoke", nil)
}

// UserInfo is the answer of the userInfo endpoint: the user's attributes
// allowed by the access token's scopes. Cognito sends every value as a
// string ("email_verified": "true").
type UserInfo map[string]string

// UserInfo calls GET /oauth2/userInfo with the access token (x/oauth2 has
// no userInfo call).
func (h *HostedUI) UserInfo(ctx context.Context, accessToken string) (UserInfo, error) {
	if accessToken == "" {
		return nil, fmt.Errorf("cognito: empty access token: %w", ErrInvalidParameter)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.domain+"/oauth2/userInfo", nil)
	if err != nil {
		return nil, fmt.Errorf("cognito: oauth userInfo: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	var raw map[string]any
	if err := h.send(req, "userInfo", &raw); err != nil {
		return nil, err
	}
	out := UserInfo{}
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			out[k] = x
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out, nil
}

// send runs a revoke or userInfo request and decodes a 200 answer into out
// (nil: ignore the body) or an error answer into an *OAuthError. Error
// text never carries the request's tokens or secrets.
func (h *HostedUI) send(req *http.Request, endpoint string, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return transportError(endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("cognito: oauth %s: reading the answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return errorAnswer(endpoint, resp.StatusCode, "", "", body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("cognito: oauth %s: %w: the answer is not JSON", endpoint, ErrInvalidResponse)
	}
	return nil
}
