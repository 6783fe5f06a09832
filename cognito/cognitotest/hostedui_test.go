package cognitotest

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	uiCallback = "https://app.example/callback"
	uiLogout   = "https://app.example/signed-out"
	uiFBApp    = "fbapp123"
	uiFBSecret = "fb-app-secret"
	// A fixed RFC 7636 verifier and its S256 challenge (Appendix B).
	uiVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	uiChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

// uiFixture is a pool with the hosted UI set up: a public client with the
// code flow, a confidential client with client_credentials, Facebook.
type uiFixture struct {
	*fixture
	conf AppClient
}

func newUIFixture(t testing.TB, po PoolOptions, optFns ...func(*Options)) *uiFixture {
	t.Helper()
	f := setup(t, po, ClientOptions{Name: "web", CallbackURLs: []string{uiCallback}, LogoutURLs: []string{uiLogout},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		SupportedIdentityProviders: []string{"COGNITO", "Facebook"}}, optFns...)
	f.s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "Facebook", AppID: uiFBApp, AppSecret: uiFBSecret,
		AttributeMapping: map[string]string{"email": "email", "name": "name"}})
	f.s.MustCreateResourceServer(f.pool, ResourceServerOptions{Identifier: "orders", Scopes: []string{"read", "write"}})
	conf := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{Name: "m2m", GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"},
		AllowedOAuthScopes: []string{"orders/read", "orders/write"}})
	return &uiFixture{fixture: f, conf: conf}
}

// agent is a browser stand-in: a cookie jar, no automatic redirects.
type agent struct {
	t    testing.TB
	c    *http.Client
	base string
}

func newAgent(t testing.TB, base string) *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type uiPage struct {
	status int
	loc    string
	body   string
}

func (a *agent) do(req *http.Request) uiPage {
	a.t.Helper()
	resp, err := a.c.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, "/") {
		loc = a.base + loc
	}
	return uiPage{resp.StatusCode, loc, string(b)}
}

func (a *agent) get(u string) uiPage {
	a.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return a.do(req)
}

func (a *agent) post(u string, form url.Values) uiPage {
	a.t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.do(req)
}

// browse follows redirects inside the emulator and stops at the first page
// or at a redirect leaving it (the app's callback).
func (a *agent) browse(u string) uiPage {
	a.t.Helper()
	for i := 0; i < 10; i++ {
		p := a.get(u)
		if p.status != http.StatusFound || !strings.HasPrefix(p.loc, a.base) {
			return p
		}
		u = p.loc
	}
	a.t.Fatal("redirect loop")
	return uiPage{}
}

