// Package webdriver drives headless Chromium from Go tests through the W3C
// WebDriver protocol (https://www.w3.org/TR/webdriver2/), talking to
// chromedriver over plain HTTP with nothing but the standard library.
//
// Tests only; nothing here is imported by library code.
//
// For most uses, call Start at the top of a test and use the returned
// *Browser's methods, which fail the test with the current URL and a
// snippet of the page source when something goes wrong:
//
//	b := webdriver.Start(t)
//	b.Navigate(srv.URL + "/")
//	b.Find("#username").SendKeys("alice")
//	b.Find("button[type=submit]").Click()
//	b.WaitURL(srv.URL + "/home")
//	require.Contains(t, b.Find("#who").Text(), "alice")
//
// Every such method has a Try… twin that returns an error instead
// (TryFind, TryClick, …), for negative tests and for code that must go on
// after a failure. Errors wrap the sentinels ErrNoSuchElement,
// ErrStaleElement, ErrTimeout, ErrJavaScript, ErrNoSuchCookie and
// ErrSessionClosed; an error answer from chromedriver is an *Error
// carrying the W3C error code.
//
// Start finds chromedriver and Chromium (Debian's chromium-driver and
// chromium packages, which .ci/run installs), starts chromedriver on
// 127.0.0.1 and a free port, and opens a headless session with a fresh
// profile. When either program is missing or does not start, the test is
// skipped, or fails under COGNITOKIT_INTEROP=1 (see package interop). When
// the test ends, the session is deleted and chromedriver's process group is
// killed, also when the test failed. When the test failed, a screenshot and
// the page source are saved first (see Options.ArtifactsDir); SaveArtifacts
// saves them on demand, for example as evidence of a passing run in CI.
//
// Failure messages and saved artifacts contain the page's URL and source:
// drive the browser with test credentials only.
//
// A Browser belongs to the test that started it: call its fatal methods
// from that test's goroutine only, and use WithTest for subtests. The
// underlying HTTP client is safe for concurrent use, but a browser session
// is one tab, so concurrent commands interleave unpredictably.
//
// Speed, on 2 shared cores with chromedriver and Chromium 156
// (go test -run X -bench Command -benchtime=300x): one command that reaches the
// browser (GET /url, BenchmarkCommand/current-url) takes about 3.5 ms,
// 13x the floor of an HTTP round trip to chromedriver alone (GET /status,
// 0.28 ms); the wait loops poll every 50 ms, so polling costs little.
// Start, with a new chromedriver, Chromium and profile, takes 0.7 to
// 1 s (BenchmarkStart, -benchtime=5x): share one Browser across subtests with WithTest.
package webdriver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// Environment variables read by Start.
const (
	// EnvChromeDriver names the chromedriver executable to use when
	// Options.ChromeDriver is empty.
	EnvChromeDriver = "COGNITOKIT_CHROMEDRIVER"
	// EnvChromium names the Chromium executable to use when
	// Options.Chromium is empty.
	EnvChromium = "COGNITOKIT_CHROMIUM"
	// EnvArtifacts names the directory under which screenshots and page
	// sources are saved (one subdirectory per test) when
	// Options.ArtifactsDir is empty.
	EnvArtifacts = "COGNITOKIT_ARTIFACTS"
)

// Keys for Element.SendKeys (W3C WebDriver section 17.4.2, "Keyboard
// actions").
const (
	// KeyEnter presses Enter, which submits a form from a text field.
	KeyEnter = "\ue007"
	// KeyTab presses Tab, which moves the focus on.
	KeyTab = "\ue004"
	// KeyBackspace presses Backspace.
	KeyBackspace = "\ue003"
	// KeyEscape presses Escape.
	KeyEscape = "\ue00c"
)

// Defaults for Options.
const (
	// DefaultTimeout is how long Find, WaitURL and the element methods
	// wait when Options.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// DefaultPageLoadTimeout bounds a page load when
	// Options.PageLoadTimeout is zero.
	DefaultPageLoadTimeout = 30 * time.Second
)

