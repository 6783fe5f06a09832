package fakeamazon

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	prefix   = "/_emulator/amazon/"
	rp       = "https://rp.example/cb"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

func newFake(t *testing.T) (*Fake, *oauthtest.Clock, *httptest.Server) {
	t.Helper()
	clk := oauthtest.NewClock(time.Now().Truncate(time.Second))
	f, err := New(prefix, clk.Now, nil)
	require.NoError(t, err)
	require.NoError(t, f.RegisterClient(Client{Client: fakeoauth.Client{ID: "amzn1.application-oa2-client.web", Secret: "s3cret",
		RedirectURIs: []string{rp}}, AppID: "amzn1.application.app1"}))
	require.NoError(t, f.RegisterClient(Client{Client: fakeoauth.Client{ID: "amzn1.application-oa2-client.spa",
		RedirectURIs: []string{rp}}, AppID: "amzn1.application.app2"}))
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return f, clk, ts
}

func TestLoginWithAmazonFlow(t *testing.T) {
	f, clk, ts := newFake(t)
	c := oauthtest.Browser(t)
	q := url.Values{"client_id": {"amzn1.application-oa2-client.web"}, "redirect_uri": {rp}, "response_type": {"code"},
		"scope": {"profile"}, "state": {"s1"}}
	resp := oauthtest.Consent(t, c, ts.URL+prefix+"ap/oa?"+q.Encode(), ts.URL+prefix+"ap/oa", url.Values{
		"user_id": {"amzn1.account.A1"}, "name": {"Ama Zon"}, "email": {"ama@example.com"}, "action": {"allow"}})
	resp.Body.Close()
	loc := oauthtest.Location(t, resp)
	assert.Equal(t, "s1", loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	form := url.Values{"client_id": {"amzn1.application-oa2-client.web"}, "client_secret": {"s3cret"}, "redirect_uri": {rp}, "code": {code}}
	status, m := oauthtest.PostToken(t, ts.URL+prefix+"auth/o2/token", form)
	require.Equal(t, 200, status, m)
	tok := m["access_token"].(string)
	assert.True(t, strings.HasPrefix(tok, "Atza|"))

	req, _ := http.NewRequest(http.MethodGet, ts.URL+prefix+"user/profile", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	status, prof := oauthtest.DoJSON(t, req)
	require.Equal(t, 200, status)
	assert.Equal(t, "amzn1.account.A1", prof["user_id"])
	assert.Equal(t, "Ama Zon", prof["name"])

	req, _ = http.NewRequest(http.MethodGet, ts.URL+prefix+"auth/o2/tokeninfo?access_token="+url.QueryEscape(tok), nil)
	status, info := oauthtest.DoJSON(t, req)
	require.Equal(t, 200, status)
	assert.Equal(t, Issuer, info["iss"])
	assert.Equal(t, "amzn1.application-oa2-client.web", info["aud"])
	assert.Equal(t, "amzn1.application.app1", info["app_id"])

	// The code is single-use.
	status, m = oauthtest.PostToken(t, ts.URL+prefix+"auth/o2/token", form)
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", m["error"])

	// An expired token is refused by the profile endpoint and VerifyAccessToken.
	clk.Add(TokenLifetime)
	req, _ = http.NewRequest(http.MethodGet, ts.URL+prefix+"user/profile", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	status, _ = oauthtest.DoJSON(t, req)
	assert.Equal(t, http.StatusUnauthorized, status)
	_, err := f.VerifyAccessToken(tok)
	assert.ErrorIs(t, err, fakeoauth.ErrInvalidToken)
}

func TestAuthorizeRefusals(t *testing.T) {
	_, _, ts := newFake(t)
	c := oauthtest.Browser(t)
	tests := []struct {
		name   string
		mod    map[string]string
		status int
		err    string
	}{
		{"valid", nil, 200, ""},
		{"unregistered return URL", map[string]string{"redirect_uri": "https://evil.example/cb"}, 400, ""},
		{"unknown client", map[string]string{"client_id": "amzn1.application-oa2-client.nobody"}, 400, ""},
		{"token response type", map[string]string{"response_type": "token"}, 302, "unsupported_response_type"},
		{"no scope", map[string]string{"scope": ""}, 302, "invalid_scope"},
		{"public client without PKCE", map[string]string{"client_id": "amzn1.application-oa2-client.spa"}, 302, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"client_id": {"amzn1.application-oa2-client.web"}, "redirect_uri": {rp}, "response_type": {"code"}, "scope": {"profile"}}
			for k, v := range tc.mod {
				q.Set(k, v)
			}
			resp, err := c.Get(ts.URL + prefix + "ap/oa?" + q.Encode())
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.status == 302 {
				assert.Equal(t, tc.err, oauthtest.Location(t, resp).Query().Get("error"))
			} else {
				assert.Empty(t, resp.Header.Get("Location"))
			}
		})
	}
}

func TestTokenRefusals(t *testing.T) {
	f, clk, ts := newFake(t)
	user := Profile{UserID: "amzn1.account.A1"}
	tests := []struct {
		name     string
		client   string
		pkce     bool
		mod      func(url.Values)
		advance  time.Duration
		status   int
		errorKey string
	}{
		{"confidential", "amzn1.application-oa2-client.web", false, func(url.Values) {}, 0, 200, ""},
		{"public with PKCE", "amzn1.application-oa2-client.spa", true, func(f url.Values) { f.Del("client_secret") }, 0, 200, ""},
		{"wrong client secret", "amzn1.application-oa2-client.web", false, func(f url.Values) { f.Set("client_secret", "x") }, 0, 401, "invalid_client"},
		{"wrong PKCE verifier", "amzn1.application-oa2-client.spa", true, func(f url.Values) {
			f.Del("client_secret")
			f.Set("code_verifier", strings.Repeat("z", 43))
		}, 0, 400, "invalid_grant"},
		{"wrong redirect URI", "amzn1.application-oa2-client.web", false, func(f url.Values) { f.Set("redirect_uri", rp+"x") }, 0, 400, "invalid_grant"},
		{"expired code", "amzn1.application-oa2-client.web", false, func(url.Values) {}, CodeLifetime, 400, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			challenge := ""
			if tc.pkce {
				challenge = fakeoauth.S256(verifier)
			}
			code, err := f.Authorize(tc.client, rp, challenge, user)
			require.NoError(t, err)
			form := url.Values{"client_id": {tc.client}, "client_secret": {"s3cret"}, "redirect_uri": {rp}, "code": {code}}
			if tc.pkce {
				form.Set("code_verifier", verifier)
			}
			tc.mod(form)
			clk.Add(tc.advance)
			status, m := oauthtest.PostToken(t, ts.URL+prefix+"auth/o2/token", form)
			require.Equal(t, tc.status, status, m)
			if tc.errorKey != "" {
				assert.Equal(t, tc.errorKey, m["error"])
				return
			}
			info, err := f.VerifyAccessToken(m["access_token"].(string))
			require.NoError(t, err)
			assert.Equal(t, tc.client, info.ClientID)
		})
	}
}