var (
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// submit posts the page's form with its hidden fields plus fields.
func (a *agent) submit(p uiPage, fields url.Values) uiPage {
	a.t.Helper()
	m := actionRe.FindStringSubmatch(p.body)
	require.NotNil(a.t, m, "no form in page: %s", p.body)
	form := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(p.body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	action := html.UnescapeString(m[1])
	if strings.HasPrefix(action, "/") {
		action = a.base + action
	}
	return a.post(action, form)
}

func authorizeURL(s *Server, clientID string, extra url.Values) string {
	v := url.Values{"client_id": {clientID}, "redirect_uri": {uiCallback}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st-123"}, "code_challenge": {uiChallenge}, "code_challenge_method": {"S256"}}
	for k, x := range extra {
		v[k] = x
	}
	for k, x := range v {
		if len(x) == 1 && x[0] == "" {
			delete(v, k)
		}
	}
	return s.URL + "/oauth2/authorize?" + v.Encode()
}

// callbackCode checks a redirect to the app's callback and returns the code.
func callbackCode(t testing.TB, p uiPage) string {
	t.Helper()
	require.Equal(t, http.StatusFound, p.status, p.body)
	require.True(t, strings.HasPrefix(p.loc, uiCallback+"?"), p.loc)
	u, _ := url.Parse(p.loc)
	assert.Equal(t, "st-123", u.Query().Get("state"))
	require.Empty(t, u.Query().Get("error"), u.Query().Get("error_description"))
	return u.Query().Get("code")
}

func passwordLogin(t testing.TB, a *agent, authURL, user, pw string) uiPage {
	t.Helper()
	login := a.browse(authURL)
	require.Equal(t, 200, login.status, login.body)
	require.Contains(t, login.body, `id="signInFormUsername"`)
	return a.submit(login, url.Values{"username": {user}, "password": {pw}})
}

func tokenCall(t testing.TB, s *Server, form url.Values, auth string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	return resp.StatusCode, m
}

func exchangeForm(clientID, code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code},
		"redirect_uri": {uiCallback}, "code_verifier": {verifier}}
}

func TestHostedUIPasswordCodeFlow(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	code := callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, url.Values{"nonce": {"n-1"}}), "alice", testPassword))

	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	assert.Equal(t, "Bearer", tok["token_type"])
	assert.EqualValues(t, 3600, tok["expires_in"])
	access := decodeClaims(t, tok["access_token"].(string))
	assert.Equal(t, "openid email", access["scope"])
	assert.Equal(t, "alice", access["username"])
	id := decodeClaims(t, tok["id_token"].(string))
	assert.Equal(t, f.client.ID, id["aud"])
	assert.Equal(t, "n-1", id["nonce"])
	assert.NotEmpty(t, id["at_hash"])
	assert.Equal(t, "alice@example.com", id["email"])
	require.NoError(t, verifyRS256(fetchJWKS(t, f.s.JWKSURL(f.pool)), tok["id_token"].(string)))

	// userInfo: the scopes' attributes, as strings.
	info := userInfoCall(t, f.s, tok["access_token"].(string))
	assert.Equal(t, 200, info.status, info.body)
	var claims map[string]any
	require.NoError(t, json.Unmarshal([]byte(info.body), &claims))
	assert.Equal(t, "alice@example.com", claims["email"])
	assert.Equal(t, "true", claims["email_verified"])
	assert.Equal(t, "alice", claims["username"])

	// refresh_token grant keeps the scopes; no new refresh token.
	status, ref := tokenCall(t, f.s, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client.ID}, "refresh_token": {tok["refresh_token"].(string)}}, "")
	require.Equal(t, 200, status, ref)
	assert.Nil(t, ref["refresh_token"])
	assert.Equal(t, "openid email", decodeClaims(t, ref["access_token"].(string))["scope"])
	assert.NotEmpty(t, ref["id_token"])

	// The code is single-use (and its replay revokes these tokens, see
	// TestSecurityReview13_CodeReplayRevokesTokens).
	status, body := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", body["error"])

	// Single sign-on: the hosted UI's session cookie skips the login page.
	code2 := callbackCode(t, a.browse(authURLNoPKCE(f.s, f.client.ID)))
	status, _ = tokenCall(t, f.s, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.client.ID}, "code": {code2}, "redirect_uri": {uiCallback}}, "")
	assert.Equal(t, 200, status)
	// prompt=login asks for the password anyway.
	p := a.browse(authorizeURL(f.s, f.client.ID, url.Values{"prompt": {"login"}}))
	assert.Contains(t, p.body, `id="signInFormPassword"`)

	// Revoke: the refresh token stops working, and so do its access tokens.
	rv := revokeCall(t, f.s, url.Values{"token": {tok["refresh_token"].(string)}, "client_id": {f.client.ID}}, "")
	assert.Equal(t, 200, rv.status, rv.body)
	status, body = tokenCall(t, f.s, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client.ID}, "refresh_token": {tok["refresh_token"].(string)}}, "")
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", body["error"])
	assert.Equal(t, 401, userInfoCall(t, f.s, tok["access_token"].(string)).status)

	// Logout: a logout_uri that is not an exact sign-out URL is refused.
	for _, bad := range []string{uiLogout + "/", uiLogout + "?x=1", "https://evil.example/signed-out", ""} {
		p := a.get(f.s.URL + "/logout?" + url.Values{"client_id": {f.client.ID}, "logout_uri": {bad}}.Encode())
		assert.Equal(t, 400, p.status, bad)
	}
	p = a.get(f.s.URL + "/logout?" + url.Values{"client_id": {f.client.ID}, "logout_uri": {uiLogout}}.Encode())
	require.Equal(t, http.StatusFound, p.status, p.body)
	assert.Equal(t, uiLogout, p.loc)
	// The session is gone: authorize shows the login page again.
	p = a.browse(authorizeURL(f.s, f.client.ID, nil))
	assert.Equal(t, 200, p.status)
	assert.Contains(t, p.body, `id="signInFormUsername"`)
}

func authURLNoPKCE(s *Server, clientID string) string {
	return authorizeURL(s, clientID, url.Values{"code_challenge": {""}, "code_challenge_method": {""}})
}

func userInfoCall(t testing.TB, s *Server, tok string) uiPage {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return newAgent(t, s.URL).do(req)
}

func revokeCall(t testing.TB, s *Server, form url.Values, auth string) uiPage {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/oauth2/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return newAgent(t, s.URL).do(req)
}

