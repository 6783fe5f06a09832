package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
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
	_, err := parseFlags([]string{"-domain", "https://x.auth.eu-west-1.amazoncognito.com"})
	assert.ErrorContains(t, err, "required with -domain")
	f, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", f.addr)

	ctx, cancel := context.WithCancel(context.Background())
	out := &syncWriter{w: &bytes.Buffer{}}
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

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(*bytes.Buffer).String()
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
