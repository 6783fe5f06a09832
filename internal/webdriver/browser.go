package webdriver

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// pollInterval is how often waits look again.
const pollInterval = 50 * time.Millisecond

// sourceSnippet is how much page source a failure message shows.
const sourceSnippet = 1500

// fail fails the test with err, the current URL and the start of the page
// source.
func (b *Browser) fail(err error) {
	b.t.Helper()
	b.t.Fatalf("%v\n%s", err, b.describe())
}

// describe returns the current URL and a snippet of the page source, for
// failure messages.
func (b *Browser) describe() string {
	var sb strings.Builder
	var u string
	if err := b.s.diagCmd("GET", "/url", nil, &u); err != nil {
		fmt.Fprintf(&sb, "current URL: unavailable (%v)\n", err)
		return sb.String()
	}
	fmt.Fprintf(&sb, "current URL: %s\n", u)
	var src string
	if err := b.s.diagCmd("GET", "/source", nil, &src); err != nil {
		fmt.Fprintf(&sb, "page source: unavailable (%v)\n", err)
		return sb.String()
	}
	if len(src) > sourceSnippet {
		cut := sourceSnippet
		for cut > 0 && !utf8.RuneStart(src[cut]) {
			cut--
		}
		fmt.Fprintf(&sb, "page source (first %d of %d bytes):\n%s\n…", cut, len(src), src[:cut])
	} else {
		fmt.Fprintf(&sb, "page source:\n%s", src)
	}
	return sb.String()
}

// TryNavigate loads url and waits for the page to load (up to
// Options.PageLoadTimeout). An unreachable URL is an error.
func (b *Browser) TryNavigate(rawURL string) error {
	return b.s.cmd("POST", "/url", map[string]string{"url": rawURL}, nil)
}

// Navigate is TryNavigate that fails the test on error.
func (b *Browser) Navigate(rawURL string) {
	b.t.Helper()
	if err := b.TryNavigate(rawURL); err != nil {
		b.fail(fmt.Errorf("webdriver: Navigate(%q): %w", rawURL, err))
	}
}

// TryBack goes one step back in the history.
func (b *Browser) TryBack() error { return b.s.cmd("POST", "/back", nil, nil) }

// Back is TryBack that fails the test on error.
func (b *Browser) Back() {
	b.t.Helper()
	if err := b.TryBack(); err != nil {
		b.fail(err)
	}
}

// TryRefresh reloads the page.
func (b *Browser) TryRefresh() error { return b.s.cmd("POST", "/refresh", nil, nil) }

// Refresh is TryRefresh that fails the test on error.
func (b *Browser) Refresh() {
	b.t.Helper()
	if err := b.TryRefresh(); err != nil {
		b.fail(err)
	}
}

// TryCurrentURL returns the URL of the page shown.
func (b *Browser) TryCurrentURL() (string, error) {
	var u string
	err := b.s.cmd("GET", "/url", nil, &u)
	return u, err
}

// CurrentURL is TryCurrentURL that fails the test on error.
func (b *Browser) CurrentURL() string {
	b.t.Helper()
	u, err := b.TryCurrentURL()
	if err != nil {
		b.fail(err)
	}
	return u
}

// TryTitle returns the page's title.
func (b *Browser) TryTitle() (string, error) {
	var s string
	err := b.s.cmd("GET", "/title", nil, &s)
	return s, err
}

// Title is TryTitle that fails the test on error.
func (b *Browser) Title() string {
	b.t.Helper()
	s, err := b.TryTitle()
	if err != nil {
		b.fail(err)
	}
	return s
}

// TryPageSource returns the page's current DOM serialized as HTML.
func (b *Browser) TryPageSource() (string, error) {
	var s string
	err := b.s.cmd("GET", "/source", nil, &s)
	return s, err
}

// PageSource is TryPageSource that fails the test on error.
func (b *Browser) PageSource() string {
	b.t.Helper()
	s, err := b.TryPageSource()
	if err != nil {
		b.fail(err)
	}
	return s
}

// TryFind returns the first element matching the CSS selector, waiting up
// to Timeout for one to appear. When none does, the error wraps both
// ErrTimeout and ErrNoSuchElement; an invalid selector fails at once.
func (b *Browser) TryFind(css string) (*Element, error) {
	return b.find("", css)
}

// Find is TryFind that fails the test on error.
func (b *Browser) Find(css string) *Element {
	b.t.Helper()
	el, err := b.TryFind(css)
	if err != nil {
		b.fail(err)
	}
	return el
}

// TryFindAll returns every element matching the CSS selector, without
// waiting: none is an empty slice, not an error.
func (b *Browser) TryFindAll(css string) ([]*Element, error) {
	return b.findAll("", css)
}