func TestHostedUICodeExchangeErrors(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	freshCode := func() string {
		return callbackCode(t, a.browse(authorizeURL(f.s, f.client.ID, nil)))
	}
	// Sign in once so later codes come from the session.
	first := callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword))
	status, _ := tokenCall(t, f.s, exchangeForm(f.client.ID, first, uiVerifier), "")
	require.Equal(t, 200, status)

	tests := []struct {
		name   string
		form   func(code string) url.Values
		before func()
		want   string
		kept   bool // the code survives (refused before it was looked up)
	}{
		{"wrong verifier", func(c string) url.Values { return exchangeForm(f.client.ID, c, strings.Repeat("a", 43)) }, nil, "invalid_grant", false},
		{"missing verifier", func(c string) url.Values { return exchangeForm(f.client.ID, c, "") }, nil, "invalid_grant", false},
		{"short verifier", func(c string) url.Values { return exchangeForm(f.client.ID, c, "abc") }, nil, "invalid_grant", false},
		{"other redirect_uri", func(c string) url.Values {
			v := exchangeForm(f.client.ID, c, uiVerifier)
			v.Set("redirect_uri", uiCallback+"/x")
			return v
		}, nil, "invalid_grant", false},
		{"missing redirect_uri", func(c string) url.Values {
			v := exchangeForm(f.client.ID, c, uiVerifier)
			v.Del("redirect_uri")
			return v
		}, nil, "invalid_request", true},
		{"other client", func(c string) url.Values {
			other := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{Name: "other", CallbackURLs: []string{uiCallback}, AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}})
			return exchangeForm(other.ID, c, uiVerifier)
		}, nil, "invalid_grant", false},
		{"expired code", func(c string) url.Values { return exchangeForm(f.client.ID, c, uiVerifier) }, func() { f.s.Advance(AuthCodeLifetime + time.Second) }, "invalid_grant", false},
		{"unknown code", func(string) url.Values { return exchangeForm(f.client.ID, "nope", uiVerifier) }, nil, "invalid_grant", true},
		{"unknown grant", func(c string) url.Values {
			v := exchangeForm(f.client.ID, c, uiVerifier)
			v.Set("grant_type", "password")
			return v
		}, nil, "unsupported_grant_type", true},
		{"unknown client", func(c string) url.Values { return exchangeForm("nosuchclient", c, uiVerifier) }, nil, "invalid_client", true},
		{"secret for a public client", func(c string) url.Values {
			v := exchangeForm(f.client.ID, c, uiVerifier)
			v.Set("client_secret", "x")
			return v
		}, nil, "invalid_client", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := freshCode()
			if tc.before != nil {
				tc.before()
			}
			status, body := tokenCall(t, f.s, tc.form(c), "")
			assert.Equal(t, 400, status)
			assert.Equal(t, tc.want, body["error"])
			// A code that was looked up is burnt, whatever went wrong.
			status, _ = tokenCall(t, f.s, exchangeForm(f.client.ID, c, uiVerifier), "")
			if tc.kept {
				assert.Equal(t, 200, status)
			} else {
				assert.Equal(t, 400, status)
			}
		})
	}
	// Sessions last an hour; the expired-code case moved the clock.
}

func TestHostedUIAuthorizeErrors(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	noCode := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{Name: "nocode", CallbackURLs: []string{uiCallback}, AllowedOAuthFlows: []string{"implicit"}, AllowedOAuthScopes: []string{"openid"}})
	a := newAgent(t, f.s.URL)
	tests := []struct {
		name     string
		client   string
		extra    url.Values
		fatal    string // shown on the error page
		redirect string // sent back to the callback
	}{
		{"no client", "", nil, "invalid_request", ""},
		{"unknown client", "nosuchclient", nil, "invalid_request", ""},
		{"redirect not registered", f.client.ID, url.Values{"redirect_uri": {"https://evil.example/callback"}}, "redirect_mismatch", ""},
		{"redirect prefix only", f.client.ID, url.Values{"redirect_uri": {uiCallback + "/more"}}, "redirect_mismatch", ""},
		{"no response_type", f.client.ID, url.Values{"response_type": {""}}, "", "invalid_request"},
		{"implicit", f.client.ID, url.Values{"response_type": {"token"}}, "", "unsupported_response_type"},
		{"scope not allowed", f.client.ID, url.Values{"scope": {"openid phone"}}, "", "invalid_scope"},
		{"email without openid", f.client.ID, url.Values{"scope": {"email"}}, "", "invalid_scope"},
		{"plain PKCE", f.client.ID, url.Values{"code_challenge_method": {"plain"}}, "", "invalid_request"},
		{"malformed challenge", f.client.ID, url.Values{"code_challenge": {"short"}}, "", "invalid_request"},
		{"provider not enabled", f.client.ID, url.Values{"identity_provider": {"Google"}}, "", "invalid_request"},
		{"client without code flow", noCode.ID, nil, "", "unauthorized_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := a.get(authorizeURL(f.s, tc.client, tc.extra))
			if tc.fatal != "" {
				assert.Equal(t, 400, p.status)
				assert.Contains(t, p.body, tc.fatal)
				assert.Empty(t, p.loc)
				return
			}
			require.Equal(t, http.StatusFound, p.status, p.body)
			u, err := url.Parse(p.loc)
			require.NoError(t, err)
			assert.Equal(t, "app.example", u.Host)
			assert.Equal(t, tc.redirect, u.Query().Get("error"))
			assert.Equal(t, "st-123", u.Query().Get("state"))
			assert.Empty(t, u.Query().Get("code"))
		})
	}
	// The positive twin: a valid request reaches the login page.
	p := a.browse(authorizeURL(f.s, f.client.ID, nil))
	assert.Equal(t, 200, p.status)
	assert.Contains(t, p.body, `id="facebook-button"`)
}