// Options configure Start. The zero value means: find the programs, wait up
// to DefaultTimeout in Find and WaitURL, save artifacts when the test fails.
type Options struct {
	// ChromeDriver is the chromedriver executable. Empty means
	// $COGNITOKIT_CHROMEDRIVER, then "chromedriver" on PATH, then
	// /usr/bin/chromedriver and /usr/lib/chromium/chromedriver.
	ChromeDriver string
	// Chromium is the browser executable. Empty means $COGNITOKIT_CHROMIUM,
	// then "chromium" or "chromium-browser" on PATH, then /usr/bin/chromium
	// and /usr/lib/chromium/chromium.
	Chromium string
	// Args are extra Chromium switches, appended after DefaultArgs.
	Args []string
	// Timeout is how long Find, WaitURL and the element methods wait for
	// the page to catch up. Zero means DefaultTimeout.
	Timeout time.Duration
	// PageLoadTimeout bounds Navigate and clicks that load a page. Zero
	// means DefaultPageLoadTimeout.
	PageLoadTimeout time.Duration
	// ArtifactsDir is where screenshots and page sources go. Empty means
	// $COGNITOKIT_ARTIFACTS/<test name> when that variable is set, else a
	// new directory under os.TempDir() that is kept after the test; the
	// path is logged with t.Logf when something is first saved.
	ArtifactsDir string
	// NoArtifactsOnFailure turns off saving a screenshot and the page
	// source when the test fails.
	NoArtifactsOnFailure bool
}

// DefaultArgs returns the Chromium switches every session gets, before
// Options.Args: headless, no sandbox (containers), and no background
// network traffic, which would hang on machines without outside network.
// userDataDir is the fresh profile directory.
func DefaultArgs(userDataDir string) []string {
	return []string{
		"--headless=new",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-dev-shm-usage",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--user-data-dir=" + userDataDir,
		"--window-size=1280,900",
	}
}

// Browser is one headless Chromium session bound to a test. Its methods
// fail the test on error; the Try… variants return the error instead.
type Browser struct {
	t       testing.TB
	s       *session
	timeout time.Duration
}

// session is the state a Browser and its copies share.
type session struct {
	c        *client
	id       string
	prefix   string // "/session/<id>"
	closed   atomic.Bool
	driver   *driverProc
	opts     Options
	testName string
	artMu    sync.Mutex
	artDir   string
	artCount int
}

func (s *session) cmd(method, rel string, body, out any) error {
	if s.closed.Load() {
		return fmt.Errorf("webdriver: %s %s: %w", method, rel, ErrSessionClosed)
	}
	return s.c.do(method, s.prefix+rel, method+" "+rel, body, out)
}

// diagCmd is cmd for diagnostics on the failure path: a tighter time
// limit, so that a hung browser cannot stall a failing test for long.
func (s *session) diagCmd(method, rel string, body, out any) error {
	if s.closed.Load() {
		return fmt.Errorf("webdriver: %s %s: %w", method, rel, ErrSessionClosed)
	}
	return s.c.doWith(s.c.diag, method, s.prefix+rel, method+" "+rel, body, out)
}

