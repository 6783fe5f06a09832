package websession_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
	"github.com/cognitokit/cognitokit/websession"
)

// countingTransport counts refresh_token grants sent to the token endpoint.
type countingTransport struct{ refreshes atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/oauth2/token") && r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if strings.Contains(string(b), "grant_type=refresh_token") {
			c.refreshes.Add(1)
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	return http.DefaultTransport.RoundTrip(r)
}

type app struct {
	srv    *cognitotest.Server
	pool   string
	client cognitotest.AppClient
	web    *httptest.Server
	ws     *websession.Manager
	store  *websession.MemoryStore
	count  *countingTransport
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{srv: cognitotest.NewServer(), store: websession.NewMemoryStore(), count: &countingTransport{}}
	t.Cleanup(a.srv.Close)
	var handler http.Handler
	a.web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(a.web.Close)
	a.pool = a.srv.MustCreateUserPool(cognitotest.PoolOptions{})
	a.client = a.srv.MustCreateUserPoolClient(a.pool, cognitotest.ClientOptions{Name: "web", CallbackURLs: []string{a.web.URL + "/callback"},
		LogoutURLs: []string{a.web.URL + "/"}, AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "aws.cognito.signin.user.admin"}})
	a.srv.MustCreateUser(a.pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})
	ui, err := cognito.NewHostedUI(a.srv.HostedUIURL(), a.client.ID, a.web.URL+"/callback", func(o *cognito.HostedUIOptions) {
		o.Clock = a.srv.Now
		o.HTTPClient = &http.Client{Transport: a.count}
	})
	require.NoError(t, err)
	v, err := jwks.NewVerifier(a.pool, func(o *jwks.Options) {
		o.Endpoint = a.srv.URL
		o.TokenUse = jwks.TokenUseID
		o.ClientIDs = []string{a.client.ID}
		o.Clock = a.srv.Now
	})
	require.NoError(t, err)
	a.ws, err = websession.New(websession.Config{HostedUI: ui, Verifier: v, Store: a.store, LogoutURI: a.web.URL + "/",
		AllowedReturns: []string{"/orders", "/admin/"}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("GET /login", a.ws.LoginHandler())
	mux.Handle("GET /callback", a.ws.CallbackHandler())
	mux.Handle("POST /logout", a.ws.LogoutHandler())
	mux.Handle("/orders", a.ws.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwks.ClaimsFromContext(r.Context())
		_, hasSession := websession.Session(r.Context())
		fmt.Fprintf(w, "orders of %s (%s) session=%v", c.Username, c.Email, hasSession)
	})))
	mux.Handle("/", a.ws.Optional(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := jwks.ClaimsFromContext(r.Context()); ok {
			fmt.Fprintf(w, "home of %s", c.Username)
			return
		}
		fmt.Fprint(w, "home")
	})))
	handler = mux
	return a
}

