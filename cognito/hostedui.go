package cognito

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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
	secret      string
	scopes      []string
	hc          *http.Client
	clock       func() time.Time
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
	return &HostedUI{domain: d.String(), clientID: clientID, redirectURI: redirectURI, secret: o.ClientSecret,
		scopes: append([]string(nil), o.Scopes...), hc: o.HTTPClient, clock: o.Clock}, nil
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
	if h.secret != "" {
		s += ", ClientSecret: [redacted]"
	}
	return s + "}"
}

// Domain returns the base URL the HostedUI talks to.
func (h *HostedUI) Domain() string { return h.domain }

// PKCE is a proof key for one authorization (RFC 7636) with the S256
// method: send Challenge in the authorize URL, keep Verifier secret until
// the code exchange. String hides the verifier.
type PKCE struct {
	Verifier  string
	Challenge string
}

// String describes p without its verifier.
func (p PKCE) String() string {
	return "cognito.PKCE{Challenge: " + p.Challenge + ", Verifier: [redacted]}"
}

// NewPKCE returns a fresh verifier (32 random bytes, 43 characters, as
// RFC 7636 section 4.1 recommends) and its S256 challenge.
func NewPKCE() (PKCE, error) { return NewPKCEFrom(rand.Reader) }

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
// BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 section 4.2).
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var (
	challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	verifierRe  = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
)

// AuthorizeOptions are the per-request parameters of AuthorizeURL.
type AuthorizeOptions struct {
	// State is the state parameter, required: use StateCodec.New.
	State string
	// CodeChallenge is PKCE.Challenge, required (method S256).
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

func (h *HostedUI) authorizeQuery(o AuthorizeOptions) (url.Values, error) {
	if o.State == "" {
		return nil, fmt.Errorf("cognito: authorize URL needs a state (CSRF protection): %w", ErrInvalidParameter)
	}
	if !challengeRe.MatchString(o.CodeChallenge) {
		return nil, fmt.Errorf("cognito: authorize URL needs an S256 PKCE challenge (NewPKCE): %w", ErrInvalidParameter)
	}
	if o.IdentityProvider != "" && !providerRe.MatchString(o.IdentityProvider) {
		return nil, fmt.Errorf("cognito: invalid identity provider name: %w", ErrInvalidParameter)
	}
	q := url.Values{"response_type": {"code"}, "client_id": {h.clientID}, "redirect_uri": {h.redirectURI},
		"state": {o.State}, "code_challenge": {o.CodeChallenge}, "code_challenge_method": {"S256"}}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = h.scopes
	}
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return nil, fmt.Errorf("cognito: invalid scope %q: %w", s, ErrInvalidParameter)
		}
	}
	if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	if o.IdentityProvider != "" {
		q.Set("identity_provider", o.IdentityProvider)
	}
	if o.Nonce != "" {
		q.Set("nonce", o.Nonce)
	}
	if o.Prompt != "" {
		q.Set("prompt", o.Prompt)
	}
	return q, nil
}

// AuthorizeURL returns the /oauth2/authorize URL to redirect the browser
// to. It fails with ErrInvalidParameter without a state or a valid S256
// challenge.
func (h *HostedUI) AuthorizeURL(o AuthorizeOptions) (string, error) {
	q, err := h.authorizeQuery(o)
	if err != nil {
		return "", err
	}
	return h.domain + "/oauth2/authorize?" + q.Encode(), nil
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
	q, err := h.authorizeQuery(o)
	if err != nil {
		return "", err
	}
	return h.domain + "/logout?" + q.Encode(), nil
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
// (grant_type=authorization_code). A confidential client authenticates
// with HTTP Basic. A code works once: a second exchange fails with
// ErrInvalidGrant, as does a wrong verifier.
func (h *HostedUI) Exchange(ctx context.Context, code, verifier string) (*Tokens, error) {
	if code == "" {
		return nil, fmt.Errorf("cognito: empty authorization code: %w", ErrInvalidParameter)
	}
	if !verifierRe.MatchString(verifier) {
		return nil, fmt.Errorf("cognito: PKCE verifier must be 43-128 unreserved characters: %w", ErrInvalidParameter)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.redirectURI},
		"code_verifier": {verifier}}
	return h.tokenRequest(ctx, form, "")
}

// Refresh gets new ID and access tokens for a refresh token
// (grant_type=refresh_token). The refresh token is kept in the result.
func (h *HostedUI) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("cognito: oauth token: %w", ErrNoRefreshToken)
	}
	return h.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, refreshToken)
}

// ClientCredentials gets an access token for the app client itself
// (grant_type=client_credentials), for machine-to-machine calls with
// resource-server scopes ("orders/read"). It needs a client secret. No
// scopes means every custom scope the client allows.
func (h *HostedUI) ClientCredentials(ctx context.Context, scopes ...string) (*Tokens, error) {
	if h.secret == "" {
		return nil, fmt.Errorf("cognito: client_credentials needs a client secret: %w", ErrInvalidParameter)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	return h.tokenRequest(ctx, form, "")
}

type tokenResponse struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

func (h *HostedUI) tokenRequest(ctx context.Context, form url.Values, keepRefresh string) (*Tokens, error) {
	var tr tokenResponse
	if err := h.post(ctx, "token", form, &tr); err != nil {
		return nil, err
	}
	if tr.AccessToken == "" {
		return nil, fmt.Errorf("%w: token endpoint answered no access_token", ErrInvalidResponse)
	}
	t := &Tokens{IDToken: tr.IDToken, AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken,
		TokenType: tr.TokenType, ExpiresIn: time.Duration(tr.ExpiresIn) * time.Second}
	if t.RefreshToken == "" {
		t.RefreshToken = keepRefresh
	}
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
// (POST /oauth2/revoke). Revoking an unknown token succeeds (RFC 7009).
func (h *HostedUI) Revoke(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return fmt.Errorf("cognito: oauth revoke: %w", ErrNoRefreshToken)
	}
	return h.post(ctx, "revoke", url.Values{"token": {refreshToken}}, nil)
}

// UserInfo is the answer of the userInfo endpoint: the user's attributes
// allowed by the access token's scopes. Cognito sends every value as a
// string ("email_verified": "true").
type UserInfo map[string]string

// UserInfo calls GET /oauth2/userInfo with the access token.
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

func (h *HostedUI) post(ctx context.Context, endpoint string, form url.Values, out any) error {
	if h.secret == "" {
		form.Set("client_id", h.clientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.domain+"/oauth2/"+endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("cognito: oauth %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if h.secret != "" {
		// RFC 6749 section 2.3.1: form-encode the ID and secret first.
		req.SetBasicAuth(url.QueryEscape(h.clientID), url.QueryEscape(h.secret))
	}
	return h.send(req, endpoint, out)
}

// send runs req and decodes a 200 answer into out (nil: ignore the body)
// or an error answer into an *OAuthError. Error text never carries the
// request's tokens or secrets.
func (h *HostedUI) send(req *http.Request, endpoint string, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // the URL may carry nothing secret, but keep errors short
		}
		return fmt.Errorf("cognito: oauth %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("cognito: oauth %s: reading the answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		return &OAuthError{Endpoint: endpoint, StatusCode: resp.StatusCode, Code: e.Error, Description: clip(e.Description)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: oauth %s: the answer is not JSON", ErrInvalidResponse, endpoint)
	}
	return nil
}