func TestVerifyAccessToken(t *testing.T) {
	f, _, _ := newFake(t)
	tok, err := f.MintAccessToken("amzn1.application-oa2-client.web", Profile{UserID: "amzn1.account.B2", Name: "Bee"})
	require.NoError(t, err)
	info, err := f.VerifyAccessToken(tok)
	require.NoError(t, err)
	assert.Equal(t, "amzn1.account.B2", info.Profile.UserID)
	assert.Equal(t, "amzn1.application.app1", info.AppID)
	for _, bad := range []string{"", "Atza|forged", tok + "x"} {
		_, err := f.VerifyAccessToken(bad)
		assert.ErrorIs(t, err, fakeoauth.ErrInvalidToken)
	}
	_, err = f.MintAccessToken("amzn1.application-oa2-client.nobody", Profile{UserID: "x"})
	assert.ErrorIs(t, err, fakeoauth.ErrInvalidClient)
	_, err = f.MintAccessToken("amzn1.application-oa2-client.web", Profile{})
	assert.ErrorIs(t, err, fakeoauth.ErrInvalidRequest)
}

func TestMintOverHTTP(t *testing.T) {
	f, _, ts := newFake(t)
	tests := []struct {
		name, body string
		status     int
		err        string
	}{
		{"valid", `{"client_id":"amzn1.application-oa2-client.web","user_id":"amzn1.account.Z","name":"Zed"}`, 200, ""},
		{"unknown client", `{"client_id":"nobody","user_id":"amzn1.account.Z"}`, 401, "invalid_client"},
		{"no user", `{"client_id":"amzn1.application-oa2-client.web"}`, 400, "invalid_request"},
		{"not JSON", `[`, 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+prefix+"tokens", strings.NewReader(tc.body))
			status, m := oauthtest.DoJSON(t, req)
			require.Equal(t, tc.status, status, m)
			if status != 200 {
				assert.Equal(t, tc.err, m["error"])
				return
			}
			info, err := f.VerifyAccessToken(m["access_token"].(string))
			require.NoError(t, err)
			assert.Equal(t, "Zed", info.Profile.Name)
		})
	}
}
