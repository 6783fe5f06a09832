package fakeoidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	rp       = "https://rp.example/cb"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func newProvider(t *testing.T, cfg Config) (*Provider, *oauthtest.Clock, *httptest.Server) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		testKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	clk := oauthtest.NewClock(time.Now().Truncate(time.Second))
	cfg.Key, cfg.Now = testKey, clk.Now
	if cfg.Prefix == "" {
		cfg.Prefix = "/_emulator/google/"
	}
	if cfg.Issuer == "" {
		cfg.Issuer = GoogleIssuer
	}
	p, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return p, clk, ts
}

func authzQuery(extra map[string]string) url.Values {
	q := url.Values{"client_id": {"web"}, "redirect_uri": {rp}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"st8"}, "nonce": {"n0nce"},
		"code_challenge": {fakeoauth.S256(verifier)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q.Set(k, v)
	}
	return q
}

func TestGoogleCodeFlow(t *testing.T) {
	p, clk, ts := newProvider(t, Config{Name: "Google", AcceptIssuers: []string{"accounts.google.com"}})
	require.NoError(t, p.RegisterClient(Client{Client: fakeoauth.Client{ID: "web", Secret: "s3cret", RedirectURIs: []string{rp}}}))
	c := oauthtest.Browser(t)

	// Discovery names the endpoints under the prefix.
	status, body := oauthtest.Get(t, c, ts.URL+"/_emulator/google/.well-known/openid-configuration")
	require.Equal(t, 200, status)
	var disc map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &disc))
	assert.Equal(t, GoogleIssuer, disc["issuer"])
	assert.Equal(t, ts.URL+"/_emulator/google/token", disc["token_endpoint"])
	assert.Equal(t, []any{"S256"}, disc["code_challenge_methods_supported"])

	resp := oauthtest.Consent(t, c, ts.URL+"/_emulator/google/authorize?"+authzQuery(nil).Encode(), ts.URL+"/_emulator/google/authorize", url.Values{"sub": {"1234"}, "email": {"gail@example.com"},
		"email_verified": {"true"}, "given_name": {"Gail"}, "family_name": {"Oogle"}, "action": {"allow"}})
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "rp.example", loc.Host)
	assert.Equal(t, "st8", loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	form := url.Values{"client_id": {"web"}, "client_secret": {"s3cret"}, "redirect_uri": {rp}, "code": {code}, "code_verifier": {verifier}}
	status, tok := oauthtest.PostToken(t, ts.URL+"/_emulator/google/token", form)
	require.Equal(t, 200, status, tok)
	at, idt := tok["access_token"].(string), tok["id_token"].(string)

	claims, err := p.VerifyIDToken(idt, "web")
	require.NoError(t, err)
	assert.Equal(t, GoogleIssuer, claims.Issuer)
	assert.Equal(t, "1234", claims.Subject)
	assert.Equal(t, "n0nce", claims.Nonce)
	assert.Equal(t, "gail@example.com", claims.Email)
	assert.True(t, claims.EmailVerified)
	assert.Equal(t, "Gail Oogle", claims.Name)
	sum := sha256Half(at)
	assert.Equal(t, sum, claims.Claims["at_hash"])
	assert.WithinDuration(t, clk.Now().Add(time.Hour), claims.Expires, time.Second)

	// Userinfo with the access token; not with a made-up one.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/_emulator/google/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	r2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var ui map[string]any
	require.NoError(t, json.NewDecoder(r2.Body).Decode(&ui))
	r2.Body.Close()
	assert.Equal(t, "1234", ui["sub"])
	assert.Equal(t, "Gail Oogle", ui["name"])
	req.Header.Set("Authorization", "Bearer ya29.forged")
	r3, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	r3.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, r3.StatusCode)

	// The code is single-use.
	status, m := oauthtest.PostToken(t, ts.URL+"/_emulator/google/token", form)
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", m["error"])
}