// browser is a cookie-keeping client that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, method, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn runs /login → hosted UI → /callback and returns the callback's
// answer.
func (a *app) signIn(t *testing.T, b *http.Client, ret string) *http.Response {
	t.Helper()
	resp, _ := do(t, b, "GET", a.web.URL+"/login?return="+url.QueryEscape(ret))
	require.Equal(t, http.StatusFound, resp.StatusCode)
	cb, err := a.srv.HostedSignIn(resp.Header.Get("Location"), "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	resp, _ = do(t, b, "GET", cb)
	return resp
}

func TestSignInSessionAndLogout(t *testing.T) {
	a := newApp(t)
	b := browser(t)

	resp, _ := do(t, b, "GET", a.web.URL+"/orders")
	require.Equal(t, http.StatusFound, resp.StatusCode, "no session: to the login page")
	assert.Equal(t, "/login?return=%2Forders", resp.Header.Get("Location"))
	resp, _ = do(t, b, "POST", a.web.URL+"/orders")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no session, not a page: 401")

	resp = a.signIn(t, b, "/orders")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/orders", resp.Header.Get("Location"))
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "session" && c.MaxAge > 0 {
			session = c
		}
	}
	require.NotNil(t, session, "a session cookie")
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
	assert.Len(t, session.Value, 43, "an opaque ID, not a token")
	assert.Equal(t, 1, a.store.Len())

	_, body := do(t, b, "GET", a.web.URL+"/orders")
	assert.Equal(t, "orders of alice (alice@example.com) session=true", body)
	_, body = do(t, b, "GET", a.web.URL+"/")
	assert.Equal(t, "home of alice", body)
	_, body = do(t, browser(t), "GET", a.web.URL+"/")
	assert.Equal(t, "home", body, "Optional serves strangers too")

	// Near expiry, 50 concurrent requests share one refresh.
	a.srv.Advance(58 * time.Minute)
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", a.web.URL+"/orders", nil)
			resp, err := b.Do(req)
			if err == nil {
				if resp.StatusCode == 200 {
					ok.Add(1)
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 50, ok.Load())
	assert.EqualValues(t, 1, a.count.refreshes.Load(), "one refresh for the session")

	stored, err := a.store.Load(context.Background(), session.Value)
	require.NoError(t, err)
	refresh := stored.RefreshToken
	resp, _ = do(t, b, "POST", a.web.URL+"/logout")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "/logout?")
	assert.Contains(t, resp.Header.Get("Location"), "logout_uri="+url.QueryEscape(a.web.URL+"/"))
	assert.Equal(t, 0, a.store.Len(), "the server-side session is gone")
	resp, _ = do(t, b, "GET", a.web.URL+"/orders")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "signed out")
	ui, err := cognito.NewHostedUI(a.srv.HostedUIURL(), a.client.ID, a.web.URL+"/callback")
	require.NoError(t, err)
	_, err = ui.Refresh(context.Background(), refresh)
	assert.ErrorIs(t, err, cognito.ErrInvalidGrant, "the refresh token was revoked at logout")
}

func TestCallbackRefusals(t *testing.T) {
	a := newApp(t)
	b := browser(t)

	resp, _ := do(t, b, "GET", a.web.URL+"/login?return="+url.QueryEscape("https://evil.example/"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "destination not allowed")
	resp, _ = do(t, b, "GET", a.web.URL+"/login?return="+url.QueryEscape("/elsewhere"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "destination not allowed")

	// A callback in another browser (login CSRF) is refused.
	resp, _ = do(t, b, "GET", a.web.URL+"/login?return=/orders")
	cb, err := a.srv.HostedSignIn(resp.Header.Get("Location"), "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	resp, body := do(t, browser(t), "GET", cb)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "not started in this browser")

	// The right browser succeeds once; a replay is refused.
	resp, _ = do(t, b, "GET", cb)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	resp, _ = do(t, b, "GET", cb)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// A tampered sealed cookie is refused.
	c2 := browser(t)
	resp, _ = do(t, c2, "GET", a.web.URL+"/login?return=/orders")
	loc := resp.Header.Get("Location")
	u, _ := url.Parse(a.web.URL)
	cookies := c2.Jar.Cookies(u)
	require.Len(t, cookies, 1)
	v := []byte(cookies[0].Value)
	v[10] ^= 1
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: cookies[0].Name, Value: string(v), Path: "/"}})
	cb, err = a.srv.HostedSignIn(loc, "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	resp, _ = do(t, c2, "GET", cb)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// A forged session cookie is no session.
	c3 := browser(t)
	c3.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: strings.Repeat("A", 43), Path: "/"}})
	resp, _ = do(t, c3, "GET", a.web.URL+"/orders")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

// TestLoginFloodStoresNothing: anonymous /login requests keep nothing on
// the server, so a flood cannot lock real users out.
func TestLoginFloodStoresNothing(t *testing.T) {
	a := newApp(t)
	flood := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range 10050 {
		resp, err := flood.Get(a.web.URL + "/login?return=/orders")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode, "request %d", i)
	}
	assert.Equal(t, 0, a.store.Len())
	b := browser(t)
	resp := a.signIn(t, b, "/orders")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	_, body := do(t, b, "GET", a.web.URL+"/orders")
	assert.Contains(t, body, "orders of alice")
}

