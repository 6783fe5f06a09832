package cognito_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

const (
	hCallback = "https://app.example/callback"
	hLogout   = "https://app.example/bye"
)

type hostedFixture struct {
	srv        *cognitotest.Server
	pool       string
	pub, conf  cognitotest.AppClient
	ui, confUI *cognito.HostedUI
}

func newHostedFixture(t *testing.T) *hostedFixture {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	srv.MustCreateResourceServer(pool, cognitotest.ResourceServerOptions{Identifier: "orders", Scopes: []string{"read", "write"}})
	srv.MustCreateIdentityProvider(pool, cognitotest.IdentityProviderOptions{Type: "Facebook", AppID: "fb1", AppSecret: "fbsecret"})
	pub := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "web", CallbackURLs: []string{hCallback}, LogoutURLs: []string{hLogout},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"},
		SupportedIdentityProviders: []string{"COGNITO", "Facebook"}})
	conf := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "server", GenerateSecret: true, CallbackURLs: []string{hCallback},
		AllowedOAuthFlows: []string{"code", "client_credentials"}, AllowedOAuthScopes: []string{"openid", "orders/read", "orders/write"}})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com", "name": "Alice"})
	ui, err := cognito.NewHostedUI(srv.HostedUIURL(), pub.ID, hCallback, func(o *cognito.HostedUIOptions) {
		o.Scopes = []string{"openid", "email"}
	})
	require.NoError(t, err)
	confUI, err := cognito.NewHostedUI(srv.HostedUIURL(), conf.ID, hCallback, func(o *cognito.HostedUIOptions) {
		o.ClientSecret = conf.Secret
		o.Scopes = []string{"openid"}
	})
	require.NoError(t, err)
	return &hostedFixture{srv: srv, pool: pool, pub: pub, conf: conf, ui: ui, confUI: confUI}
}

// signIn runs authorize → hosted sign-in → callback and returns the code
// and the PKCE verifier.
func (f *hostedFixture) signIn(t *testing.T, ui *cognito.HostedUI) (code, verifier string) {
	t.Helper()
	p, err := cognito.NewPKCE()
	require.NoError(t, err)
	u, err := ui.AuthorizeURL(cognito.AuthorizeOptions{State: "s1", CodeChallenge: p.Challenge})
	require.NoError(t, err)
	return f.code(t, u, "s1"), p.Verifier
}