func TestHostedUILoginErrors(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	f.s.MustCreateUser(f.pool, "dave", testPassword, nil)
	_, err := f.c.AdminDisableUser(ctx(), &cip.AdminDisableUserInput{UserPoolId: &f.pool, Username: aws.String("dave")})
	require.NoError(t, err)
	a := newAgent(t, f.s.URL)
	tests := []struct{ user, pw, want string }{
		{"alice", "wrong", "Incorrect username or password."},
		{"nobody", testPassword, "User does not exist."},
		{"dave", testPassword, "User is disabled."},
		{"", "", "Username and password are required."},
	}
	for _, tc := range tests {
		t.Run(tc.user+"/"+tc.want, func(t *testing.T) {
			p := passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), tc.user, tc.pw)
			assert.Equal(t, 200, p.status)
			assert.Contains(t, html.UnescapeString(p.body), tc.want)
		})
	}
	t.Run("csrf", func(t *testing.T) {
		login := a.browse(authorizeURL(f.s, f.client.ID, nil))
		m := actionRe.FindStringSubmatch(login.body)
		other := newAgent(t, f.s.URL) // no CSRF cookie
		p := other.post(f.s.URL+html.UnescapeString(m[1]), url.Values{"username": {"alice"}, "password": {testPassword}, "_csrf": {strings.Repeat("x", 43)}})
		assert.Equal(t, 403, p.status)
		p = a.submit(login, url.Values{"username": {"alice"}, "password": {testPassword}, "_csrf": {"forged"}})
		assert.Equal(t, 403, p.status)
	})
	t.Run("lockout", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", "wrong")
		}
		p := passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword)
		assert.Contains(t, p.body, "Password attempts exceeded")
		f.s.Advance(2 * time.Second)
		callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword))
	})
}

func TestHostedUINewPasswordAndTOTP(t *testing.T) {
	f := newUIFixture(t, PoolOptions{MFA: "OPTIONAL"})
	_, err := f.c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("bob"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	a := newAgent(t, f.s.URL)
	// The access token is used for self-service operations: it needs
	// aws.cognito.signin.user.admin.
	p := passwordLogin(t, a, authorizeURL(f.s, f.client.ID, url.Values{"scope": {"openid aws.cognito.signin.user.admin"}}), "bob", "Temp-Passw0rd!")
	require.Contains(t, p.body, `id="newPassword"`)
	bad := a.submit(p, url.Values{"new_password": {"short"}, "confirm_password": {"short"}})
	assert.Contains(t, html.UnescapeString(bad.body), "Password did not conform with policy")
	mismatch := a.submit(bad, url.Values{"new_password": {"New-Passw0rd!"}, "confirm_password": {"Other-Passw0rd!"}})
	assert.Contains(t, mismatch.body, "Passwords do not match")
	code := callbackCode(t, a.submit(mismatch, url.Values{"new_password": {"New-Passw0rd!"}, "confirm_password": {"New-Passw0rd!"}}))
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)

	// Turn on TOTP for bob, then sign in through the hosted UI.
	at := tok["access_token"].(string)
	assoc, err := f.c.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{AccessToken: &at})
	require.NoError(t, err)
	_, err = f.c.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{AccessToken: &at, UserCode: aws.String(f.s.MustTOTP(*assoc.SecretCode))})
	require.NoError(t, err)
	_, err = f.c.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: &at,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	require.NoError(t, err)
	f.s.Advance(31 * time.Second) // a fresh TOTP step

	b := newAgent(t, f.s.URL)
	p = passwordLogin(t, b, authorizeURL(f.s, f.client.ID, nil), "bob", "New-Passw0rd!")
	require.Contains(t, p.body, `id="mfaCode"`)
	wrong := b.submit(p, url.Values{"mfa_code": {"000000"}})
	assert.Contains(t, html.UnescapeString(wrong.body), "Invalid verification code")
	callbackCode(t, b.submit(wrong, url.Values{"mfa_code": {f.s.MustTOTP(*assoc.SecretCode)}}))
	// A forged flow ID is refused.
	p = passwordLogin(t, b, authorizeURL(f.s, f.client.ID, url.Values{"prompt": {"login"}}), "bob", "New-Passw0rd!")
	p.body = strings.Replace(p.body, `name="_flow" value="`, `name="_flow" value="x`, 1)
	assert.Contains(t, b.submit(p, url.Values{"mfa_code": {"123456"}}).body, "session has expired")
}