func sha256Half(s string) string {
	h := sha256Sum(s)
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

func TestAuthorizeRefusals(t *testing.T) {
	prov, _, ts := newProvider(t, Config{})
	c := oauthtest.Browser(t)
	tests := []struct {
		name    string
		extra   map[string]string
		status  int
		errCode string // error sent back to the client, if redirected
	}{
		{"unregistered redirect URI", map[string]string{"redirect_uri": "https://evil.example/cb"}, 400, ""},
		{"redirect URI differing by a slash", map[string]string{"redirect_uri": rp + "/"}, 400, ""},
		{"unknown client", map[string]string{"client_id": "nobody"}, 400, ""},
		{"no openid scope", map[string]string{"scope": "email"}, 302, "invalid_scope"},
		{"implicit flow", map[string]string{"response_type": "token"}, 302, "unsupported_response_type"},
		{"plain PKCE", map[string]string{"code_challenge_method": "plain"}, 302, "invalid_request"},
		{"public client without PKCE", map[string]string{"client_id": "spa", "code_challenge": "", "code_challenge_method": ""}, 302, "invalid_request"},
	}
	require.NoError(t, prov.RegisterClient(Client{Client: fakeoauth.Client{ID: "web", Secret: "s", RedirectURIs: []string{rp}}}))
	require.NoError(t, prov.RegisterClient(Client{Client: fakeoauth.Client{ID: "spa", RedirectURIs: []string{rp}}}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Get(ts.URL + "/_emulator/google/authorize?" + authzQuery(tc.extra).Encode())
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.status == 302 {
				loc, _ := url.Parse(resp.Header.Get("Location"))
				assert.Equal(t, "rp.example", loc.Host)
				assert.Equal(t, tc.errCode, loc.Query().Get("error"))
				assert.Empty(t, loc.Query().Get("code"))
			} else {
				assert.Empty(t, resp.Header.Get("Location"), "never redirect to an unregistered URI")
			}
		})
	}
	// The positive beside them: the same request with the registered URI shows the consent page.
	status, page := oauthtest.Get(t, c, ts.URL+"/_emulator/google/authorize?"+authzQuery(nil).Encode())
	assert.Equal(t, 200, status)
	assert.Contains(t, page, `id="oidc-allow"`)

	// Denial sends access_denied back.
	resp := oauthtest.Consent(t, c, ts.URL+"/_emulator/google/authorize?"+authzQuery(nil).Encode(), ts.URL+"/_emulator/google/authorize", url.Values{"action": {"deny"}})
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "access_denied", loc.Query().Get("error"))
}

