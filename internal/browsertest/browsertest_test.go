package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

const formPage = `<!doctype html>
<html><head><title>Form page</title>
<style>body{font-family:sans-serif;background:#eef3ff;padding:2em}</style></head>
<body>
<h1>Sign in</h1>
<form method="post" action="/submit">
  <label>Name <input id="name" name="name" value="preset"></label>
  <button id="go" type="submit">Send</button>
</form>
<p id="hidden" style="display:none">secret text</p>
</body></html>`

const donePage = `<!doctype html>
<html><head><title>Done</title></head>
<body><p id="greeting">Hello, %s!</p><div id="slot"></div>
<script>
setTimeout(function () {
  var p = document.createElement("p");
  p.id = "late";
  p.textContent = "arrived late";
  document.getElementById("slot").appendChild(p);
}, 300);
</script></body></html>`

// newSite serves a form that posts a name and redirects to a page greeting
// it, setting cookies on the way.
func newSite(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "visit", Value: "hello", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "sec", Value: "s3cr3t", Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(formPage))
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/done?name="+url.QueryEscape(r.PostFormValue("name")), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, donePage, html.EscapeString(r.URL.Query().Get("name")))
	})
	srv := httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	site := newSite(t)
	b := Start(t, func(o *Options) { o.ArtifactsDir = filepath.Join(t.TempDir(), "artifacts") })

	b.Navigate(site.URL + "/")
	assert.Equal(t, site.URL+"/", b.Location())
	assert.Equal(t, "Form page", Run(b, chromedp.Title()))
	assert.Equal(t, "preset", Run(b, chromedp.Value(chromedp.CSS("#name"))))
	b.Type("#name", "Ada Lovelace")
	assert.Equal(t, "Ada Lovelace", Run(b, chromedp.Value(chromedp.CSS("#name"))), "Type replaces the value")

	visit, ok := b.Cookie("visit")
	require.True(t, ok)
	assert.Equal(t, "hello", visit.Value)
	assert.True(t, visit.HTTPOnly, "HttpOnly cookies are visible")
	// Chromium treats http://127.0.0.1 as a secure context and keeps
	// Secure cookies set over plain HTTP there.
	sec, ok := b.Cookie("sec")
	require.True(t, ok, "Secure cookie from http://127.0.0.1")
	assert.True(t, sec.Secure)
	assert.Equal(t, "Lax", string(sec.SameSite))
	_, ok = b.Cookie("no-such-cookie")
	assert.False(t, ok)

	dir := b.SaveArtifacts("form")
	b.Click("#go")
	assert.Equal(t, site.URL+"/done?name=Ada+Lovelace", b.WaitURL(site.URL+"/done"))
	assert.Equal(t, "Hello, Ada Lovelace!", b.Text("#greeting"))
	assert.Equal(t, "arrived late", b.Text("#late"), "Text waits for elements added later")
	assert.Contains(t, b.HTML(), `<p id="greeting">Hello, Ada Lovelace!</p>`)
	b.SaveArtifacts("done")
	names := fileNames(t, dir)
	assert.ElementsMatch(t, []string{"01-form.txt", "01-form.html", "01-form.png", "02-done.txt", "02-done.html", "02-done.png"}, names)

	// Negative cases return errors within the timeout, the tab stays usable.
	short := &Browser{t: t, ctx: b.ctx, timeout: 300 * time.Millisecond, s: b.s}
	err := short.TryDo(chromedp.Click(chromedp.CSS("#no-such-element")))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = TryRun(short, chromedp.Text(chromedp.CSS("#hidden")))
	require.ErrorIs(t, err, context.DeadlineExceeded, "Text waits for a visible element")
	_, err = short.TryWaitURL(site.URL + "/elsewhere")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), `"`+site.URL+"/done?name=Ada+Lovelace"+`" does not start with`)
	assert.Equal(t, "Hello, Ada Lovelace!", b.Text("#greeting"))
}