// TestSignedOutElsewhere: a global sign-out ends the web session at its
// next refresh.
func TestSignedOutElsewhere(t *testing.T) {
	a := newApp(t)
	b := browser(t)
	a.signIn(t, b, "/orders")
	u, _ := url.Parse(a.web.URL)
	var id string
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "session" {
			id = c.Value
		}
	}
	tok, err := a.store.Load(context.Background(), id)
	require.NoError(t, err)
	c := cognito.New(a.srv.Config(), a.pool, a.client.ID)
	require.NoError(t, c.GlobalSignOut(context.Background(), tok.AccessToken))
	a.srv.Advance(58 * time.Minute)
	resp, _ := do(t, b, "GET", a.web.URL+"/orders")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "back to the login page")
	assert.Equal(t, 0, a.store.Len(), "the dead session is forgotten")
}

func TestManagerFormatHidesKey(t *testing.T) {
	a := newApp(t)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, a.ws)
		assert.Contains(t, s, "websession.Manager{")
	}
	_, err := websession.New(websession.Config{})
	assert.Error(t, err)
}

// TestLoginIdentityProvider: ?identity_provider= goes straight to an
// allow-listed provider; any other name is refused.
func TestLoginIdentityProvider(t *testing.T) {
	a := newApp(t)
	ui, err := cognito.NewHostedUI(a.srv.HostedUIURL(), a.client.ID, a.web.URL+"/callback")
	require.NoError(t, err)
	v, err := jwks.NewVerifier(a.pool, func(o *jwks.Options) { o.Endpoint, o.ClientIDs = a.srv.URL, []string{a.client.ID} })
	require.NoError(t, err)
	ws, err := websession.New(websession.Config{HostedUI: ui, Verifier: v, IdentityProviders: []string{cognito.IdentityProviderFacebook}})
	require.NoError(t, err)
	cases := []struct {
		query    string
		status   int
		provider string
	}{
		{"", http.StatusFound, ""},
		{"?identity_provider=Facebook", http.StatusFound, "Facebook"},
		{"?identity_provider=Google", http.StatusBadRequest, ""},
		{"?identity_provider=facebook", http.StatusBadRequest, ""},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			rec := httptest.NewRecorder()
			ws.LoginHandler().ServeHTTP(rec, httptest.NewRequest("GET", a.web.URL+"/login"+tc.query, nil))
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status != http.StatusFound {
				assert.Contains(t, rec.Body.String(), "identity provider not allowed")
				assert.Empty(t, rec.Result().Cookies(), "a refused sign-in sets no cookie")
				return
			}
			u, err := url.Parse(rec.Header().Get("Location"))
			require.NoError(t, err)
			assert.Equal(t, tc.provider, u.Query().Get("identity_provider"))
		})
	}
	// Without the allow-list, no provider may be named.
	rec := httptest.NewRecorder()
	a.ws.LoginHandler().ServeHTTP(rec, httptest.NewRequest("GET", a.web.URL+"/login?identity_provider=Facebook", nil))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
}

// TestReplayedCallbackIsBadRequest: a callback replayed with its stolen
// sign-in cookie, after the code was spent, used to answer 502 Bad Gateway
// (as if the hosted UI had failed); the request is at fault: 400.
func TestReplayedCallbackIsBadRequest(t *testing.T) {
	a := newApp(t)
	b := browser(t)
	resp, _ := do(t, b, "GET", a.web.URL+"/login?return=/orders")
	u, _ := url.Parse(a.web.URL)
	pending := b.Jar.Cookies(u)
	require.Len(t, pending, 1)
	cb, err := a.srv.HostedSignIn(resp.Header.Get("Location"), "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	resp, _ = do(t, b, "GET", cb)
	require.Equal(t, http.StatusFound, resp.StatusCode)

	req, err := http.NewRequest("GET", cb, nil)
	require.NoError(t, err)
	req.AddCookie(pending[0])
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
	assert.Contains(t, string(body), "already used or has expired")
}