func TestHostedUIFacebook(t *testing.T) {
	var mu sync.Mutex
	var events []TriggerEvent
	record := func(_ context.Context, ev TriggerEvent) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		return nil
	}
	f := newUIFixture(t, PoolOptions{}, func(o *Options) {
		o.Triggers = &HostedUITriggers{PostConfirmation: record, PostAuthentication: record}
	})
	signIn := func(a *agent, fbID string) uiPage {
		t.Helper()
		login := a.browse(authorizeURL(f.s, f.client.ID, nil))
		m := regexp.MustCompile(`id="facebook-button" href="([^"]+)"`).FindStringSubmatch(login.body)
		require.NotNil(t, m, login.body)
		consent := a.browse(f.s.URL + html.UnescapeString(m[1]))
		require.Equal(t, 200, consent.status, consent.body)
		require.Contains(t, consent.body, `id="fb-continue"`)
		back := a.submit(consent, url.Values{"user_id": {fbID}, "name": {"Fay Book"}, "email": {"fay@example.com"}, "action": {"allow"}})
		require.Equal(t, http.StatusFound, back.status, back.body)
		require.True(t, strings.HasPrefix(back.loc, f.s.URL+"/oauth2/idpresponse?"), back.loc)
		return a.get(back.loc)
	}
	code := callbackCode(t, signIn(newAgent(t, f.s.URL), "10001"))
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	id := decodeClaims(t, tok["id_token"].(string))
	assert.Equal(t, "Facebook_10001", id["cognito:username"])
	assert.Equal(t, "fay@example.com", id["email"])
	assert.Equal(t, []any{FacebookGroup(f.pool)}, id["cognito:groups"])
	idents := id["identities"].([]any)
	require.Len(t, idents, 1)
	assert.Equal(t, "Facebook", idents[0].(map[string]any)["providerName"])
	assert.Equal(t, "10001", idents[0].(map[string]any)["userId"])
	u, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("Facebook_10001")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusType("EXTERNAL_PROVIDER"), u.UserStatus)

	// The second sign-in (new browser) fires PostAuthentication, not
	// PostConfirmation, and creates no second user.
	callbackCode(t, signIn(newAgent(t, f.s.URL), "10001"))
	mu.Lock()
	require.Len(t, events, 2)
	assert.Equal(t, TriggerPostConfirmation, events[0].TriggerSource)
	assert.Equal(t, "Facebook_10001", events[0].Username)
	assert.Equal(t, "Facebook", events[0].Provider)
	assert.Equal(t, TriggerPostAuthentication, events[1].TriggerSource)
	mu.Unlock()

	// Cancel at Facebook: access_denied back to the app.
	a := newAgent(t, f.s.URL)
	consent := a.browse(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Facebook"}}))
	back := a.submit(consent, url.Values{"action": {"deny"}})
	p := a.get(back.loc)
	require.Equal(t, http.StatusFound, p.status)
	loc, _ := url.Parse(p.loc)
	assert.Equal(t, "access_denied", loc.Query().Get("error"))
	assert.Equal(t, "st-123", loc.Query().Get("state"))
	// A replayed idpresponse (state already used) is refused.
	assert.Equal(t, 400, a.get(back.loc).status)
	// A forged code from Facebook is refused.
	consent = a.browse(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Facebook"}}))
	back = a.submit(consent, url.Values{"action": {"allow"}, "user_id": {"10001"}})
	forged, _ := url.Parse(back.loc)
	q := forged.Query()
	q.Set("code", "AQforged")
	forged.RawQuery = q.Encode()
	p = a.get(forged.String())
	loc, _ = url.Parse(p.loc)
	assert.Equal(t, "invalid_request", loc.Query().Get("error"))

	// A failing PostConfirmation fails the sign-in.
	f.s.opts.Triggers.PostConfirmation = func(context.Context, TriggerEvent) error { return assert.AnError }
	p = signIn(newAgent(t, f.s.URL), "20002")
	loc, _ = url.Parse(p.loc)
	assert.Contains(t, loc.Query().Get("error_description"), "PostConfirmation")
}

func TestHostedUIClientCredentialsAndAuth(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	tests := []struct {
		name   string
		form   url.Values
		auth   string
		status int
		want   string
	}{
		{"basic, default scopes", url.Values{"grant_type": {"client_credentials"}}, basicAuth(f.conf.ID, f.conf.Secret), 200, ""},
		{"post secret, one scope", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.conf.ID}, "client_secret": {f.conf.Secret}, "scope": {"orders/read"}}, "", 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}}, basicAuth(f.conf.ID, "wrong"), 400, "invalid_client"},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.conf.ID}}, "", 400, "invalid_client"},
		{"mismatched client_id", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.client.ID}}, basicAuth(f.conf.ID, f.conf.Secret), 400, "invalid_client"},
		{"scope not allowed", url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/delete"}}, basicAuth(f.conf.ID, f.conf.Secret), 400, "invalid_scope"},
		{"public client", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.client.ID}}, "", 400, "unauthorized_client"},
		{"no grant type", url.Values{}, basicAuth(f.conf.ID, f.conf.Secret), 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tokenCall(t, f.s, tc.form, tc.auth)
			assert.Equal(t, tc.status, status, body)
			if tc.want != "" {
				assert.Equal(t, tc.want, body["error"])
				return
			}
			claims := decodeClaims(t, body["access_token"].(string))
			assert.Equal(t, f.conf.ID, claims["sub"])
			assert.Equal(t, f.conf.ID, claims["client_id"])
			assert.Contains(t, claims["scope"], "orders/read")
			assert.Nil(t, body["refresh_token"])
			assert.Nil(t, body["id_token"])
		})
	}
	t.Run("GET and wrong content type", func(t *testing.T) {
		resp, err := http.Get(f.s.URL + "/oauth2/token")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 405, resp.StatusCode)
		resp, err = http.Post(f.s.URL+"/oauth2/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		require.NoError(t, err)
		var m map[string]string
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		resp.Body.Close()
		assert.Equal(t, 400, resp.StatusCode)
		assert.Equal(t, "invalid_request", m["error"])
	})
	t.Run("userInfo errors", func(t *testing.T) {
		p := userInfoCall(t, f.s, "")
		assert.Equal(t, 401, p.status)
		assert.Contains(t, p.body, "invalid_request")
		p = userInfoCall(t, f.s, "garbage")
		assert.Equal(t, 401, p.status)
		assert.Contains(t, p.body, "invalid_token")
		_, body := tokenCall(t, f.s, url.Values{"grant_type": {"client_credentials"}}, basicAuth(f.conf.ID, f.conf.Secret))
		assert.Equal(t, 401, userInfoCall(t, f.s, body["access_token"].(string)).status, "no user behind a client_credentials token")
		f.s.Advance(2 * time.Hour)
		tok := mustTokens(t, f.fixture, "alice")
		p = userInfoCall(t, f.s, *tok.AccessToken)
		assert.Equal(t, 200, p.status, "an InitiateAuth access token has aws.cognito.signin.user.admin: %s", p.body)
	})
	t.Run("revoke errors", func(t *testing.T) {
		tok := mustTokens(t, f.fixture, "alice")
		assert.Equal(t, 400, revokeCall(t, f.s, url.Values{"client_id": {f.client.ID}}, "").status)
		p := revokeCall(t, f.s, url.Values{"token": {*tok.AccessToken}, "client_id": {f.client.ID}}, "")
		assert.Equal(t, 400, p.status)
		assert.Contains(t, p.body, "unsupported_token_type")
		p = revokeCall(t, f.s, url.Values{"token": {*tok.RefreshToken}}, basicAuth(f.conf.ID, f.conf.Secret))
		assert.Equal(t, 400, p.status)
		assert.Contains(t, p.body, "unauthorized_client")
		p = revokeCall(t, f.s, url.Values{"token": {"unknown"}, "client_id": {f.client.ID}}, "")
		assert.Equal(t, 200, p.status, "RFC 7009: unknown tokens are not an error")
	})
}