func TestTokenEndpointRefusals(t *testing.T) {
	p, clk, ts := newProvider(t, Config{})
	require.NoError(t, p.RegisterClient(Client{Client: fakeoauth.Client{ID: "web", Secret: "s3cret", RedirectURIs: []string{rp, rp + "2"}}}))
	require.NoError(t, p.RegisterClient(Client{Client: fakeoauth.Client{ID: "other", Secret: "x", RedirectURIs: []string{rp}}}))
	user := User{Sub: "u1", Email: "u1@example.com", EmailVerified: true}
	newCode := func(t *testing.T) string {
		code, _, err := p.Authorize("web", rp, user, AuthorizeOptions{Nonce: "n", CodeChallenge: fakeoauth.S256(verifier)})
		require.NoError(t, err)
		return code
	}
	tests := []struct {
		name   string
		mod    func(url.Values)
		before func()
		status int
		code   string
	}{
		{"valid", func(url.Values) {}, nil, 200, ""},
		{"wrong client secret", func(f url.Values) { f.Set("client_secret", "s3creT") }, nil, 401, "invalid_client"},
		{"no client secret", func(f url.Values) { f.Del("client_secret") }, nil, 401, "invalid_client"},
		{"wrong PKCE verifier", func(f url.Values) { f.Set("code_verifier", strings.Repeat("a", 43)) }, nil, 400, "invalid_grant"},
		{"missing PKCE verifier", func(f url.Values) { f.Del("code_verifier") }, nil, 400, "invalid_grant"},
		{"other redirect URI", func(f url.Values) { f.Set("redirect_uri", rp+"2") }, nil, 400, "invalid_grant"},
		{"code of another client", func(f url.Values) { f.Set("client_id", "other"); f.Set("client_secret", "x") }, nil, 400, "invalid_grant"},
		{"forged code", func(f url.Values) { f.Set("code", "c.forged") }, nil, 400, "invalid_grant"},
		{"expired code", func(url.Values) {}, func() { clk.Add(CodeLifetime) }, 400, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"client_id": {"web"}, "client_secret": {"s3cret"}, "redirect_uri": {rp}, "code": {newCode(t)}, "code_verifier": {verifier}}
			tc.mod(form)
			if tc.before != nil {
				tc.before()
			}
			status, m := oauthtest.PostToken(t, ts.URL+"/_emulator/google/token", form)
			assert.Equal(t, tc.status, status, m)
			if tc.code != "" {
				assert.Equal(t, tc.code, m["error"])
				assert.NotContains(t, m["error_description"], "s3cret")
			}
		})
	}
	// HTTP Basic client authentication works too.
	form := url.Values{"redirect_uri": {rp}, "code": {newCode(t)}, "code_verifier": {verifier}, "grant_type": {"authorization_code"}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/_emulator/google/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("web", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestVerifyIDToken(t *testing.T) {
	p, clk, _ := newProvider(t, Config{AcceptIssuers: []string{"accounts.google.com"}})
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	forger, err := New(Config{Issuer: GoogleIssuer, Prefix: "/x/", Key: otherKey})
	require.NoError(t, err)

	good, err := p.MintIDToken("aud1", User{Sub: "s1", Email: "a@example.com", EmailVerified: true}, "n")
	require.NoError(t, err)
	forged, err := forger.MintIDToken("aud1", User{Sub: "s1"}, "")
	require.NoError(t, err)
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tamperedPayload := strings.Replace(string(payload), `"s1"`, `"s2"`, 1)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tamperedPayload)) + "." + parts[2]
	// A token whose iss is Google's scheme-less form, signed by p's key.
	bare := jwt.New()
	for k, v := range map[string]any{"iss": "accounts.google.com", "sub": "s1", "aud": "aud1", "iat": clk.Now(), "exp": clk.Now().Add(time.Hour)} {
		require.NoError(t, bare.Set(k, v))
	}
	bareRaw, err := jwt.Sign(bare, jwt.WithKey(jwa.RS256, p.key))
	require.NoError(t, err)

	tests := []struct {
		name, raw, aud string
		advance        time.Duration
		want           error
	}{
		{"valid", good, "aud1", 0, nil},
		{"scheme-less Google issuer", string(bareRaw), "aud1", 0, nil},
		{"wrong audience", good, "aud2", 0, ErrWrongAudience},
		{"tampered payload", tampered, "aud1", 0, ErrInvalidIDToken},
		{"signed by another key", forged, "aud1", 0, ErrInvalidIDToken},
		{"garbage", "not.a.jwt", "aud1", 0, ErrInvalidIDToken},
		{"expired", good, "aud1", TokenLifetime + time.Minute, ErrExpiredIDToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk.Add(tc.advance)
			defer clk.Add(-tc.advance)
			got, err := p.VerifyIDToken(tc.raw, tc.aud)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "s1", got.Subject)
		})
	}
}

func appleClientSecret(t *testing.T, key *ecdsa.PrivateKey, kid, team, client, aud string, iat time.Time, life time.Duration) string {
	t.Helper()
	tok := jwt.New()
	for k, v := range map[string]any{"iss": team, "sub": client, "aud": aud, "iat": iat, "exp": iat.Add(life)} {
		require.NoError(t, tok.Set(k, v))
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256, key))
	require.NoError(t, err)
	return string(b)
}