// fakeTB records what a helper does to its test (failures, skips, logs,
// cleanups) and stops the goroutine as FailNow and SkipNow do. failed
// starts as given, to run a failing test's cleanups.
type fakeTB struct {
	testing.TB // the real test, for Name and TempDir

	mu       sync.Mutex
	failed   bool
	skipped  bool
	msgs     []string
	logs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) { f.stop(&f.failed, format, args...) }

func (f *fakeTB) Skipf(format string, args ...any) { f.stop(&f.skipped, format, args...) }

// stop sets *flag, records the message and ends the goroutine.
func (f *fakeTB) stop(flag *bool, format string, args ...any) {
	f.mu.Lock()
	*flag = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// run calls fn(f) on its own goroutine, as a test body, and waits.
func (f *fakeTB) run(fn func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
}

// cleanup runs the registered cleanups, last first.
func (f *fakeTB) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// chromium returns the Chromium for tests that drive a fake test object:
// the real test skips (or fails) here when there is none, so that the
// fake never skips in its place.
func chromium(t *testing.T) string {
	t.Helper()
	p, err := FindChromium()
	if err != nil {
		interop.Unavailable(t, "%v", err)
	}
	return p
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	var names []string
	for _, p := range files {
		names = append(names, filepath.Base(p))
	}
	return names
}

// TestPassingTestSavesNothing and TestFailureSavesArtifacts drive a real
// browser for a fake test object: the page is really loaded and read in
// both, only the failure leaves a screenshot and the HTML in
// $COGNITOKIT_ARTIFACTS/<test name>, and the browser is closed after both.
func TestPassingTestSavesNothing(t *testing.T) { testArtifactsOnEnd(t, false) }

func TestFailureSavesArtifacts(t *testing.T) { testArtifactsOnEnd(t, true) }

func testArtifactsOnEnd(t *testing.T, fail bool) {
	path := chromium(t)
	site := newSite(t)
	root := t.TempDir()
	t.Setenv(EnvArtifacts, root)
	f := &fakeTB{TB: t}
	var b *Browser
	var greeting string
	f.run(func(tb testing.TB) {
		b = Start(tb, func(o *Options) { o.Chromium = path; o.Timeout = 2 * time.Second })
		b.Navigate(site.URL + "/")
		b.Type("#name", "Grace")
		b.Click("#go")
		greeting = b.Text("#greeting")
		if fail {
			b.Click("#does-not-exist") // fails the fake test
			t.Error("Click did not stop the test")
		}
	})
	if f.skipped {
		interop.Unavailable(t, "%s", strings.Join(f.msgs, "; "))
	}
	require.NotNil(t, b, "Start returned a browser")
	assert.Equal(t, "Hello, Grace!", greeting, "the browser really ran")
	require.Equal(t, fail, f.Failed(), "%v", f.msgs)
	if fail {
		require.Len(t, f.msgs, 1)
		assert.Contains(t, f.msgs[0], `click "#does-not-exist"`)
		assert.Contains(t, f.msgs[0], context.DeadlineExceeded.Error())
		assert.Contains(t, f.msgs[0], "page "+site.URL+"/done?name=Grace")
		assert.Contains(t, f.msgs[0], `title "Done"`)
	}

	f.cleanup()
	dir := filepath.Join(root, sanitize(t.Name()))
	err := b.TryDo(chromedp.Navigate("about:blank"))
	require.Error(t, err, "the browser is closed when the test ends")
	if !fail {
		_, err := os.Stat(dir)
		assert.True(t, errors.Is(err, os.ErrNotExist), "no artifacts directory for a passing test")
		return
	}

	base := "01-failure-" + sanitize(t.Name())
	assert.ElementsMatch(t, []string{base + ".txt", base + ".html", base + ".png"}, fileNames(t, dir))
	raw, err := os.ReadFile(filepath.Join(dir, base+".png"))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err, "a PNG screenshot")
	assert.Equal(t, 1280, img.Bounds().Dx())
	page, err := os.ReadFile(filepath.Join(dir, base+".html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), `<p id="greeting">Hello, Grace!</p>`)
	info, err := os.ReadFile(filepath.Join(dir, base+".txt"))
	require.NoError(t, err)
	assert.Contains(t, string(info), "url: "+site.URL+"/done?name=Grace")
	assert.Contains(t, string(info), "title: Done")
	assert.Contains(t, strings.Join(f.logs, "\n"), dir, "the artifacts path is logged")
}

func TestStartUnavailable(t *testing.T) {
	notChromium := filepath.Join(t.TempDir(), "not-chromium")
	require.NoError(t, os.WriteFile(notChromium, []byte("#!/bin/sh\necho 'not a browser' >&2\nexit 3\n"), 0o755))
	cases := []struct {
		name     string
		env      string // $COGNITOKIT_CHROMIUM
		chromium string // Options.Chromium
		want     string
	}{
		{"missing", "/nonexistent/chromium", "", "$COGNITOKIT_CHROMIUM is \"/nonexistent/chromium\""},
		{"does not start", "", notChromium, "does not start: chrome failed to start:\nnot a browser"},
	}
	for _, tc := range cases {
		for _, required := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/required=%v", tc.name, required), func(t *testing.T) {
				t.Setenv(EnvChromium, tc.env)
				t.Setenv(interop.EnvVar, map[bool]string{false: "", true: "1"}[required])
				f := &fakeTB{TB: t}
				var b *Browser
				f.run(func(tb testing.TB) { b = Start(tb, func(o *Options) { o.Chromium = tc.chromium }) })
				f.cleanup()
				assert.Nil(t, b)
				require.Len(t, f.msgs, 1)
				assert.Contains(t, f.msgs[0], tc.want)
				assert.Equal(t, !required, f.skipped, "skipped")
				assert.Equal(t, required, f.failed, "failed")
				if required {
					assert.Contains(t, f.msgs[0], "required because COGNITOKIT_INTEROP=1")
				} else {
					assert.Contains(t, f.msgs[0], "set COGNITOKIT_INTEROP=1 to make this a failure")
				}
			})
		}
	}
}