func TestHostedUILogoutAndDiscovery(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword))
	// Sign out and in again: redirect_uri + response_type leads to the login page.
	v := url.Values{"client_id": {f.client.ID}, "redirect_uri": {uiCallback}, "response_type": {"code"}, "scope": {"openid"}, "state": {"st-123"}}
	p := a.get(f.s.URL + "/logout?" + v.Encode())
	require.Equal(t, http.StatusFound, p.status, p.body)
	assert.True(t, strings.HasPrefix(p.loc, f.s.URL+"/login?"), p.loc)
	assert.Contains(t, a.get(p.loc).body, `id="signInFormUsername"`)
	v.Set("redirect_uri", "https://evil.example/")
	assert.Equal(t, 400, a.get(f.s.URL+"/logout?"+v.Encode()).status)
	assert.Equal(t, 400, a.get(f.s.URL+"/logout?client_id=nosuch&logout_uri="+url.QueryEscape(uiLogout)).status)
	assert.Equal(t, 400, a.get(f.s.URL+"/logout?client_id="+f.client.ID).status)

	resp, err := http.Get(f.s.Issuer(f.pool) + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&cfg))
	resp.Body.Close()
	for k, path := range map[string]string{"authorization_endpoint": "/oauth2/authorize", "token_endpoint": "/oauth2/token",
		"userinfo_endpoint": "/oauth2/userInfo", "revocation_endpoint": "/oauth2/revoke", "end_session_endpoint": "/logout"} {
		assert.Equal(t, f.s.URL+path, cfg[k], k)
	}
	assert.Equal(t, []any{"S256"}, cfg["code_challenge_methods_supported"])
}