// code signs alice in at authorizeURL and returns the code of the
// callback, whose state must be state.
func (f *hostedFixture) code(t *testing.T, authorizeURL, state string) string {
	t.Helper()
	cb, err := f.srv.HostedSignIn(authorizeURL, "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	cbURL, err := url.Parse(cb)
	require.NoError(t, err)
	code, got, err := cognito.ParseCallback(cbURL.Query())
	require.NoError(t, err)
	require.Equal(t, state, got)
	return code
}

func TestHostedUIGrants(t *testing.T) {
	f := newHostedFixture(t)
	ctx := context.Background()

	t.Run("public client with PKCE", func(t *testing.T) {
		code, verifier := f.signIn(t, f.ui)
		tok, err := f.ui.Exchange(ctx, code, verifier)
		require.NoError(t, err)
		assert.Equal(t, "alice", tok.Username)
		assert.Equal(t, time.Hour, tok.ExpiresIn)
		assert.NotEmpty(t, tok.IDToken)
		assert.NotEmpty(t, tok.RefreshToken)
		assert.NotContains(t, tok.String(), tok.AccessToken)

		info, err := f.ui.UserInfo(ctx, tok.AccessToken)
		require.NoError(t, err)
		assert.Equal(t, "alice@example.com", info["email"])
		assert.Equal(t, "true", info["email_verified"])
		assert.Empty(t, info["name"], "profile scope not asked for")

		again, err := f.ui.Refresh(ctx, tok.RefreshToken)
		require.NoError(t, err)
		assert.Equal(t, tok.RefreshToken, again.RefreshToken, "refresh keeps the refresh token")
		assert.NotEqual(t, tok.AccessToken, again.AccessToken)

		require.NoError(t, f.ui.Revoke(ctx, tok.RefreshToken))
		_, err = f.ui.Refresh(ctx, tok.RefreshToken)
		assert.ErrorIs(t, err, cognito.ErrInvalidGrant)
		_, err = f.ui.UserInfo(ctx, again.AccessToken)
		assert.ErrorIs(t, err, cognito.ErrInvalidToken, "revocation reaches the access tokens")

		// Last: replaying the code also revokes its tokens (RFC 6749 section 4.1.2).
		_, err = f.ui.Exchange(ctx, code, verifier)
		assert.ErrorIs(t, err, cognito.ErrInvalidGrant, "codes are single-use")
		var oe *cognito.OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, 400, oe.StatusCode)
		assert.NotContains(t, err.Error(), code)
	})
	t.Run("wrong verifier", func(t *testing.T) {
		code, _ := f.signIn(t, f.ui)
		other, _ := cognito.NewPKCE()
		_, err := f.ui.Exchange(ctx, code, other.Verifier)
		assert.ErrorIs(t, err, cognito.ErrInvalidGrant)
	})
	t.Run("confidential client with basic auth", func(t *testing.T) {
		code, verifier := f.signIn(t, f.confUI)
		tok, err := f.confUI.Exchange(ctx, code, verifier)
		require.NoError(t, err)
		assert.Equal(t, "alice", tok.Username)
		assert.Contains(t, f.confUI.String(), "[redacted]")
		assert.NotContains(t, f.confUI.String(), f.conf.Secret)

		bad, err := cognito.NewHostedUI(f.srv.HostedUIURL(), f.conf.ID, hCallback, func(o *cognito.HostedUIOptions) { o.ClientSecret = "wrong" })
		require.NoError(t, err)
		code, verifier = f.signIn(t, f.confUI)
		_, err = bad.Exchange(ctx, code, verifier)
		assert.ErrorIs(t, err, cognito.ErrInvalidClient)
		assert.NotContains(t, err.Error(), "wrong")
	})
	t.Run("client credentials", func(t *testing.T) {
		tok, err := f.confUI.ClientCredentials(ctx, "orders/read")
		require.NoError(t, err)
		c, err := cognito.ParseClaims(tok.AccessToken)
		require.NoError(t, err)
		assert.Equal(t, f.conf.ID, c.ClientID)
		assert.Empty(t, tok.RefreshToken)
		_, err = f.confUI.ClientCredentials(ctx, "orders/delete")
		assert.ErrorIs(t, err, cognito.ErrInvalidScope)
		_, err = f.ui.ClientCredentials(ctx)
		assert.ErrorIs(t, err, cognito.ErrInvalidParameter, "a public client has no secret")
	})
	t.Run("logout URLs", func(t *testing.T) {
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := hc.Get(f.ui.LogoutURL(hLogout))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Equal(t, hLogout, resp.Header.Get("Location"))
		resp, err = hc.Get(f.ui.LogoutURL(hLogout + "/"))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "logout_uri must match exactly")
		p, _ := cognito.NewPKCE()
		u, err := f.ui.LogoutAndSignInURL(cognito.AuthorizeOptions{State: "s", CodeChallenge: p.Challenge})
		require.NoError(t, err)
		resp, err = hc.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Contains(t, resp.Header.Get("Location"), "/login?")
	})
	t.Run("facebook", func(t *testing.T) {
		p, _ := cognito.NewPKCE()
		u, err := f.ui.AuthorizeURL(cognito.AuthorizeOptions{State: "s2", CodeChallenge: p.Challenge, IdentityProvider: cognito.IdentityProviderFacebook})
		require.NoError(t, err)
		cb, err := f.srv.HostedFacebookSignIn(u, cognitotest.FacebookUser{ID: "777", Name: "Fay", Email: "fay@example.com"})
		require.NoError(t, err)
		cbURL, _ := url.Parse(cb)
		code, _, err := cognito.ParseCallback(cbURL.Query())
		require.NoError(t, err)
		tok, err := f.ui.Exchange(ctx, code, p.Verifier)
		require.NoError(t, err)
		assert.Equal(t, "Facebook_777", tok.Username)
	})
}