// FindAll is TryFindAll that fails the test on error.
func (b *Browser) FindAll(css string) []*Element {
	b.t.Helper()
	els, err := b.TryFindAll(css)
	if err != nil {
		b.fail(err)
	}
	return els
}

// find looks for css under the element path base ("" for the document)
// until it appears or Timeout passes.
func (b *Browser) find(base, css string) (*Element, error) {
	deadline := time.Now().Add(b.timeout)
	for {
		var ref map[string]string
		err := b.s.cmd("POST", base+"/element", locator(css), &ref)
		if err == nil {
			id := ref[elementKey]
			if id == "" {
				return nil, fmt.Errorf("webdriver: find %q: answer has no element reference", css)
			}
			return &Element{b: b, id: id, css: css}, nil
		}
		if !errors.Is(err, ErrNoSuchElement) || time.Now().After(deadline) {
			if errors.Is(err, ErrNoSuchElement) {
				return nil, newWaitError(err, "webdriver: no element matches %q within %s", css, b.timeout)
			}
			return nil, fmt.Errorf("webdriver: find %q: %w", css, err)
		}
		time.Sleep(pollInterval)
	}
}

func (b *Browser) findAll(base, css string) ([]*Element, error) {
	var refs []map[string]string
	if err := b.s.cmd("POST", base+"/elements", locator(css), &refs); err != nil {
		return nil, fmt.Errorf("webdriver: find all %q: %w", css, err)
	}
	els := make([]*Element, 0, len(refs))
	for _, r := range refs {
		if id := r[elementKey]; id != "" {
			els = append(els, &Element{b: b, id: id, css: css})
		}
	}
	return els, nil
}

func locator(css string) map[string]string {
	return map[string]string{"using": "css selector", "value": css}
}

// TryWaitFor calls cond until it returns true or timeout passes (zero
// means Timeout); giving up is an error wrapping ErrTimeout.
func (b *Browser) TryWaitFor(cond func() bool, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = b.timeout
	}
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return nil
		}
		if time.Now().After(deadline) {
			return newWaitError(nil, "webdriver: condition not met within %s", timeout)
		}
		time.Sleep(pollInterval)
	}
}

// WaitFor is TryWaitFor that fails the test on error. cond may call the
// Browser's fatal methods.
func (b *Browser) WaitFor(cond func() bool, timeout time.Duration) {
	b.t.Helper()
	if err := b.TryWaitFor(cond, timeout); err != nil {
		b.fail(err)
	}
}

// TryWaitURL waits up to Timeout until the current URL starts with
// prefix, and returns it. Giving up is an error wrapping ErrTimeout that
// names the last URL seen.
func (b *Browser) TryWaitURL(prefix string) (string, error) {
	deadline := time.Now().Add(b.timeout)
	for {
		u, err := b.TryCurrentURL()
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(u, prefix) {
			return u, nil
		}
		if time.Now().After(deadline) {
			return u, newWaitError(nil, "webdriver: URL does not start with %q within %s (it is %q)", prefix, b.timeout, u)
		}
		time.Sleep(pollInterval)
	}
}

// WaitURL is TryWaitURL that fails the test on error.
func (b *Browser) WaitURL(prefix string) string {
	b.t.Helper()
	u, err := b.TryWaitURL(prefix)
	if err != nil {
		b.fail(err)
	}
	return u
}

// TryExecuteScript runs js as the body of a function in the page
// (arguments[0]… are args; *Element arguments become the DOM elements)
// and returns what it returns, decoded from JSON (numbers are float64,
// DOM elements come back as *Element). A script that throws gives an
// error wrapping ErrJavaScript.
func (b *Browser) TryExecuteScript(js string, args ...any) (any, error) {
	if args == nil {
		args = []any{}
	}
	var out any
	if err := b.s.cmd("POST", "/execute/sync", map[string]any{"script": js, "args": args}, &out); err != nil {
		return nil, err
	}
	return b.elements(out), nil
}

// ExecuteScript is TryExecuteScript that fails the test on error.
func (b *Browser) ExecuteScript(js string, args ...any) any {
	b.t.Helper()
	out, err := b.TryExecuteScript(js, args...)
	if err != nil {
		b.fail(err)
	}
	return out
}

// elements turns web element references in a decoded script result into
// *Element values.
func (b *Browser) elements(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x[elementKey].(string); ok && len(x) == 1 {
			return &Element{b: b, id: id}
		}
		for k, e := range x {
			x[k] = b.elements(e)
		}
	case []any:
		for i, e := range x {
			x[i] = b.elements(e)
		}
	}
	return v
}