func TestHostedUISeedAndOptions(t *testing.T) {
	cfg, err := ParseSeedConfig(strings.NewReader(`{"userPools": [{"id": "us-east-1_Hosted001", "name": "hosted",
	  "identityProviders": [{"type": "Facebook", "appId": "42", "appSecret": "s", "attributeMapping": {"email": "email"}}],
	  "resourceServers": [{"identifier": "orders", "scopes": ["read"]}],
	  "clients": [{"id": "hostedclient00000000000001", "name": "web", "callbackURLs": ["https://app.example/callback"],
	    "allowedOAuthFlows": ["code"], "allowedOAuthScopes": ["openid", "orders/read"], "supportedIdentityProviders": ["COGNITO", "Facebook"]}]}]}`))
	require.NoError(t, err)
	s := newServer(t)
	require.NoError(t, s.Seed(cfg))
	require.NoError(t, s.Seed(cfg), "idempotent")
	p := newAgent(t, s.URL).browse(authorizeURL(s, "hostedclient00000000000001", url.Values{"scope": {"openid orders/read"}}))
	assert.Equal(t, 200, p.status, p.body)
	assert.Contains(t, p.body, "facebook-button")

	pool := s.MustCreateUserPool(PoolOptions{})
	for _, bad := range []IdentityProviderOptions{
		{Type: "Google", AppID: "x"},
		{Type: "Facebook"},
		{Type: "Facebook", AppID: "x", AttributeMapping: map[string]string{"nosuchattr": "email"}},
		{Type: "Facebook", AppID: "x", AttributeMapping: map[string]string{"email": "birthday"}},
		{Type: "Facebook", Name: "COGNITO", AppID: "x"},
	} {
		assert.Error(t, s.CreateIdentityProvider(pool, bad), "%+v", bad)
	}
	assert.Error(t, s.CreateIdentityProvider("us-east-1_Nope", IdentityProviderOptions{Type: "Facebook", AppID: "x"}))
	assert.NoError(t, s.CreateIdentityProvider(pool, IdentityProviderOptions{Type: "Facebook", AppID: "x"}))
	assert.Error(t, s.CreateResourceServer(pool, ResourceServerOptions{Identifier: "bad id"}))
	assert.Error(t, s.CreateResourceServer(pool, ResourceServerOptions{Identifier: "ok", Scopes: []string{"a/b"}}))
	assert.NoError(t, s.CreateResourceServer(pool, ResourceServerOptions{Identifier: "ok", Scopes: []string{"read"}}))
}

