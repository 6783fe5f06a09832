package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// post sends body with content type ct and returns the status, Location
// and body.
func post(t *testing.T, c *http.Client, u, ct, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

const form, jsonCT = "application/x-www-form-urlencoded", "application/json"

// TestEmailCodeSignIn signs alice in with a code e-mailed by the emulated
// pool, and refuses a wrong code, an unknown user, a code without a
// pending sign-in and a cross-site start.
func TestEmailCodeSignIn(t *testing.T) {
	ta := startTestAppAs(t, "localhost")
	pool := ta.demo.settings.UserPoolID
	start := func(c *http.Client, user string) (int, string) {
		status, _, body := post(t, c, ta.base+"/signin/email", form, url.Values{"username": {user}}.Encode())
		return status, body
	}

	c := newClient()
	status, body := start(c, "alice")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `id="code-sent"`)
	code, ok := ta.demo.srv.LastCode(pool, "alice")
	require.True(t, ok)
	status, loc, _ := post(t, c, ta.base+"/signin/email/code", form, url.Values{"code": {code}}.Encode())
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/", loc)
	_, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, `<b id="who">alice</b>`)
	assert.Zero(t, ta.app.pending.len(), "the pending sign-in is spent")

	// The code again, now without a pending sign-in.
	status, _, body = post(t, c, ta.base+"/signin/email/code", form, url.Values{"code": {code}}.Encode())
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `id="signin-error"`)

	// A wrong code signs nobody in.
	c2 := newClient()
	status, _ = start(c2, "alice")
	require.Equal(t, http.StatusOK, status)
	status, _, body = post(t, c2, ta.base+"/signin/email/code", form, url.Values{"code": {"000000x"}}.Encode())
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `id="signed-out"`)
	assert.Empty(t, c2.Jar.Cookies(mustURL(ta.base+"/")), "no session")

	// An unknown user, an empty name, a cross-site start.
	status, body = start(newClient(), "nobody")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `id="signin-error"`)
	status, _ = start(newClient(), " ")
	assert.Equal(t, http.StatusBadRequest, status)
	status, _, _ = fetch(t, newClient(), "POST", ta.base+"/signin/email", http.Header{"Sec-Fetch-Site": {"cross-site"}})
	assert.Equal(t, http.StatusForbidden, status)
}

// TestPasskeyRegisterAndSignIn registers a software passkey for alice
// (signed in with her password through the hosted UI) and signs in with
// it; a passkey of another origin, a tampered assertion and a signed-out
// registration are refused.
func TestPasskeyRegisterAndSignIn(t *testing.T) {
	ta := startTestAppAs(t, "localhost")
	c := newClient()
	_, loc, _ := fetch(t, c, "GET", ta.base+"/login", nil)
	cb, err := ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
	require.NoError(t, err)
	fetch(t, c, "GET", cb, nil)

	status, _, opts := post(t, c, ta.base+"/passkey/register/options", jsonCT, "{}")
	require.Equal(t, http.StatusOK, status, opts)
	o, err := cognito.ParseCredentialCreationOptions([]byte(opts))
	require.NoError(t, err)
	assert.Equal(t, "localhost", o.RelyingPartyID)
	evil := cognitotest.MustNewPasskey("http://evil.localhost.example")
	cred, err := evil.Create([]byte(opts))
	require.NoError(t, err)
	status, _, _ = post(t, c, ta.base+"/passkey/register", jsonCT, string(cred))
	assert.Equal(t, http.StatusBadRequest, status, "another origin's passkey")

	k := cognitotest.MustNewPasskey(ta.base)
	_, _, opts = post(t, c, ta.base+"/passkey/register/options", jsonCT, "{}")
	cred, err = k.Create([]byte(opts))
	require.NoError(t, err)
	status, _, body := post(t, c, ta.base+"/passkey/register", jsonCT, string(cred))
	require.Equal(t, http.StatusOK, status, body)
	status, _, _ = post(t, newClient(), ta.base+"/passkey/register/options", jsonCT, "{}")
	assert.Equal(t, http.StatusUnauthorized, status, "signed out")

	signIn := func(c *http.Client, bend func(string) string) (int, string) {
		status, _, opts := post(t, c, ta.base+"/signin/passkey/options", jsonCT, `{"username":"alice"}`)
		require.Equal(t, http.StatusOK, status, opts)
		a, err := k.Get([]byte(opts))
		require.NoError(t, err)
		status, _, body := post(t, c, ta.base+"/signin/passkey", jsonCT, bend(string(a)))
		return status, body
	}
	c2 := newClient()
	status, body = signIn(c2, func(s string) string { return s })
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"redirect":"/"}`, body)
	_, _, body = fetch(t, c2, "GET", ta.base+"/", nil)
	assert.Contains(t, body, `<b id="who">alice</b>`)

	c3 := newClient()
	status, _ = signIn(c3, func(s string) string { return strings.Replace(s, `"signature":"`, `"signature":"AAAA`, 1) })
	assert.Equal(t, http.StatusUnauthorized, status, "a tampered assertion")
	_, _, body = fetch(t, c3, "GET", ta.base+"/", nil)
	assert.Contains(t, body, `id="signed-out"`)
	status, _, _ = post(t, newClient(), ta.base+"/signin/passkey", jsonCT, "{}")
	assert.Equal(t, http.StatusBadRequest, status, "no pending sign-in")
	status, _, _ = post(t, newClient(), ta.base+"/signin/passkey/options", form, "username=alice")
	assert.Equal(t, http.StatusBadRequest, status, "not JSON")
}

// TestPendingSignInsBounded: an anonymous flood of sign-in starts keeps at
// most max pending sign-ins (the oldest go), and an expired one is refused
// and dropped.
func TestPendingSignInsBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := newPendingSignIns(3, time.Minute, func() time.Time { return now })
	var ids []string
	for i := range 10 {
		id, err := p.put(&cognito.Challenge{Name: cognito.ChallengeEmailOTP, Username: fmt.Sprint(i)})
		require.NoError(t, err)
		ids = append(ids, id)
		now = now.Add(time.Second)
	}
	assert.Equal(t, 3, p.len(), "capped")
	_, ok := p.take(ids[0])
	assert.False(t, ok, "the oldest was evicted")
	ch, ok := p.take(ids[9])
	require.True(t, ok)
	assert.Equal(t, "9", ch.Username)
	_, ok = p.take(ids[9])
	assert.False(t, ok, "single use")

	now = now.Add(time.Minute)
	_, ok = p.take(ids[8])
	assert.False(t, ok, "expired")
	assert.Equal(t, 1, p.len())
	_, err := p.put(&cognito.Challenge{})
	require.NoError(t, err)
	_, err = p.put(&cognito.Challenge{})
	require.NoError(t, err)
	_, err = p.put(&cognito.Challenge{})
	require.NoError(t, err)
	assert.Equal(t, 3, p.len(), "the expired one made room first")
}

// TestPageScriptAllowedByHash: the page's inline script is exactly the one
// whose hash the CSP allows, and no other inline script is.
func TestPageScriptAllowedByHash(t *testing.T) {
	ta := startTestApp(t)
	resp, err := newClient().Get(ta.base + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src "+scriptCSP+";")
	assert.NotContains(t, csp, "unsafe-inline'; connect", "no inline scripts but the hashed one")
	assert.Contains(t, string(body), "<script>"+passkeyScript+"</script>", "the hashed bytes, unchanged")
	assert.Equal(t, 1, strings.Count(string(body), "<script"))
}
