// Package oauthtest holds what the fake identity providers' tests share:
// a settable clock, a browser-like client with a cookie jar that does not
// follow redirects, and form scraping to submit consent pages as a user
// would.
package oauthtest

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Browser returns a client with a cookie jar that stops at redirects, so a
// test can read where the provider sends the user.
func Browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// HiddenFields returns the hidden form fields of an HTML page.
func HiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// Get fetches u and returns the status and body.
func Get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// Consent opens the consent page at pageURL, requires it to answer 200,
// and posts its form to action with the hidden fields and fields (which
// win), returning the response.
func Consent(t testing.TB, c *http.Client, pageURL, action string, fields url.Values) *http.Response {
	t.Helper()
	status, page := Get(t, c, pageURL)
	require.Equal(t, http.StatusOK, status, page)
	form := HiddenFields(page)
	for k, v := range fields {
		form[k] = v
	}
	resp, err := c.PostForm(action, form)
	require.NoError(t, err)
	return resp
}

// Location returns the parsed Location of a redirect.
func Location(t testing.TB, resp *http.Response) *url.URL {
	t.Helper()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return u
}

// DoJSON sends req with the default client and decodes the JSON object it
// answers.
func DoJSON(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

// PostToken posts an authorization_code token request with form to
// tokenURL and decodes the answer.
func PostToken(t testing.TB, tokenURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	form.Set("grant_type", "authorization_code")
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return DoJSON(t, req)
}