// FuzzHostedUIEndpoints throws arbitrary queries and bodies at the hosted
// UI's endpoints: they answer, never panic, and never issue a code or a
// token to a request that names no valid client.
func FuzzHostedUIEndpoints(f *testing.F) {
	s := NewUnstartedServer(func(o *Options) { o.AllowUnsigned = true })
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{CallbackURLs: []string{uiCallback}, AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}})
	h := s.Handler()
	f.Add("/oauth2/authorize", "client_id="+cl.ID+"&redirect_uri="+url.QueryEscape(uiCallback)+"&response_type=code", "")
	f.Add("/oauth2/token", "", "grant_type=authorization_code&client_id="+cl.ID+"&code=x&redirect_uri=y")
	f.Add("/login", "client_id="+cl.ID, "username=a&password=b&_csrf=c")
	f.Add("/logout", "client_id="+cl.ID+"&logout_uri=%zz", "")
	f.Add("/oauth2/idpresponse", "state=abc&code=def", "")
	f.Add("/oauth2/userInfo", "", "")
	f.Add("/oauth2/revoke", "", "token=a.b.c&client_id="+cl.ID)
	f.Fuzz(func(t *testing.T, path, query, body string) {
		switch path {
		case "/oauth2/authorize", "/oauth2/token", "/login", "/logout", "/oauth2/idpresponse", "/oauth2/userInfo", "/oauth2/revoke", "/error":
		default:
			path = "/oauth2/authorize"
		}
		for _, method := range []string{"GET", "POST"} {
			req, err := http.NewRequest(method, "http://127.0.0.1:1"+path, strings.NewReader(body))
			if err != nil {
				return
			}
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == 200 && path == "/oauth2/token" {
				t.Fatalf("token issued for %q %q", query, body)
			}
			if loc := rec.Header().Get("Location"); strings.Contains(loc, "code=") && strings.HasPrefix(loc, uiCallback) {
				t.Fatalf("code issued without signing in: %s", loc)
			}
		}
	})
}

func TestHostedUIConfigOperations(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{Name: "web", CallbackURLs: []string{uiCallback}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "orders/read"}, SupportedIdentityProviders: []string{"COGNITO", "Facebook"}})
	out, err := f.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Facebook"),
		ProviderType: types.IdentityProviderTypeTypeFacebook, ProviderDetails: map[string]string{"client_id": "fb9", "client_secret": "s", "authorize_scopes": "email"},
		AttributeMapping: map[string]string{"email": "email"}})
	require.NoError(t, err)
	assert.Equal(t, "fb9", out.IdentityProvider.ProviderDetails["client_id"])
	assert.NotContains(t, out.IdentityProvider.ProviderDetails, "client_secret")
	_, err = f.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Facebook"),
		ProviderType: types.IdentityProviderTypeTypeFacebook, ProviderDetails: map[string]string{"client_id": "fb9"}})
	requireCode(t, err, "DuplicateProviderException")
	_, err = f.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Okta"),
		ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: map[string]string{"client_id": "x"}})
	requireCode(t, err, "InvalidParameterException")
	d, err := f.c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Facebook")})
	require.NoError(t, err)
	assert.Equal(t, "id", d.IdentityProvider.AttributeMapping["username"])
	l, err := f.c.ListIdentityProviders(ctx(), &cip.ListIdentityProvidersInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	require.Len(t, l.Providers, 1)

	_, err = f.c.CreateResourceServer(ctx(), &cip.CreateResourceServerInput{UserPoolId: &f.pool, Identifier: aws.String("orders"), Name: aws.String("Orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}})
	require.NoError(t, err)
	rs, err := f.c.DescribeResourceServer(ctx(), &cip.DescribeResourceServerInput{UserPoolId: &f.pool, Identifier: aws.String("orders")})
	require.NoError(t, err)
	assert.Equal(t, "read", *rs.ResourceServer.Scopes[0].ScopeName)
	_, err = f.c.DescribeResourceServer(ctx(), &cip.DescribeResourceServerInput{UserPoolId: &f.pool, Identifier: aws.String("nope")})
	requireCode(t, err, "ResourceNotFoundException")

	// The hosted UI now offers Facebook and the custom scope.
	cb, err := f.s.HostedFacebookSignIn(authorizeURL(f.s, f.client.ID, url.Values{"scope": {"openid orders/read"}}), FacebookUser{ID: "5", Email: "five@example.com"})
	require.NoError(t, err)
	code := callbackCode(t, uiPage{status: http.StatusFound, loc: cb})
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	assert.Equal(t, "openid orders/read", decodeClaims(t, tok["access_token"].(string))["scope"])

	_, err = f.c.DeleteIdentityProvider(ctx(), &cip.DeleteIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Facebook")})
	require.NoError(t, err)
	_, err = f.c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Facebook")})
	requireCode(t, err, "ResourceNotFoundException")
	cb, err = f.s.HostedFacebookSignIn(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Facebook"}, "scope": {"openid"}}), FacebookUser{ID: "5"})
	require.NoError(t, err)
	assert.Contains(t, cb, "error=invalid_request", "the provider is gone")
}
