package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/interop"
)

type testApp struct {
	base string
	demo *demo
	app  *app
}

// startTestApp serves the app on a free loopback port with its emulator.
func startTestApp(t *testing.T) *testApp {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + l.Addr().String()
	d, err := startDemo(base, "")
	require.NoError(t, err)
	t.Cleanup(d.srv.Close)
	cfg := d.settings
	cfg.BaseURL = base
	a, err := newApp(cfg, t.Logf)
	require.NoError(t, err)
	srv := &http.Server{Handler: a.handler()}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &testApp{base: base, demo: d, app: a}
}

// secureJar stores and sends Secure cookies over http://127.0.0.1 as
// browsers do for loopback origins (net/http/cookiejar does not).
type secureJar struct{ j *cookiejar.Jar }

func asHTTPS(u *url.URL) *url.URL                           { v := *u; v.Scheme = "https"; return &v }
func (s secureJar) SetCookies(u *url.URL, c []*http.Cookie) { s.j.SetCookies(asHTTPS(u), c) }
func (s secureJar) Cookies(u *url.URL) []*http.Cookie       { return s.j.Cookies(asHTTPS(u)) }

func newClient() *http.Client {
	j, _ := cookiejar.New(nil)
	return &http.Client{Jar: secureJar{j}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestWebAppFlow(t *testing.T) {
	ta := startTestApp(t)
	c := newClient()
	status, _, body := fetch(t, c, "GET", ta.base+"/", nil)
	require.Equal(t, 200, status)
	assert.Contains(t, body, `id="sign-in"`)

	status, loc, _ := fetch(t, c, "GET", ta.base+"/login", nil)
	require.Equal(t, http.StatusFound, status)
	require.True(t, strings.HasPrefix(loc, ta.demo.srv.URL+"/oauth2/authorize?"), loc)
	cb, err := ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, ta.base+"/callback?"), cb)

	// A callback replayed in another browser (no login cookie) is refused.
	status, _, body = fetch(t, newClient(), "GET", cb, nil)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "not started in this browser")

	status, loc, _ = fetch(t, c, "GET", cb, nil)
	require.Equal(t, http.StatusFound, status)
	assert.Equal(t, "/", loc)
	// The session cookie is small, HttpOnly, Secure and SameSite.
	cookies := c.Jar.Cookies(mustURL(ta.base + "/"))
	require.Len(t, cookies, 1)
	assert.Equal(t, sessionCookie, cookies[0].Name)
	assert.Len(t, cookies[0].Value, 43)

	status, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	require.Equal(t, 200, status)
	assert.Contains(t, body, `<b id="who">alice</b>`)
	assert.Contains(t, body, "alice@example.com")

	// The same callback again: the code and the login are spent.
	status, _, _ = fetch(t, c, "GET", cb, nil)
	assert.Equal(t, 400, status)

	csrf := csrfRe.FindStringSubmatch(body)[1]
	status, _, _ = fetch(t, c, "POST", ta.base+"/call", url.Values{"csrf": {"forged"}})
	assert.Equal(t, 403, status)
	status, loc, _ = fetch(t, c, "POST", ta.base+"/call", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status)
	_, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, "HTTP 200")
	assert.Contains(t, body, "hello from the IAM-protected API")

	status, loc, _ = fetch(t, c, "POST", ta.base+"/logout", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, ta.demo.srv.URL+"/logout?"+url.Values{"client_id": {ta.demo.settings.ClientID}, "logout_uri": {ta.base + "/"}}.Encode(), loc)
	status, loc, _ = fetch(t, c, "GET", loc, nil)
	require.Equal(t, http.StatusFound, status)
	assert.Equal(t, ta.base+"/", loc)
	_, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, `id="signed-out"`)
	assert.Empty(t, ta.app.sessions)
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestWebAppFacebookAndErrors(t *testing.T) {
	ta := startTestApp(t)
	c := newClient()
	status, loc, _ := fetch(t, c, "GET", ta.base+"/login?provider=Facebook", nil)
	require.Equal(t, http.StatusFound, status)
	assert.Contains(t, loc, "identity_provider=Facebook")
	cb, err := ta.demo.srv.HostedFacebookSignIn(loc, cognitotest.FacebookUser{ID: "10001", Name: "Fay", Email: "fay@example.com"})
	require.NoError(t, err)
	fetch(t, c, "GET", cb, nil)
	_, _, body := fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, "Facebook_10001")
	assert.Contains(t, body, ta.demo.settings.UserPoolID+"_Facebook")

	status, _, _ = fetch(t, c, "GET", ta.base+"/login?provider=Evil", nil)
	assert.Equal(t, 400, status)
	// A tampered state is refused.
	c2 := newClient()
	_, loc, _ = fetch(t, c2, "GET", ta.base+"/login", nil)
	cb, err = ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
	require.NoError(t, err)
	u := mustURL(cb)
	q := u.Query()
	q.Set("state", strings.Replace(q.Get("state"), "A", "B", 1)+"x")
	u.RawQuery = q.Encode()
	status, _, body = fetch(t, c2, "GET", u.String(), nil)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "could not be verified")
	// An error from the hosted UI is shown, not trusted.
	status, _, body = fetch(t, c2, "GET", ta.base+"/callback?error=access_denied&state=x", nil)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "access_denied")
	// Signed-out POSTs go home.
	status, loc, _ = fetch(t, newClient(), "POST", ta.base+"/call", url.Values{})
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/", loc)
}