func TestAppleFlow(t *testing.T) {
	p, clk, ts := newProvider(t, Config{Issuer: AppleIssuer, Prefix: "/_emulator/apple/", Apple: true, Name: "Apple"})
	devKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	require.NoError(t, p.RegisterClient(Client{Client: fakeoauth.Client{ID: "com.example.web", RedirectURIs: []string{rp}},
		AppleKey: &AppleKey{TeamID: "TEAM123456", KeyID: "KEY1234567", Public: &devKey.PublicKey}}))
	c := oauthtest.Browser(t)
	q := authzQuery(map[string]string{"client_id": "com.example.web", "scope": "openid name email", "response_mode": "form_post"})

	// name/email without form_post is refused, as Apple does.
	resp, err := c.Get(ts.URL + "/_emulator/apple/authorize?" + authzQuery(map[string]string{"client_id": "com.example.web", "scope": "openid name email"}).Encode())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "error=invalid_request")

	signIn := func(t *testing.T) url.Values {
		resp := oauthtest.Consent(t, c, ts.URL+"/_emulator/apple/authorize?"+q.Encode(), ts.URL+"/_emulator/apple/authorize", url.Values{"sub": {"000123.abc"}, "email": {"ann@example.com"},
			"email_verified": {"true"}, "given_name": {"Ann"}, "family_name": {"Apple"}, "hide_email": {"true"}, "action": {"allow"}})
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, _ := io.ReadAll(resp.Body)
		assert.Contains(t, string(b), `action="`+rp+`"`)
		return oauthtest.HiddenFields(string(b))
	}
	first := signIn(t)
	assert.Equal(t, "st8", first.Get("state"))
	var user struct {
		Name  map[string]string `json:"name"`
		Email string            `json:"email"`
	}
	require.NoError(t, json.Unmarshal([]byte(first.Get("user")), &user))
	assert.Equal(t, "Ann", user.Name["firstName"])
	assert.True(t, strings.HasSuffix(user.Email, "@"+AppleRelayEmail), user.Email)
	second := signIn(t)
	assert.Empty(t, second.Get("user"), "the name comes only at the first consent")

	now := clk.Now()
	tests := []struct {
		name, secret string
		status       int
	}{
		{"client secret signed by another key", appleClientSecret(t, otherKey, "KEY1234567", "TEAM123456", "com.example.web", AppleIssuer, now, time.Hour), 401},
		{"client secret for another team", appleClientSecret(t, devKey, "KEY1234567", "OTHERTEAM1", "com.example.web", AppleIssuer, now, time.Hour), 401},
		{"client secret with the wrong audience", appleClientSecret(t, devKey, "KEY1234567", "TEAM123456", "com.example.web", GoogleIssuer, now, time.Hour), 401},
		{"expired client secret", appleClientSecret(t, devKey, "KEY1234567", "TEAM123456", "com.example.web", AppleIssuer, now.Add(-2*time.Hour), time.Hour), 401},
		{"client secret valid over six months", appleClientSecret(t, devKey, "KEY1234567", "TEAM123456", "com.example.web", AppleIssuer, now, 200*24*time.Hour), 401},
		{"static string as secret", "s3cret", 401},
		{"valid client secret", appleClientSecret(t, devKey, "KEY1234567", "TEAM123456", "com.example.web", AppleIssuer, now, time.Hour), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, err := p.Authorize("com.example.web", rp, User{Sub: "000123.abc", Email: "ann@example.com", HideEmail: true},
				AuthorizeOptions{CodeChallenge: fakeoauth.S256(verifier), Nonce: "n"})
			require.NoError(t, err)
			status, m := oauthtest.PostToken(t, ts.URL+"/_emulator/apple/token", url.Values{"client_id": {"com.example.web"}, "client_secret": {tc.secret},
				"redirect_uri": {rp}, "code": {code}, "code_verifier": {verifier}})
			require.Equal(t, tc.status, status, m)
			if status != 200 {
				return
			}
			idt, err := p.VerifyIDToken(m["id_token"].(string), "com.example.web")
			require.NoError(t, err)
			assert.Equal(t, AppleIssuer, idt.Issuer)
			assert.Empty(t, idt.Name, "Apple's ID token has no name")
			assert.Equal(t, user.Email, idt.Email, "the relay address is stable")
			assert.Equal(t, true, idt.Claims["is_private_email"])
		})
	}
}

func sha256Sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func TestMintOverHTTP(t *testing.T) {
	p, _, ts := newProvider(t, Config{})
	tests := []struct {
		name, body string
		status     int
	}{
		{"valid", `{"client_id":"c1","sub":"s1","email":"s1@example.com","email_verified":true,"nonce":"n"}`, 200},
		{"no sub", `{"client_id":"c1"}`, 400},
		{"not JSON", `{`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/_emulator/google/tokens", strings.NewReader(tc.body))
			status, m := oauthtest.DoJSON(t, req)
			require.Equal(t, tc.status, status, m)
			if status != 200 {
				assert.Equal(t, "invalid_request", m["error"])
				return
			}
			tok, err := p.VerifyIDToken(m["id_token"].(string), "c1")
			require.NoError(t, err)
			assert.Equal(t, "n", tok.Nonce)
			assert.True(t, tok.EmailVerified)
		})
	}
}
