package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
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
func startTestApp(t *testing.T) *testApp { t.Helper(); return startTestAppAs(t, "127.0.0.1") }

// startTestAppAs is startTestApp with the app's URL naming host ("localhost"
// for passkeys, whose relying party cannot be an IP address); it listens
// on 127.0.0.1 either way.
func startTestAppAs(t *testing.T, host string) *testApp {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + net.JoinHostPort(host, strings.TrimPrefix(l.Addr().String(), "127.0.0.1:"))
	d, err := startDemo(base, "")
	require.NoError(t, err)
	t.Cleanup(d.srv.Close)
	cfg := d.settings
	cfg.BaseURL = base
	a, err := newApp(cfg, testLogger(t))
	require.NoError(t, err)
	srv := &http.Server{Handler: a.handler()}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &testApp{base: base, demo: d, app: a}
}

// testLogger sends the app's log to the test's.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// sessionCookie is websession's cookie on plain http at a loopback
// address (with the __Host- prefix and Secure on https).
const sessionCookie = "session"

func newClient() *http.Client {
	j, _ := cookiejar.New(nil)
	return &http.Client{Jar: j, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, header http.Header) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

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
	// The session cookie is an opaque ID, not tokens.
	cookies := c.Jar.Cookies(mustURL(ta.base + "/"))
	require.Len(t, cookies, 1)
	assert.Equal(t, sessionCookie, cookies[0].Name)
	assert.Len(t, cookies[0].Value, 43)
	assert.Equal(t, 1, ta.app.store.Len())

	status, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	require.Equal(t, 200, status)
	assert.Contains(t, body, `<b id="who">alice</b>`)
	assert.Contains(t, body, "alice@example.com")

	// The same callback again: the code and the login are spent.
	status, _, _ = fetch(t, c, "GET", cb, nil)
	assert.Equal(t, 400, status)

	// POSTs a browser marks as cross-site are refused.
	for _, h := range []http.Header{{"Origin": {"https://evil.example"}}, {"Sec-Fetch-Site": {"cross-site"}},
		{"Sec-Fetch-Site": {"same-site"}, "Origin": {"null"}}} {
		status, _, _ = fetch(t, c, "POST", ta.base+"/call", h)
		assert.Equal(t, 403, status, h)
		status, _, _ = fetch(t, c, "POST", ta.base+"/logout", h)
		assert.Equal(t, 403, status, h)
	}
	status, _, body = fetch(t, c, "POST", ta.base+"/call", http.Header{"Origin": {"null"}, "Sec-Fetch-Site": {"same-origin"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "HTTP 200")
	assert.Contains(t, body, "hello from the IAM-protected API")

	status, loc, _ = fetch(t, c, "POST", ta.base+"/logout", nil)
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, ta.demo.srv.URL+"/logout?"+url.Values{"client_id": {ta.demo.settings.ClientID}, "logout_uri": {ta.base + "/"}}.Encode(), loc)
	status, loc, _ = fetch(t, c, "GET", loc, nil)
	require.Equal(t, http.StatusFound, status)
	assert.Equal(t, ta.base+"/", loc)
	_, _, body = fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, `id="signed-out"`)
	assert.Zero(t, ta.app.store.Len(), "the session is gone from the server")
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestWebAppFacebookAndErrors(t *testing.T) {
	ta := startTestApp(t)
	c := newClient()
	status, loc, _ := fetch(t, c, "GET", ta.base+"/login?identity_provider=Facebook", nil)
	require.Equal(t, http.StatusFound, status)
	assert.Contains(t, loc, "identity_provider=Facebook")
	cb, err := ta.demo.srv.HostedFacebookSignIn(loc, cognitotest.FacebookUser{ID: "10001", Name: "Fay", Email: "fay@example.com"})
	require.NoError(t, err)
	fetch(t, c, "GET", cb, nil)
	_, _, body := fetch(t, c, "GET", ta.base+"/", nil)
	assert.Contains(t, body, "Facebook_10001")
	assert.Contains(t, body, ta.demo.settings.UserPoolID+"_Facebook")

	status, _, _ = fetch(t, c, "GET", ta.base+"/login?identity_provider=Evil", nil)
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
	assert.Contains(t, body, "not started in this browser", "the sign-in cookie is named after the state")
	// A user who cancels at the hosted UI comes back home, signed out.
	status, loc, _ = fetch(t, c2, "GET", ta.base+"/callback?error=access_denied&state=x", nil)
	assert.Equal(t, http.StatusFound, status)
	assert.Equal(t, "/", loc)
	// Signed-out POSTs are refused.
	status, _, _ = fetch(t, newClient(), "POST", ta.base+"/call", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestRunFlags(t *testing.T) {
	_, err := parseFlags([]string{"-domain", "https://x.auth.eu-west-1.amazoncognito.com", "-client-id", "c"})
	assert.EqualError(t, err, "-domain also needs -region, -user-pool-id, -identity-pool-id, -api-url", "all missing flags at once")
	f, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", f.addr)

	base, out, stop := startRun(t, "-addr", "127.0.0.1:0")
	assert.Contains(t, out.String(), "sign in as alice / ")
	status, _, body := fetch(t, newClient(), "GET", base+"/", nil)
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `id="sign-in-facebook"`)
	stop()
}

// startRun runs the command with args until stop, which checks that it
// ended without error; it returns the app's URL and the command's output.
func startRun(t *testing.T, args ...string) (base string, out *interop.SyncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &interop.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, out) }()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var m []string
	require.Eventually(t, func() bool { m = re.FindStringSubmatch(out.String()); return m != nil }, 10*time.Second, 20*time.Millisecond)
	return m[1], out, func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("run did not stop")
		}
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
	assert.Zero(t, ta.app.store.Len(), "the flood left nothing on the server")

	_, body := signIn(t, ta)
	assert.Contains(t, body, `<b id="who">alice</b>`, "a real sign-in still works after the flood")
}