func TestRunFlags(t *testing.T) {
	_, err := parseFlags([]string{"-domain", "https://x.auth.eu-west-1.amazoncognito.com", "-client-id", "c"})
	assert.EqualError(t, err, "-domain also needs -region, -user-pool-id, -identity-pool-id, -api-url", "all missing flags at once")
	f, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", f.addr)

	ctx, cancel := context.WithCancel(context.Background())
	out := &interop.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, out) }()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var m []string
	require.Eventually(t, func() bool { m = re.FindStringSubmatch(out.String()); return m != nil }, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, out.String(), "sign in as alice / ")
	status, _, body := fetch(t, newClient(), "GET", m[1]+"/", nil)
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `id="sign-in-facebook"`)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestRunHelp: -h and -help print the usage with every flag to stdout and
// succeed (exit 0); an unknown flag is an error (exit 1) that points to -h.
func TestRunHelp(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-h"}, ""},
		{[]string{"-help"}, ""},
		{[]string{"--help"}, ""},
		{[]string{"-addr", "127.0.0.1:0", "-h"}, ""},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus (see webapp -h)"},
		{[]string{"-addr"}, "flag needs an argument: -addr (see webapp -h)"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, tc.args, &out)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				assert.Empty(t, out.String())
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(out.String(), "Usage: webapp [flags]"), out.String())
			for _, name := range []string{"-addr", "-base-url", "-domain", "-region", "-user-pool-id", "-client-id",
				"-identity-pool-id", "-api-url", "-demo-password", "-insecure-cookies"} {
				assert.Regexp(t, `(?m)^  `+name+`( \w+)?$`, out.String())
			}
			assert.NotContains(t, out.String(), "listening on", "-h does not start the app")
		})
	}
}

// signIn signs alice in with a fresh browser and returns its client and
// the home page.
func signIn(t *testing.T, ta *testApp) (*http.Client, string) {
	t.Helper()
	c := newClient()
	status, loc, _ := fetch(t, c, "GET", ta.base+"/login", nil)
	require.Equal(t, http.StatusFound, status)
	cb, err := ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
	require.NoError(t, err)
	status, loc, body := fetch(t, c, "GET", cb, nil)
	require.Equal(t, http.StatusFound, status, body)
	require.Equal(t, "/", loc)
	_, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	return c, body
}

// TestSecurityReview5_LoginFloodCannotExhaust: each anonymous GET /login
// used to store a pending sign-in on the server, capped at 10,000; after
// 10,050 requests /login answered 503 to everyone. Now the pending
// sign-in lives in the browser's sealed cookie: every request of the flood
// is answered, the server keeps nothing for it, and a real sign-in works
// afterwards.
func TestSecurityReview5_LoginFloodCannotExhaust(t *testing.T) {
	ta := startTestApp(t)
	h := ta.app.handler()
	const flood = 10050
	codes := map[int]int{}
	for range flood {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", ta.base+"/login", nil))
		codes[rec.Code]++
	}
	assert.Equal(t, map[int]int{http.StatusFound: flood}, codes, "every anonymous /login is answered")
	ta.app.mu.Lock()
	assert.Empty(t, ta.app.sessions, "the flood left nothing on the server")
	ta.app.mu.Unlock()

	_, body := signIn(t, ta)
	assert.Contains(t, body, `<b id="who">alice</b>`, "a real sign-in still works after the flood")
}