// TryScreenshotPNG returns a PNG screenshot of the viewport.
func (b *Browser) TryScreenshotPNG() ([]byte, error) {
	return b.screenshot(b.s.cmd)
}

func (b *Browser) screenshot(cmd func(method, rel string, body, out any) error) ([]byte, error) {
	var enc string
	if err := cmd("GET", "/screenshot", nil, &enc); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("webdriver: screenshot: %w", err)
	}
	return png, nil
}

// ScreenshotPNG is TryScreenshotPNG that fails the test on error.
func (b *Browser) ScreenshotPNG() []byte {
	b.t.Helper()
	png, err := b.TryScreenshotPNG()
	if err != nil {
		b.fail(err)
	}
	return png
}

// TryScreenshot writes a PNG screenshot of the viewport to path, creating
// its parent directories.
func (b *Browser) TryScreenshot(path string) error {
	png, err := b.TryScreenshotPNG()
	if err != nil {
		return err
	}
	return writeFile(path, png)
}

// Screenshot is TryScreenshot that fails the test on error.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	if err := b.TryScreenshot(path); err != nil {
		b.fail(err)
	}
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("webdriver: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("webdriver: %w", err)
	}
	return nil
}

// Cookie is a browser cookie (W3C WebDriver section 14.1). Its String
// method leaves the value out.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	// Expiry is in seconds since the Unix epoch; zero for a session cookie.
	Expiry int64 `json:"expiry,omitempty"`
	// SameSite is "Strict", "Lax" or "None".
	SameSite string `json:"sameSite,omitempty"`
}

// String describes the cookie without its value, which may be a secret.
func (c Cookie) String() string {
	var flags []string
	if c.Secure {
		flags = append(flags, "Secure")
	}
	if c.HTTPOnly {
		flags = append(flags, "HttpOnly")
	}
	if c.SameSite != "" {
		flags = append(flags, "SameSite="+c.SameSite)
	}
	return fmt.Sprintf("%s=<%d bytes>; Domain=%s; Path=%s; %s", c.Name, len(c.Value), c.Domain, c.Path, strings.Join(flags, "; "))
}

// TryCookies returns the cookies visible to the current page, HttpOnly
// ones included.
func (b *Browser) TryCookies() ([]Cookie, error) {
	var cs []Cookie
	err := b.s.cmd("GET", "/cookie", nil, &cs)
	return cs, err
}

// Cookies is TryCookies that fails the test on error.
func (b *Browser) Cookies() []Cookie {
	b.t.Helper()
	cs, err := b.TryCookies()
	if err != nil {
		b.fail(err)
	}
	return cs
}

// TryCookie returns the current page's cookie called name; a missing one
// is an error wrapping ErrNoSuchCookie.
func (b *Browser) TryCookie(name string) (Cookie, error) {
	var c Cookie
	err := b.s.cmd("GET", "/cookie/"+url.PathEscape(name), nil, &c)
	return c, err
}

// Cookie returns the current page's cookie called name and whether there
// is one; other errors fail the test.
func (b *Browser) Cookie(name string) (Cookie, bool) {
	b.t.Helper()
	c, err := b.TryCookie(name)
	if errors.Is(err, ErrNoSuchCookie) {
		return Cookie{}, false
	}
	if err != nil {
		b.fail(err)
	}
	return c, true
}

// TryAddCookie sets a cookie for the current page's domain (for example
// a tampered session cookie).
func (b *Browser) TryAddCookie(c Cookie) error {
	return b.s.cmd("POST", "/cookie", map[string]any{"cookie": c}, nil)
}

// AddCookie is TryAddCookie that fails the test on error.
func (b *Browser) AddCookie(c Cookie) {
	b.t.Helper()
	if err := b.TryAddCookie(c); err != nil {
		b.fail(err)
	}
}

// TryDeleteCookie deletes the current page's cookie called name; a
// missing one is not an error.
func (b *Browser) TryDeleteCookie(name string) error {
	return b.s.cmd("DELETE", "/cookie/"+url.PathEscape(name), nil, nil)
}

// DeleteCookie is TryDeleteCookie that fails the test on error.
func (b *Browser) DeleteCookie(name string) {
	b.t.Helper()
	if err := b.TryDeleteCookie(name); err != nil {
		b.fail(err)
	}
}

// TryDeleteAllCookies deletes the cookies visible to the current page.
func (b *Browser) TryDeleteAllCookies() error {
	return b.s.cmd("DELETE", "/cookie", nil, nil)
}

// DeleteAllCookies is TryDeleteAllCookies that fails the test on error.
func (b *Browser) DeleteAllCookies() {
	b.t.Helper()
	if err := b.TryDeleteAllCookies(); err != nil {
		b.fail(err)
	}
}