func TestHostedUIConstruction(t *testing.T) {
	tests := []struct {
		name, domain, client, redirect string
		ok                             bool
	}{
		{"cognito domain", cognito.HostedUIDomain("myapp", "eu-west-1"), "c", hCallback, true},
		{"emulator", "http://127.0.0.1:9229", "c", "http://127.0.0.1:8080/callback", true},
		{"localhost", "http://localhost:9229/", "c", hCallback, true},
		{"plain http elsewhere", "http://auth.example.com", "c", hCallback, false},
		{"not a URL", "auth.example.com", "c", hCallback, false},
		{"query in domain", "https://auth.example.com?x=1", "c", hCallback, false},
		{"no client", "https://auth.example.com", "", hCallback, false},
		{"relative redirect", "https://auth.example.com", "c", "/callback", false},
		{"fragment redirect", "https://auth.example.com", "c", hCallback + "#x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cognito.NewHostedUI(tc.domain, tc.client, tc.redirect)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, cognito.ErrInvalidParameter)
			}
		})
	}
	assert.Equal(t, "https://myapp.auth.eu-west-1.amazoncognito.com", cognito.HostedUIDomain("myapp", "eu-west-1"))
}

func TestAuthorizeURL(t *testing.T) {
	ui, err := cognito.NewHostedUI("https://auth.example.com", "client1", hCallback, func(o *cognito.HostedUIOptions) {
		o.Scopes = []string{"openid", "email"}
	})
	require.NoError(t, err)
	p, err := cognito.NewPKCEFrom(bytes.NewReader(make([]byte, 32)))
	require.NoError(t, err)
	assert.Equal(t, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", p.Verifier)
	assert.NotContains(t, p.String(), p.Verifier)
	tests := []struct {
		name string
		o    cognito.AuthorizeOptions
		want map[string]string
		err  bool
	}{
		{"defaults", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge},
			map[string]string{"scope": "openid email", "identity_provider": "", "code_challenge_method": "S256", "response_type": "code"}, false},
		{"facebook", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge, IdentityProvider: cognito.IdentityProviderFacebook},
			map[string]string{"identity_provider": "Facebook"}, false},
		{"google, amazon, apple, named", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge, IdentityProvider: "MyOkta"},
			map[string]string{"identity_provider": "MyOkta"}, false},
		{"cognito, scopes, nonce, prompt", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge, IdentityProvider: cognito.IdentityProviderCognito,
			Scopes: []string{"openid", "orders/read"}, Nonce: "n", Prompt: "login"},
			map[string]string{"identity_provider": "COGNITO", "scope": "openid orders/read", "nonce": "n", "prompt": "login"}, false},
		{"no state", cognito.AuthorizeOptions{CodeChallenge: p.Challenge}, nil, true},
		{"no challenge", cognito.AuthorizeOptions{State: "st"}, nil, true},
		{"plain challenge", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Verifier + "x"}, nil, true},
		{"bad scope", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge, Scopes: []string{"a b"}}, nil, true},
		{"bad provider", cognito.AuthorizeOptions{State: "st", CodeChallenge: p.Challenge, IdentityProvider: "a b"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := ui.AuthorizeURL(tc.o)
			if tc.err {
				assert.ErrorIs(t, err, cognito.ErrInvalidParameter)
				return
			}
			require.NoError(t, err)
			u, err := url.Parse(raw)
			require.NoError(t, err)
			assert.Equal(t, "auth.example.com", u.Host)
			assert.Equal(t, "/oauth2/authorize", u.Path)
			q := u.Query()
			assert.Equal(t, "client1", q.Get("client_id"))
			assert.Equal(t, hCallback, q.Get("redirect_uri"))
			assert.Equal(t, "st", q.Get("state"))
			assert.Equal(t, p.Challenge, q.Get("code_challenge"))
			for k, v := range tc.want {
				assert.Equal(t, v, q.Get(k), k)
			}
		})
	}
	lo := ui.LogoutURL(hLogout)
	assert.Equal(t, "https://auth.example.com/logout?client_id=client1&logout_uri="+url.QueryEscape(hLogout), lo)
}

