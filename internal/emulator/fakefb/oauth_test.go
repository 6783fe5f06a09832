package fakefb

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestOAuthDialogAndExchange(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := New(func() time.Time { return now }, nil, nil)
	require.NoError(t, f.PutApp("app1", "s3cret", "https://rp.example/cb"))
	ts := httptest.NewServer(f)
	defer ts.Close()
	c := &http.Client{CheckRedirect: noRedirect}

	// The consent page.
	resp, err := c.Get(ts.URL + PathPrefix + "dialog/oauth?client_id=app1&redirect_uri=" + url.QueryEscape("https://rp.example/cb") + "&state=xyz&scope=email")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), `id="fb-continue"`)
	assert.Contains(t, string(body), `value="xyz"`)

	tests := []struct {
		name, redirect string
		status         int
	}{
		{"redirect not allowed", "https://evil.example/cb", 400},
		{"relative redirect", "/cb", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Get(ts.URL + PathPrefix + "dialog/oauth?client_id=app1&redirect_uri=" + url.QueryEscape(tc.redirect))
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}

	// Consent: redirect back with a code and the state.
	form := url.Values{"client_id": {"app1"}, "redirect_uri": {"https://rp.example/cb"}, "state": {"xyz"},
		"user_id": {"42"}, "name": {"Ann"}, "email": {"ann@example.com"}, "action": {"allow"}}
	resp, err = c.PostForm(ts.URL+PathPrefix+"dialog/oauth", form)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "rp.example", loc.Host)
	assert.Equal(t, "xyz", loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	exchange := func(secret, redirect, code string) (int, map[string]any) {
		q := url.Values{"client_id": {"app1"}, "client_secret": {secret}, "redirect_uri": {redirect}, "code": {code}}
		resp, err := c.Get(ts.URL + PathPrefix + "oauth/access_token?" + q.Encode())
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	status, m := exchange("wrong", "https://rp.example/cb", code)
	assert.Equal(t, 400, status)
	assert.Contains(t, m["error"].(map[string]any)["message"], "client secret")
	status, m = exchange("s3cret", "https://rp.example/cb", code)
	require.Equal(t, 200, status, m)
	tok := m["access_token"].(string)
	rec, err := f.Lookup(tok)
	require.NoError(t, err)
	assert.Equal(t, User{ID: "42", Name: "Ann", Email: "ann@example.com"}, rec.User)

	status, _ = exchange("s3cret", "https://rp.example/cb", code)
	assert.Equal(t, 400, status, "codes are single-use")

	// Wrong redirect_uri burns the code; an expired code is refused.
	code2, err := f.Authorize("app1", "https://rp.example/cb", User{ID: "42"})
	require.NoError(t, err)
	_, _, err = f.Exchange("app1", "s3cret", "https://rp.example/other", code2)
	assert.ErrorIs(t, err, ErrInvalidCode)
	_, _, err = f.Exchange("app1", "s3cret", "https://rp.example/cb", code2)
	assert.ErrorIs(t, err, ErrInvalidCode)
	code3, err := f.Authorize("app1", "https://rp.example/cb", User{ID: "42"})
	require.NoError(t, err)
	now = now.Add(CodeLifetime + time.Second)
	_, _, err = f.Exchange("app1", "s3cret", "https://rp.example/cb", code3)
	assert.ErrorIs(t, err, ErrInvalidCode)

	// Cancel: access_denied.
	form.Set("action", "deny")
	resp, err = c.PostForm(ts.URL+PathPrefix+"dialog/oauth", form)
	require.NoError(t, err)
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "access_denied", loc.Query().Get("error"))
	assert.Empty(t, loc.Query().Get("code"))

	// Undeclared apps need no secret but only reach the default redirect
	// URIs; state persists codes and apps.
	f.SetDefaultRedirectURIs(func() []string { return []string{"http://127.0.0.1/cb"} })
	code4, err := f.Authorize("free", "http://127.0.0.1/cb", User{ID: "7"})
	require.NoError(t, err)
	g := New(func() time.Time { return now }, nil, nil)
	snap := f.Snapshot()
	b, _ := json.Marshal(snap)
	assert.NotContains(t, string(b), code4)
	assert.NotContains(t, string(b), "s3cret")
	g.Restore(snap)
	_, _, err = g.Exchange("free", "", "http://127.0.0.1/cb", code4)
	require.NoError(t, err)
	_, _, err = g.Exchange("app1", "", "https://rp.example/cb", "nope")
	assert.ErrorIs(t, err, ErrInvalidSecret)
	assert.Error(t, f.PutApp("", "x"))
	assert.True(t, strings.HasPrefix(code4, "AQ"))
}