// TestLoginCookie: the pending sign-in cookie is HttpOnly, SameSite=Lax
// and short-lived, never shows the state or the PKCE challenge's verifier
// in clear, and a sign-in whose cookie was tampered with, swapped or
// replayed is refused.
func TestLoginCookie(t *testing.T) {
	ta := startTestApp(t)
	rec := httptest.NewRecorder()
	ta.app.handler().ServeHTTP(rec, httptest.NewRequest("GET", ta.base+"/login", nil))
	require.Equal(t, http.StatusFound, rec.Code)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	lc := cookies[0]
	assert.True(t, lc.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, lc.SameSite)
	assert.Equal(t, 600, lc.MaxAge)
	assert.Equal(t, "/", lc.Path)
	assert.Less(t, len(lc.Value), 300, "a small cookie")
	state := mustURL(rec.Header().Get("Location")).Query().Get("state")
	assert.NotContains(t, lc.Value, state)

	cases := []struct {
		name   string
		cookie func(own *http.Cookie, spare *http.Cookie) *http.Cookie // the login cookie to present at the callback
		status int
	}{
		{"own cookie", func(own, _ *http.Cookie) *http.Cookie { return own }, http.StatusFound},
		{"tampered", func(own, _ *http.Cookie) *http.Cookie { return &http.Cookie{Name: own.Name, Value: tamper(own.Value)} }, 400},
		{"another sign-in's cookie", func(_, spare *http.Cookie) *http.Cookie { return spare }, 400},
		{"another sign-in's cookie under this one's name", func(own, spare *http.Cookie) *http.Cookie {
			return &http.Cookie{Name: own.Name, Value: spare.Value}
		}, 400},
		{"not base64", func(own, _ *http.Cookie) *http.Cookie { return &http.Cookie{Name: own.Name, Value: "!!!"} }, 400},
		{"too long", func(own, _ *http.Cookie) *http.Cookie {
			return &http.Cookie{Name: own.Name, Value: strings.Repeat("A", 5000)}
		}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient()
			_, loc, _ := fetch(t, c, "GET", ta.base+"/login", nil)
			own := c.Jar.Cookies(mustURL(ta.base + "/"))[0]
			spareRec := httptest.NewRecorder()
			ta.app.handler().ServeHTTP(spareRec, httptest.NewRequest("GET", ta.base+"/login", nil))
			spare := spareRec.Result().Cookies()[0]
			cb, err := ta.demo.srv.HostedSignIn(loc, "alice", ta.demo.password)
			require.NoError(t, err)
			req, err := http.NewRequest("GET", cb, nil)
			require.NoError(t, err)
			req.AddCookie(tc.cookie(own, spare))
			resp, err := newClient().Do(req) // no cookie but the one above
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode, string(body))
			if tc.status == http.StatusFound {
				// Replaying the spent callback with the same cookie fails:
				// the code is spent at the hosted UI.
				resp, err := newClient().Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			}
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

// BenchmarkLogin measures one anonymous GET /login (PKCE, signed state,
// sealed cookie, security headers) against the floor of making the PKCE
// pair alone.
func BenchmarkLogin(b *testing.B) {
	d, err := startDemo("http://127.0.0.1:1", "")
	require.NoError(b, err)
	defer d.srv.Close()
	cfg := d.settings
	cfg.BaseURL = "http://127.0.0.1:1"
	a, err := newApp(cfg, testLogger(b))
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
	b.Run("floor-pkce", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cognito.NewPKCE(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestWebAppGoogleAndSAML signs in through the app's Google and SAML
// buttons without a browser (cognitotest drives the fakes' pages), and
// through a Google login linked to alice.
func TestWebAppGoogleAndSAML(t *testing.T) {
	ta := startTestApp(t)
	_, _, home := fetch(t, newClient(), "GET", ta.base+"/", nil)
	for _, id := range []string{"sign-in-facebook", "sign-in-google", "sign-in-corpsaml"} {
		assert.Contains(t, home, `id="`+id+`"`, "the client's providers are buttons")
	}
	ta.demo.srv.MustLinkProviderForUser(ta.demo.settings.UserPoolID, "alice", "Google", "g-alice")
	for _, tc := range []struct {
		name, provider, subject, who string
	}{
		{"Google", "Google", "g-10001", "Google_g-10001"},
		{"SAML", demoSAML, demoSAMLUser, demoSAML + "_" + demoSAMLUser},
		{"linked Google", "Google", "g-alice", "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient()
			status, loc, _ := fetch(t, c, "GET", ta.base+"/login?identity_provider="+tc.provider, nil)
			require.Equal(t, http.StatusFound, status)
			cb, err := ta.demo.srv.HostedProviderSignIn(loc, tc.provider, cognitotest.ProviderUser{Subject: tc.subject, Email: "u@example.com"})
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(cb, ta.base+"/callback?"), cb)
			fetch(t, c, "GET", cb, nil)
			_, _, body := fetch(t, c, "GET", ta.base+"/", nil)
			assert.Contains(t, body, `<b id="who">`+html.EscapeString(tc.who)+`</b>`)
		})
	}
	// A SAML user the IdP does not know gets no further than its page.
	c := newClient()
	_, loc, _ := fetch(t, c, "GET", ta.base+"/login?identity_provider="+demoSAML, nil)
	_, err := ta.demo.srv.HostedProviderSignIn(loc, demoSAML, cognitotest.ProviderUser{Subject: "mallory@corp.example"})
	assert.Error(t, err)
}

func TestProviderButtons(t *testing.T) {
	got := providerButtons([]string{"Facebook", "Google", "SignInWithApple", "LoginWithAmazon", "Corp SAML-2", "<x>"})
	want := []providerButton{
		{Name: "Facebook", Label: "Facebook", ID: "sign-in-facebook", Class: "fb"},
		{Name: "Google", Label: "Google", ID: "sign-in-google", Class: "google"},
		{Name: "SignInWithApple", Label: "Apple", ID: "sign-in-signinwithapple", Class: "plain"},
		{Name: "LoginWithAmazon", Label: "Amazon", ID: "sign-in-loginwithamazon", Class: "plain"},
		{Name: "Corp SAML-2", Label: "Corp SAML-2", ID: "sign-in-corpsaml2", Class: "plain"},
		{Name: "<x>", Label: "<x>", ID: "sign-in-x", Class: "plain"},
	}
	assert.Equal(t, want, got)
	assert.Empty(t, providerButtons(nil))
	assert.Equal(t, []string{"Google", "CorpSAML"}, splitList(" Google, ,CorpSAML,"))
	assert.Nil(t, splitList(""))
}

// TestRunProvidersFlag: -providers replaces the buttons, and
// /login?identity_provider= accepts those names only.
func TestRunProvidersFlag(t *testing.T) {
	base, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-providers", "Google")
	_, _, body := fetch(t, newClient(), "GET", base+"/", nil)
	assert.Contains(t, body, `id="sign-in-google"`)
	assert.NotContains(t, body, `id="sign-in-facebook"`)
	status, _, _ := fetch(t, newClient(), "GET", base+"/login?identity_provider=Google", nil)
	assert.Equal(t, http.StatusFound, status)
	status, _, _ = fetch(t, newClient(), "GET", base+"/login?identity_provider=Facebook", nil)
	assert.Equal(t, http.StatusBadRequest, status)
	stop()
}