func TestFindChromium(t *testing.T) {
	bin := t.TempDir()
	exe := func(name string) string {
		p := filepath.Join(bin, name)
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
		return p
	}
	chromiumBrowser := exe("chromium-browser")
	chrome := exe("google-chrome")
	plain := filepath.Join(bin, "not-executable")
	require.NoError(t, os.WriteFile(plain, nil, 0o644))
	empty := t.TempDir()

	cases := []struct {
		name, env, path, want, err string
	}{
		{"env path", chrome, empty, chrome, ""},
		{"env name on PATH", "google-chrome", bin, chrome, ""},
		{"PATH order", "", bin, chromiumBrowser, ""},
		{"env missing", "/nonexistent/chromium", bin, "", `$COGNITOKIT_CHROMIUM is "/nonexistent/chromium"`},
		{"env not executable", plain, bin, "", "not-executable"},
		{"nothing on PATH", "", empty, "", "none of chromium, chromium-browser, google-chrome is on PATH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvChromium, tc.env)
			t.Setenv("PATH", tc.path)
			got, err := FindChromium()
			if tc.err != "" {
				require.ErrorIs(t, err, ErrChromiumNotFound)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"TestBrowser/form round trip": "TestBrowser_form_round_trip",
		"../../etc/passwd":            "etc_passwd",
		"":                            "test",
		"héllo":                       "h_llo",
	} {
		assert.Equal(t, want, sanitize(in), in)
	}
}

// BenchmarkStep measures one step that reaches the page (reading its URL
// with Location) against the floor of one protocol round trip into the
// page (evaluating the constant 1).
func BenchmarkStep(b *testing.B) {
	br := Start(b)
	br.Navigate("about:blank")
	b.Run("floor-evaluate-1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := TryRun(br, chromedp.Evaluate[int]("1")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("location", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := TryRun(br, chromedp.Location()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStart measures starting and closing a browser with a new profile.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f := &fakeTB{TB: b}
		f.run(func(tb testing.TB) { Start(tb) })
		f.cleanup()
		if f.failed || f.skipped {
			b.Fatal(f.msgs)
		}
	}
}