// TestSecurityReview10_FacebookRedirectURIs: the emulator declared its
// Facebook apps without redirect URIs, so once the user clicked Continue
// any http(s) redirect_uri got the code. An app now only redirects to its
// valid OAuth redirect URIs (its own list, else the default list the host
// sets), and the dialog refuses others with error 191 before consent.
func TestSecurityReview10_FacebookRedirectURIs(t *testing.T) {
	const idpresponse = "http://127.0.0.1:9229/oauth2/idpresponse"
	f := New(nil, nil, nil)
	require.NoError(t, f.PutApp("declared", "s3cret")) // as the emulator declares a pool's app
	require.NoError(t, f.PutApp("listed", "s3cret", "https://rp.example/cb"))
	ts := httptest.NewServer(f)
	defer ts.Close()
	c := &http.Client{CheckRedirect: noRedirect}
	dialog := func(method, app, redirect string) (int, string, string) {
		q := url.Values{"client_id": {app}, "redirect_uri": {redirect}, "state": {"st"}, "user_id": {"42"}, "action": {"allow"}}
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = c.Get(ts.URL + PathPrefix + "dialog/oauth?" + q.Encode())
		} else {
			resp, err = c.PostForm(ts.URL+PathPrefix+"dialog/oauth", q)
		}
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}

	t.Run("no default list: nothing is accepted", func(t *testing.T) {
		for _, app := range []string{"declared", "undeclared"} {
			st, loc, body := dialog(http.MethodPost, app, idpresponse)
			assert.Equal(t, http.StatusBadRequest, st, app)
			assert.Empty(t, loc)
			assert.Contains(t, body, `"code":191`)
		}
	})

	f.SetDefaultRedirectURIs(func() []string { return []string{idpresponse} })
	cases := []struct {
		name, app, redirect string
		ok                  bool
	}{
		{"pool's idpresponse", "declared", idpresponse, true},
		{"pool's idpresponse, undeclared app", "undeclared", idpresponse, true},
		{"app's own list", "listed", "https://rp.example/cb", true},
		{"own list replaces the default", "listed", idpresponse, false},
		{"evil host", "declared", "https://evil.example/steal", false},
		{"evil host, undeclared app", "undeclared", "https://evil.example/steal", false},
		{"other path on the emulator", "declared", "http://127.0.0.1:9229/steal", false},
		{"other port", "declared", "http://127.0.0.1:9230/oauth2/idpresponse", false},
		{"extra query", "declared", idpresponse + "?x=1", false},
		{"trailing slash", "declared", idpresponse + "/", false},
		{"https instead of http", "declared", "https://127.0.0.1:9229/oauth2/idpresponse", false},
		{"dot segment", "declared", "http://127.0.0.1:9229/x/../oauth2/idpresponse", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The consent page itself is refused for a bad redirect_uri.
			st, _, body := dialog(http.MethodGet, tc.app, tc.redirect)
			if !tc.ok {
				assert.Equal(t, http.StatusBadRequest, st)
				assert.Contains(t, body, "URL blocked")
				assert.Contains(t, body, `"code":191`)
			} else {
				assert.Equal(t, http.StatusOK, st)
			}
			// And Continue gives no code.
			st, loc, _ := dialog(http.MethodPost, tc.app, tc.redirect)
			if !tc.ok {
				assert.Equal(t, http.StatusBadRequest, st)
				assert.Empty(t, loc)
				return
			}
			require.Equal(t, http.StatusFound, st)
			u, err := url.Parse(loc)
			require.NoError(t, err)
			assert.NotEmpty(t, u.Query().Get("code"))
			assert.True(t, strings.HasPrefix(loc, tc.redirect+"?"), loc)
		})
	}
	_, err := f.Authorize("declared", "https://evil.example/steal", User{ID: "42"})
	assert.ErrorIs(t, err, ErrInvalidRedirect)
}