func TestPKCEKnownAnswer(t *testing.T) {
	// RFC 7636, Appendix B.
	assert.Equal(t, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", cognito.PKCEChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	a, err := cognito.NewPKCE()
	require.NoError(t, err)
	b, err := cognito.NewPKCE()
	require.NoError(t, err)
	assert.Len(t, a.Verifier, 43)
	assert.NotEqual(t, a.Verifier, b.Verifier)
	assert.Equal(t, cognito.PKCEChallenge(a.Verifier), a.Challenge)
	_, err = cognito.NewPKCEFrom(bytes.NewReader(nil))
	assert.Error(t, err)
}

func TestParseCallback(t *testing.T) {
	code, state, err := cognito.ParseCallback(url.Values{"code": {"c"}, "state": {"s"}})
	require.NoError(t, err)
	assert.Equal(t, "c", code)
	assert.Equal(t, "s", state)
	_, state, err = cognito.ParseCallback(url.Values{"error": {"access_denied"}, "error_description": {"user cancelled"}, "state": {"s"}})
	assert.ErrorIs(t, err, cognito.ErrAccessDenied)
	assert.Equal(t, "s", state)
	_, _, err = cognito.ParseCallback(url.Values{"state": {"s"}})
	assert.ErrorIs(t, err, cognito.ErrInvalidRequest)
}

func TestOAuthErrorMapping(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   error
	}{
		{400, `{"error":"invalid_grant"}`, cognito.ErrInvalidGrant},
		{400, `{"error":"invalid_client"}`, cognito.ErrInvalidClient},
		{401, `{"error":"invalid_client"}`, cognito.ErrInvalidClient},
		{400, `{"error":"unauthorized_client"}`, cognito.ErrUnauthorizedClient},
		{400, `{"error":"invalid_request","error_description":"x"}`, cognito.ErrInvalidRequest},
		{400, `{"error":"invalid_scope"}`, cognito.ErrInvalidScope},
		{400, `{"error":"unsupported_grant_type"}`, cognito.ErrUnsupportedGrantType},
		{400, `{"error":"unsupported_token_type"}`, cognito.ErrUnsupportedTokenType},
		{500, `<html>oops</html>`, cognito.ErrOAuthServer},
		{503, `{"error":"temporarily_unavailable"}`, cognito.ErrOAuthServer},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			ui, err := cognito.NewHostedUI(ts.URL, "c", hCallback, func(o *cognito.HostedUIOptions) { o.HTTPClient = ts.Client() })
			require.NoError(t, err)
			_, err = ui.Refresh(context.Background(), "secret-refresh-token")
			assert.ErrorIs(t, err, tc.want)
			assert.NotContains(t, err.Error(), "secret-refresh-token")
			var oe *cognito.OAuthError
			require.True(t, errors.As(err, &oe))
			assert.Equal(t, tc.status, oe.StatusCode)
		})
	}
	// A 200 without an access token, or not JSON, is an invalid response.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		if strings.Contains(r.URL.Path, "token") {
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
			return
		}
		_, _ = w.Write([]byte(`not json`))
	}))
	defer ts.Close()
	ui, err := cognito.NewHostedUI(ts.URL, "c", hCallback)
	require.NoError(t, err)
	_, err = ui.Refresh(context.Background(), "r")
	assert.ErrorIs(t, err, cognito.ErrInvalidResponse)
	_, err = ui.Exchange(context.Background(), "code", "short")
	assert.ErrorIs(t, err, cognito.ErrInvalidParameter)
	_, err = ui.Refresh(context.Background(), "")
	assert.ErrorIs(t, err, cognito.ErrNoRefreshToken)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ui.Refresh(ctx, "r")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStateCodec(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sc, err := cognito.NewStateCodec(key, func(o *cognito.StateOptions) {
		o.AllowedDestinations = []string{"/", "/orders", "/account/"}
		o.Clock = clock
	})
	require.NoError(t, err)
	state, nonce, err := sc.New("/account/keys?tab=2")
	require.NoError(t, err)
	dest, err := sc.Verify(state, nonce)
	require.NoError(t, err)
	assert.Equal(t, "/account/keys?tab=2", dest)

	other, err := cognito.NewStateCodec(bytes.Repeat([]byte{8}, 32), func(o *cognito.StateOptions) { o.Clock = clock })
	require.NoError(t, err)
	_, otherNonce, _ := sc.New("/")
	payload, sig, _ := strings.Cut(state, ".")
	tampered := []byte(payload)
	tampered[len(tampered)/2] ^= 1
	tests := []struct {
		name         string
		state, nonce string
		verifier     *cognito.StateCodec
		want         error
	}{
		{"tampered payload", string(tampered) + "." + sig, nonce, sc, cognito.ErrInvalidState},
		{"tampered signature", payload + "." + sig[:len(sig)-2] + "AA", nonce, sc, cognito.ErrInvalidState},
		{"other key", state, nonce, other, cognito.ErrInvalidState},
		{"no signature", payload, nonce, sc, cognito.ErrInvalidState},
		{"garbage", "%%%.%%%", nonce, sc, cognito.ErrInvalidState},
		{"empty", "", nonce, sc, cognito.ErrInvalidState},
		{"another browser's nonce", state, otherNonce, sc, cognito.ErrStateMismatch},
		{"no nonce", state, "", sc, cognito.ErrStateMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.verifier.Verify(tc.state, tc.nonce)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	t.Run("expired", func(t *testing.T) {
		now = now.Add(cognito.DefaultStateMaxAge + time.Second)
		defer func() { now = now.Add(-cognito.DefaultStateMaxAge - time.Second) }()
		_, err := sc.Verify(state, nonce)
		assert.ErrorIs(t, err, cognito.ErrStateExpired)
	})
	t.Run("foreign destinations", func(t *testing.T) {
		for _, d := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "/admin", "/orders/../admin",
			"/account", "javascript:alert(1)", "/orders\r\nSet-Cookie: x", "evil"} {
			_, _, err := sc.New(d)
			assert.ErrorIs(t, err, cognito.ErrDestinationNotAllowed, d)
		}
		for _, d := range []string{"/", "/orders", "/orders?x=1", "/account/", "/account/a/b", ""} {
			_, _, err := sc.New(d)
			assert.NoError(t, err, d)
		}
	})
	t.Run("destination removed from the allow-list", func(t *testing.T) {
		narrow, err := cognito.NewStateCodec(key, func(o *cognito.StateOptions) { o.Clock = clock })
		require.NoError(t, err)
		_, err = narrow.Verify(state, nonce)
		assert.ErrorIs(t, err, cognito.ErrDestinationNotAllowed)
	})
	t.Run("construction", func(t *testing.T) {
		_, err := cognito.NewStateCodec(key[:16])
		assert.ErrorIs(t, err, cognito.ErrInvalidParameter)
		for _, d := range []string{"ftp://x/", "//x/", "x", "/a/../b/", "/a?q=1", "https://u@x/", "https://x/?q", ""} {
			_, err = cognito.NewStateCodec(key, func(o *cognito.StateOptions) { o.AllowedDestinations = []string{d} })
			assert.ErrorIs(t, err, cognito.ErrInvalidParameter, d)
		}
		_, err = cognito.NewStateCodec(key, func(o *cognito.StateOptions) { o.AllowedDestinations = []string{"https://x"} })
		assert.NoError(t, err, "an absolute entry is an origin's home page")
	})
}

func FuzzStateVerify(f *testing.F) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	st, nonce, _ := sc.New("/")
	f.Add(st, nonce)
	f.Add("a.b", "")
	f.Add("eyJuIjoiIn0.", "x")
	f.Fuzz(func(t *testing.T, state, nonce string) {
		dest, err := sc.Verify(state, nonce)
		if err == nil && !sc.Allowed(dest) {
			t.Fatalf("verified a disallowed destination %q", dest)
		}
	})
}