// TestLoginCookie: the pending sign-in cookie is HttpOnly, Secure,
// SameSite=Lax and short-lived, never shows the PKCE verifier or the nonce
// in clear, and carries the verifier whose challenge went to the hosted
// UI; a tampered, foreign, swapped or replayed cookie is refused.
func TestLoginCookie(t *testing.T) {
	ta := startTestApp(t)
	rec := httptest.NewRecorder()
	ta.app.handler().ServeHTTP(rec, httptest.NewRequest("GET", ta.base+"/login", nil))
	require.Equal(t, http.StatusFound, rec.Code)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	lc := cookies[0]
	assert.Equal(t, loginCookie, lc.Name)
	assert.True(t, lc.HttpOnly)
	assert.True(t, lc.Secure)
	assert.Equal(t, http.SameSiteLaxMode, lc.SameSite)
	assert.Equal(t, int(pendingTTL/time.Second), lc.MaxAge)
	assert.Equal(t, "/", lc.Path)
	assert.Less(t, len(lc.Value), 300, "a small cookie")

	p, err := ta.app.pending.open(lc.Value)
	require.NoError(t, err)
	authorize := mustURL(rec.Header().Get("Location"))
	assert.Equal(t, cognito.PKCEChallenge(p.Verifier), authorize.Query().Get("code_challenge"), "the sealed verifier is the one the challenge was made from")
	raw, err := base64.RawURLEncoding.DecodeString(lc.Value)
	require.NoError(t, err)
	for _, secret := range []string{p.Verifier, p.Nonce} {
		assert.NotContains(t, lc.Value, secret)
		assert.NotContains(t, string(raw), secret)
	}

	// Sign-ins with a doctored login cookie in the browser.
	other, err := newSealer(pendingTTL, ta.demo.srv.Now)
	require.NoError(t, err)
	cases := []struct {
		name   string
		cookie func(own *http.Cookie, spare string) string // the login cookie to present at the callback
		want   string
	}{
		{"own cookie", func(own *http.Cookie, _ string) string { return own.Value }, ""},
		{"tampered", func(own *http.Cookie, _ string) string { return tamper(own.Value) }, "could not be verified"},
		{"sealed by another process", func(own *http.Cookie, _ string) string {
			p, err := ta.app.pending.open(own.Value)
			require.NoError(t, err)
			v, err := other.seal(p)
			require.NoError(t, err)
			return v
		}, "could not be verified"},
		{"another sign-in's cookie", func(_ *http.Cookie, spare string) string { return spare }, "state does not match this browser"},
		{"not base64", func(*http.Cookie, string) string { return "!!!" }, "could not be verified"},
		{"too long", func(*http.Cookie, string) string { return strings.Repeat("A", maxSealedLen+1) }, "could not be verified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient()
			_, loc, _ := fetch(t, c, "GET", ta.base+"/login", nil)
			own := c.Jar.Cookies(mustURL(ta.base + "/"))[0]
			spareRec := httptest.NewRecorder()
			ta.app.handler().ServeHTTP(spareRec, httptest.NewRequest("GET", ta.base+"/login", nil))
			spare := spareRec.Result().Cookies()[0].Value
			cb, err := ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
			require.NoError(t, err)
			req, err := http.NewRequest("GET", cb, nil)
			require.NoError(t, err)
			req.AddCookie(&http.Cookie{Name: loginCookie, Value: tc.cookie(own, spare)})
			resp, err := newClient().Do(req) // no jar: only the cookie above
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if tc.want == "" {
				assert.Equal(t, http.StatusFound, resp.StatusCode, string(body))
				// Replaying the spent callback with the same cookie fails:
				// the code is spent at the hosted UI.
				resp, err := newClient().Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
				return
			}
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Contains(t, string(body), tc.want)
		})
	}
}

// tamper flips one bit in the middle of a sealed value's bytes.
func tamper(s string) string {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	raw[len(raw)/2] ^= 1
	return base64.RawURLEncoding.EncodeToString(raw)
}

// TestSealer checks opening sealed sign-ins at and around the ten-minute
// limit, and malformed values.
func TestSealer(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	s, err := newSealer(pendingTTL, clock)
	require.NoError(t, err)
	in := pendingSignIn{Verifier: strings.Repeat("v", 43), Nonce: strings.Repeat("n", 43)}
	v, err := s.seal(in)
	require.NoError(t, err)
	v2, err := s.seal(in)
	require.NoError(t, err)
	assert.NotEqual(t, v, v2, "a fresh GCM nonce per seal")

	empty, err := s.seal(pendingSignIn{})
	require.NoError(t, err)
	cases := []struct {
		name  string
		value string
		at    time.Duration // clock offset when opening
		err   error
	}{
		{"fresh", v, 0, nil},
		{"at the limit", v, pendingTTL, nil},
		{"one second late", v, pendingTTL + time.Second, cognito.ErrStateExpired},
		{"from the future", v, -2 * time.Minute, cognito.ErrStateExpired},
		{"slight clock skew", v, -30 * time.Second, nil},
		{"tampered", tamper(v), 0, cognito.ErrInvalidState},
		{"truncated", v[:20], 0, cognito.ErrInvalidState},
		{"empty", "", 0, cognito.ErrInvalidState},
		{"padding", v + "=", 0, cognito.ErrInvalidState},
		{"no verifier inside", empty, 0, cognito.ErrInvalidState},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Unix(1_800_000_000, 0).Add(tc.at)
			got, err := s.open(tc.value)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, pendingSignIn{}, got)
				assert.NotContains(t, err.Error(), in.Verifier)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, in.Verifier, got.Verifier)
			assert.Equal(t, in.Nonce, got.Nonce)
		})
	}
}

// BenchmarkLogin measures one anonymous GET /login (PKCE, signed state,
// sealed cookie) against the floor of sealing alone.
func BenchmarkLogin(b *testing.B) {
	d, err := startDemo("http://127.0.0.1:1", "")
	require.NoError(b, err)
	defer d.srv.Close()
	cfg := d.settings
	cfg.BaseURL = "http://127.0.0.1:1"
	a, err := newApp(cfg, b.Logf)
	require.NoError(b, err)
	h := a.handler()
	b.Run("login", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
			if rec.Code != http.StatusFound {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("floor-seal", func(b *testing.B) {
		b.ReportAllocs()
		p := pendingSignIn{Verifier: strings.Repeat("v", 43), Nonce: strings.Repeat("n", 43)}
		for b.Loop() {
			if _, err := a.pending.seal(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
