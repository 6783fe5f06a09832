// Package browsertest runs Go tests in headless Chromium through
// github.com/chromedp/chromedp, which speaks the DevTools protocol to the
// browser over a pipe: no chromedriver, no port.
//
// Tests only; nothing here is imported by library code.
//
// For most uses, call Start at the top of a test and drive the page with
// the returned *Browser's helpers, which fail the test with the page's URL
// and title when a step fails or times out:
//
//	b := browsertest.Start(t)
//	b.Navigate(srv.URL + "/")
//	b.Type("#username", "alice")
//	b.Click("button[type=submit]")
//	b.WaitURL(srv.URL + "/home")
//	require.Equal(t, "alice", b.Text("#who"))
//
// Anything else chromedp can do runs through Do (steps without a value)
// and the generic Run (one step with a value), for example
// browsertest.Run(b, chromedp.Value(chromedp.CSS("#name"))). TryDo and
// TryRun return the error instead, for negative tests.
//
// Start finds Chromium with FindChromium (Debian's chromium package, which
// .ci/run installs, or $COGNITOKIT_CHROMIUM). When it is missing or does
// not start, the test is skipped with a message saying so, or fails
// instead under COGNITOKIT_INTEROP=1 (see package interop). Each Browser
// is a new Chromium process with a new, empty profile directory that is
// removed when the test ends.
//
// When the test has failed by the time it ends, a PNG screenshot, the
// page's HTML and a note with its URL and title are saved under
// $COGNITOKIT_ARTIFACTS/<test name> (or Options.ArtifactsDir, or a kept
// temporary directory, whose path is logged) before the browser closes.
// SaveArtifacts saves the same on demand, for example as evidence of a
// passing run in CI. Artifacts and failure messages hold what the page
// shows: drive the browser with test credentials only.
//
// A Browser is one tab that belongs to the test that started it: call its
// methods from that test's goroutine (or a subtest's, through WithTest).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// Environment variables that Start and FindChromium read.
const (
	// EnvChromium names the Chromium executable, overriding the search on
	// PATH. A name that does not resolve to an executable means "no
	// Chromium": the browser tests skip (or fail under COGNITOKIT_INTEROP=1).
	EnvChromium = "COGNITOKIT_CHROMIUM"
	// EnvArtifacts names the directory under which screenshots and page
	// sources are saved, one subdirectory per test, when
	// Options.ArtifactsDir is empty.
	EnvArtifacts = "COGNITOKIT_ARTIFACTS"
)

// DefaultTimeout bounds one helper call (Navigate, Click, Text, WaitURL,
// Do, Run…) when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// startTimeout bounds the start of the browser.
const startTimeout = time.Minute

// ErrChromiumNotFound reports that FindChromium found no Chromium.
var ErrChromiumNotFound = errors.New("browsertest: chromium not found")

// chromiumNames are the executables FindChromium looks for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome"}

// FindChromium returns the Chromium executable Start uses: $COGNITOKIT_CHROMIUM
// when it is set (a path or a name on PATH), else the first of chromium,
// chromium-browser and google-chrome found on PATH. Its error wraps
// ErrChromiumNotFound and says where it looked.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%w: $%s is %q: %v", ErrChromiumNotFound, EnvChromium, p, err)
		}
		return path, nil
	}
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s is on PATH (install Debian's chromium, or set $%s)",
		ErrChromiumNotFound, strings.Join(chromiumNames, ", "), EnvChromium)
}

// chromiumFlags are the switches Start adds to chromedp's defaults (which
// already hold headless, no-first-run, disable-background-networking,
// disable-sync and a new empty user-data-dir per browser). With no outside
// network, Chromium's background traffic would only make refused
// connections; the sandbox does not work as root in containers.
var chromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.NoSandbox,
	chromedp.DisableGPU,
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.WindowSize(1280, 900),
}

// Options configure Start. The zero value finds Chromium, waits up to
// DefaultTimeout per step and saves artifacts when the test fails.
type Options struct {
	// Chromium is the browser executable. Empty means FindChromium.
	Chromium string
	// Timeout bounds each helper call. Zero means DefaultTimeout.
	Timeout time.Duration
	// ArtifactsDir is where screenshots and page sources go. Empty means
	// $COGNITOKIT_ARTIFACTS/<test name> when that variable is set, else a
	// new directory under os.TempDir() that is kept after the test; the
	// path is logged when something is first saved.
	ArtifactsDir string
}

// Browser is one tab of a headless Chromium bound to a test.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the tab's chromedp context
	timeout time.Duration
	s       *shared
}

// shared is the state a Browser and its WithTest copies share.
type shared struct {
	mu       sync.Mutex
	closed   bool // set before the browser is cancelled; guards logf
	t        testing.TB
	artOpt   string // Options.ArtifactsDir
	artDir   string // resolved on the first save
	artCount int
}

// logf passes chromedp's log lines to the test while it runs.
func (s *shared) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.t.Logf("chromedp: "+format, args...)
	}
}