// TestHostedUIOnXOAuth2 checks what HostedUI asks of golang.org/x/oauth2:
// client authentication as Cognito wants it at the token and revoke
// endpoints, the ID token and an expiry by the HostedUI's clock for every
// grant (x/oauth2 computes one with time.Now, and clientcredentials drops
// expires_in), and error answers mapped whatever their Content-Type.
func TestHostedUIOnXOAuth2(t *testing.T) {
	type call struct {
		path, auth string
		form       url.Values
	}
	calls := make(chan call, 10)
	answer := `{"access_token":"at","id_token":"it","refresh_token":"rt2","token_type":"Bearer","expires_in":3600}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		calls <- call{r.URL.Path, r.Header.Get("Authorization"), r.PostForm}
		if r.PostForm.Get("code") == "bad" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"used"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write([]byte(answer))
	}))
	defer ts.Close()
	now := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	newUI := func(secret string) *cognito.HostedUI {
		ui, err := cognito.NewHostedUI(ts.URL, "client 1", hCallback, func(o *cognito.HostedUIOptions) {
			o.ClientSecret = secret
			o.HTTPClient = ts.Client()
			o.Clock = func() time.Time { return now }
		})
		require.NoError(t, err)
		return ui
	}
	pub, conf := newUI(""), newUI("s+/=cret")
	verifier := strings.Repeat("v", 43)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("client 1")+":"+url.QueryEscape("s+/=cret")))
	ctx := context.Background()

	tests := []struct {
		name      string
		run       func() (*cognito.Tokens, error)
		path      string
		auth      string
		form      map[string]string
		refreshed string
	}{
		{"public exchange", func() (*cognito.Tokens, error) { return pub.Exchange(ctx, "c1", verifier) }, "/oauth2/token", "",
			map[string]string{"grant_type": "authorization_code", "code": "c1", "code_verifier": verifier, "redirect_uri": hCallback, "client_id": "client 1", "client_secret": ""}, "rt2"},
		{"confidential exchange", func() (*cognito.Tokens, error) { return conf.Exchange(ctx, "c1", verifier) }, "/oauth2/token", basic,
			map[string]string{"grant_type": "authorization_code", "client_id": "", "client_secret": ""}, "rt2"},
		{"public refresh", func() (*cognito.Tokens, error) { return pub.Refresh(ctx, "rt1") }, "/oauth2/token", "",
			map[string]string{"grant_type": "refresh_token", "refresh_token": "rt1", "client_id": "client 1"}, "rt2"},
		{"confidential refresh", func() (*cognito.Tokens, error) { return conf.Refresh(ctx, "rt1") }, "/oauth2/token", basic,
			map[string]string{"grant_type": "refresh_token", "refresh_token": "rt1", "client_id": "", "client_secret": ""}, "rt2"},
		{"client credentials", func() (*cognito.Tokens, error) { return conf.ClientCredentials(ctx, "orders/read", "orders/write") }, "/oauth2/token", basic,
			map[string]string{"grant_type": "client_credentials", "scope": "orders/read orders/write", "client_secret": ""}, "rt2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := tc.run()
			require.NoError(t, err)
			c := <-calls
			assert.Equal(t, tc.path, c.path)
			assert.Equal(t, tc.auth, c.auth)
			for k, v := range tc.form {
				assert.Equal(t, v, c.form.Get(k), k)
			}
			assert.Equal(t, "it", tok.IDToken)
			assert.Equal(t, "at", tok.AccessToken)
			assert.Equal(t, tc.refreshed, tok.RefreshToken)
			assert.Equal(t, time.Hour, tok.ExpiresIn)
			assert.Equal(t, now.Add(time.Hour), tok.Expiry, "expiry by the HostedUI's clock")
		})
	}
	t.Run("revoke authenticates as the token endpoint", func(t *testing.T) {
		require.NoError(t, pub.Revoke(ctx, "rt1"))
		c := <-calls
		assert.Equal(t, "", c.auth)
		assert.Equal(t, "client 1", c.form.Get("client_id"))
		require.NoError(t, conf.Revoke(ctx, "rt1"))
		c = <-calls
		assert.Equal(t, basic, c.auth)
		assert.Empty(t, c.form.Get("client_id"))
		assert.Equal(t, "rt1", c.form.Get("token"))
	})
	t.Run("error answer labelled JSON", func(t *testing.T) {
		_, err := pub.Exchange(ctx, "bad", verifier)
		<-calls
		assert.ErrorIs(t, err, cognito.ErrInvalidGrant)
		var oe *cognito.OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, cognito.OAuthError{Endpoint: "token", StatusCode: 400, Code: "invalid_grant", Description: "used"}, *oe)
	})
	t.Run("no expires_in", func(t *testing.T) {
		answer = `{"access_token":"at","token_type":"Bearer"}`
		tok, err := conf.ClientCredentials(ctx)
		<-calls
		require.NoError(t, err)
		assert.Zero(t, tok.ExpiresIn)
		assert.Empty(t, tok.IDToken)
		assert.Equal(t, now, tok.Expiry)
	})
}

// TestHostedUIOAuth2Config runs the code flow with x/oauth2's own calls
// on the Config a HostedUI hands out: S256ChallengeOption in the authorize
// URL, VerifierOption at the exchange.
func TestHostedUIOAuth2Config(t *testing.T) {
	f := newHostedFixture(t)
	cfg := f.ui.OAuth2Config()
	assert.Equal(t, oauth2.AuthStyleInParams, cfg.Endpoint.AuthStyle)
	assert.Equal(t, oauth2.AuthStyleInHeader, f.confUI.OAuth2Config().Endpoint.AuthStyle)
	assert.Equal(t, f.conf.Secret, f.confUI.OAuth2Config().ClientSecret)
	assert.Equal(t, f.srv.HostedUIURL()+"/oauth2/token", cfg.Endpoint.TokenURL)

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	verifier := oauth2.GenerateVerifier()
	code := f.code(t, cfg.AuthCodeURL("s3", oauth2.S256ChallengeOption(verifier)), "s3")
	_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re, "a wrong verifier")
	assert.Equal(t, "invalid_grant", re.ErrorCode)

	code = f.code(t, cfg.AuthCodeURL("s4", oauth2.S256ChallengeOption(verifier)), "s4")
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	assert.NotEmpty(t, tok.Extra("id_token"))
	info, err := f.ui.UserInfo(ctx, tok.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", info["email"])

	cfg.Scopes[0] = "changed"
	cfg.ClientID = "changed"
	u, err := f.ui.AuthorizeURL(cognito.AuthorizeOptions{State: "s", CodeChallenge: cognito.PKCEChallenge(verifier)})
	require.NoError(t, err)
	assert.NotContains(t, u, "changed", "the HostedUI keeps its own Config")
}

// TestHostedUIPrintDuringTokenCall is the regression test for a data race:
// x/oauth2 writes an atomic cache inside an oauth2.Config during a token
// call, so a HostedUI holding its Config by value raced with fmt printing
// it (Format copies the HostedUI). Run with -race.
func TestHostedUIPrintDuringTokenCall(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at","expires_in":3600}`))
	}))
	defer ts.Close()
	for i := 0; i < 20; i++ {
		ui, err := cognito.NewHostedUI(ts.URL, "c", hCallback, func(o *cognito.HostedUIOptions) { o.HTTPClient = ts.Client() })
		require.NoError(t, err)
		done := make(chan error)
		go func() {
			_, err := ui.Refresh(context.Background(), "rt")
			done <- err
		}()
		for j := 0; j < 50; j++ {
			assert.Contains(t, fmt.Sprint(ui), "cognito.HostedUI")
		}
		require.NoError(t, <-done)
	}
}
