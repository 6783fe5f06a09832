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

	// Undeclared apps need no secret; state persists codes and apps.
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