// Start starts chromedriver and a headless Chromium session for the test
// and returns it. optFns adjust the Options. It skips the test (fails it
// under COGNITOKIT_INTEROP=1) when chromedriver or Chromium is missing or
// does not start. Cleanup is registered with t.Cleanup.
func Start(t testing.TB, optFns ...func(*Options)) *Browser {
	t.Helper()
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PageLoadTimeout <= 0 {
		o.PageLoadTimeout = DefaultPageLoadTimeout
	}
	driverBin, err := findProgram(o.ChromeDriver, EnvChromeDriver,
		[]string{"chromedriver"}, []string{"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"})
	if err != nil {
		interop.Unavailable(t, "chromedriver (Debian package chromium-driver): %v", err)
		return nil
	}
	chromium, err := findProgram(o.Chromium, EnvChromium,
		[]string{"chromium", "chromium-browser"}, []string{"/usr/bin/chromium", "/usr/lib/chromium/chromium"})
	if err != nil {
		interop.Unavailable(t, "chromium (Debian package chromium): %v", err)
		return nil
	}

	profile, err := os.MkdirTemp("", "cognitokit-chromium-*")
	if err != nil {
		t.Fatalf("webdriver: profile directory: %v", err)
		return nil
	}
	t.Cleanup(func() { removeAllRetry(profile) }) // runs last, once Chromium is gone

	drv, err := startDriver(t, driverBin)
	t.Cleanup(func() {
		if drv != nil {
			drv.stop()
		}
	})
	if err != nil {
		interop.Unavailable(t, "%v", err)
		return nil
	}

	c := newClient(drv.url, o.PageLoadTimeout+30*time.Second)
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName":      "chrome",
				"pageLoadStrategy": "normal",
				"timeouts": map[string]any{
					"implicit": 0,
					"pageLoad": o.PageLoadTimeout.Milliseconds(),
					"script":   30000,
				},
				"goog:chromeOptions": map[string]any{
					"binary": chromium,
					"args":   append(DefaultArgs(profile), o.Args...),
				},
			},
		},
	}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.do("POST", "/session", "POST /session", caps, &created); err != nil || created.SessionID == "" {
		if err == nil {
			err = errors.New("no session ID in the answer")
		}
		c.close()
		interop.Unavailable(t, "chromedriver %s cannot start %s: %v\nchromedriver output:\n%s", driverBin, chromium, err, drv.output())
		return nil
	}
	s := &session{c: c, id: created.SessionID, prefix: "/session/" + created.SessionID, driver: drv, opts: o, testName: t.Name()}
	b := &Browser{t: t, s: s, timeout: o.Timeout}
	t.Cleanup(func() {
		if !s.closed.Swap(true) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = c.do("DELETE", s.prefix, "DELETE /session", nil, nil)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
			}
		}
		c.close()
	})
	if !o.NoArtifactsOnFailure {
		b.saveOnFailure(t, "failure")
	}
	return b
}

// WithTest returns a Browser for the same session that reports failures
// to t, typically a subtest; when artifacts are on, a failure of t saves
// a screenshot and the page source named after t.
func (b *Browser) WithTest(t testing.TB) *Browser {
	nb := &Browser{t: t, s: b.s, timeout: b.timeout}
	if !b.s.opts.NoArtifactsOnFailure {
		nb.saveOnFailure(t, "failure")
	}
	return nb
}

// WithTimeout returns a Browser for the same session whose Find, WaitURL
// and element methods wait up to d.
func (b *Browser) WithTimeout(d time.Duration) *Browser {
	return &Browser{t: b.t, s: b.s, timeout: d}
}

// Timeout reports how long Find and WaitURL wait.
func (b *Browser) Timeout() time.Duration { return b.timeout }

// SessionID returns the WebDriver session ID.
func (b *Browser) SessionID() string { return b.s.id }

// findProgram resolves an executable: explicit path, environment
// variable, names on PATH, then fixed paths.
func findProgram(explicit, env string, names, paths []string) (string, error) {
	if explicit == "" {
		explicit = os.Getenv(env)
	}
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("%s: %w", explicit, err)
		}
		return p, nil
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("none of %s on PATH nor %s (set %s)",
		strings.Join(names, ", "), strings.Join(paths, ", "), env)
}

// removeAllRetry removes dir, retrying briefly while a dying browser
// process may still be writing into it.
func removeAllRetry(dir string) {
	for i := 0; i < 20; i++ {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lockedBuffer collects a process's output; exec writes it from its own
// goroutine while failure messages read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // keep the start; drop the rest
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sanitize turns a test name into a file-name component.
func sanitize(name string) string {
	var sb strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	s := strings.Trim(sb.String(), "._")
	if s == "" {
		s = "test"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}