// Start starts a headless Chromium for the test and returns its tab. optFns
// adjust the Options. It skips the test (fails it under
// COGNITOKIT_INTEROP=1) when Chromium is missing or does not start, and
// returns nil if the test object lets it go on after that. The browser
// closes, and its profile directory is removed, when the test ends; if the
// test failed, artifacts are saved first.
func Start(t testing.TB, optFns ...func(*Options)) *Browser {
	t.Helper()
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Chromium == "" {
		p, err := FindChromium()
		if err != nil {
			interop.Unavailable(t, "%v", err)
			return nil
		}
		o.Chromium = p
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	opts := append(append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(o.Chromium)), chromiumFlags...)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	s := &shared{t: t, artOpt: o.ArtifactsDir}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(s.logf), chromedp.WithErrorf(s.logf))
	closeBrowser := func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		cancel()
		allocCancel()
	}
	t.Cleanup(closeBrowser)
	// The first call starts the browser and ties it to ctx, so it must not
	// carry a deadline: a timer cancels the whole allocator instead.
	timer := time.AfterFunc(startTimeout, allocCancel)
	err := chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		closeBrowser()
		// chromedp's error holds what the process printed.
		interop.Unavailable(t, "chromium (%s) does not start: %v", o.Chromium, err)
		return nil
	}
	b := &Browser{t: t, ctx: ctx, timeout: o.Timeout, s: s}
	// Registered after closeBrowser, so it runs before it.
	t.Cleanup(func() { b.saveOnFailure(t) })
	return b
}

// WithTest returns a copy of b that reports to t (a subtest), sharing the
// tab; if t fails, artifacts are saved when it ends.
func (b *Browser) WithTest(t testing.TB) *Browser {
	nb := &Browser{t: t, ctx: b.ctx, timeout: b.timeout, s: b.s}
	t.Cleanup(func() { nb.saveOnFailure(t) })
	return nb
}

// Context returns the tab's chromedp context, for chromedp calls the
// helpers do not cover; derive a deadline from it for each call
// (never cancel it: that closes the tab).
func (b *Browser) Context() context.Context { return b.ctx }

// TryRun runs one chromedp action within the timeout and returns its value.
func TryRun[T any](b *Browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// Run is TryRun that fails the test when the action fails.
func Run[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := TryRun(b, a)
	if err != nil {
		b.fatal("run", err)
	}
	return v
}

// TryDo runs steps in order within one timeout, stopping at the first error.
func (b *Browser) TryDo(steps ...chromedp.Action[chromedp.Void]) error {
	_, err := TryRun(b, chromedp.Steps(steps...))
	return err
}

// Do is TryDo that fails the test when a step fails.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.TryDo(steps...); err != nil {
		b.fatal("do", err)
	}
}

// fatal fails the test with what went wrong and where the page was.
func (b *Browser) fatal(what string, err error) {
	b.t.Helper()
	u, title := b.where()
	b.t.Fatalf("browsertest: %s: %v (page %s, title %q)", what, err, u, title)
}

// where returns the page's URL and title, or placeholders, quickly.
func (b *Browser) where() (u, title string) {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		u = "unknown (" + err.Error() + ")"
	}
	title, _ = chromedp.Run(ctx, chromedp.Title())
	return u, title
}

// Navigate loads url and waits for its load event.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	if err := b.TryDo(chromedp.Navigate(url)); err != nil {
		b.fatal("navigate to "+url, err)
	}
}

// Click waits until the first element matching the CSS selector sel is
// visible and clicks it. It does not wait for a page the click loads:
// wait for something on that page (Text, WaitURL, WaitVisible).
func (b *Browser) Click(sel string) {
	b.t.Helper()
	if err := b.TryDo(chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.fatal(fmt.Sprintf("click %q", sel), err)
	}
}

// Type clears the field matching the CSS selector sel and types text into
// it, key by key.
func (b *Browser) Type(sel, text string) {
	b.t.Helper()
	if err := b.TryDo(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		b.fatal(fmt.Sprintf("type into %q", sel), err)
	}
}

// WaitVisible waits until an element matching the CSS selector sel is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	if err := b.TryDo(chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.fatal(fmt.Sprintf("wait for %q", sel), err)
	}
}

// Text waits until the first element matching the CSS selector sel is
// visible and returns its rendered text.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := TryRun(b, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatal(fmt.Sprintf("text of %q", sel), err)
	}
	return s
}

// Location returns the page's URL.
func (b *Browser) Location() string {
	b.t.Helper()
	return Run(b, chromedp.Location())
}

// HTML returns the page's HTML as the browser holds it now.
func (b *Browser) HTML() string {
	b.t.Helper()
	return Run(b, pageHTML)
}

var pageHTML = chromedp.Evaluate[string](`document.documentElement.outerHTML`)

// TryWaitURL waits until the page's URL starts with prefix and returns it.
func (b *Browser) TryWaitURL(prefix string) (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	var last string
	for {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.HasPrefix(u, prefix) {
			return u, nil
		}
		if err == nil {
			last = u
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("browsertest: URL %q does not start with %q within %v: %w", last, prefix, b.timeout, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WaitURL is TryWaitURL that fails the test on timeout.
func (b *Browser) WaitURL(prefix string) string {
	b.t.Helper()
	u, err := b.TryWaitURL(prefix)
	if err != nil {
		b.fatal("wait for URL", err)
	}
	return u
}

// Cookie returns the browser's cookie called name for the current page,
// HttpOnly ones included.
func (b *Browser) Cookie(name string) (*network.Cookie, bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		b.fatal("read cookies", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}
