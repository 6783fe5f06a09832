package webdriver

import (
	"bytes"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formPage = `<!doctype html>
<html><head><title>Form page</title>
<style>body{font-family:sans-serif;background:#eef3ff;padding:2em} h1{color:#1b3a8a}</style></head>
<body>
<h1>Sign in</h1>
<form method="post" action="/submit">
  <label>Name <input id="name" name="name" data-kind="text-field" value=""></label>
  <button id="go" type="submit">Send</button>
</form>
<p id="hidden" style="display:none">secret text</p>
</body></html>`

const donePage = `<!doctype html>
<html><head><title>Done</title>
<style>body{font-family:sans-serif;background:#eaffea;padding:2em}</style></head>
<body>
<h1>Welcome</h1>
<p id="greeting">Hello, %s!</p>
<div id="slot"></div>
<script>
setTimeout(function () {
  var p = document.createElement("p");
  p.id = "late";
  p.textContent = "arrived late";
  document.getElementById("slot").appendChild(p);
}, 300);
</script>
</body></html>`

// newSite serves a form that posts a name, redirects to a page greeting
// it, and sets cookies on the way.
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
		name := r.PostFormValue("name")
		http.SetCookie(w, &http.Cookie{Name: "last", Value: url.QueryEscape(name), Path: "/"})
		http.Redirect(w, r, "/done?name="+url.QueryEscape(name), http.StatusSeeOther)
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
	b := Start(t)

	t.Run("form round trip", func(t *testing.T) {
		cases := []struct {
			name   string
			submit func(b *Browser)
		}{
			{"click", func(b *Browser) { b.Find("#go").Click() }},
			{"enter key", func(b *Browser) { b.Find("#name").SendKeys(KeyEnter) }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				b := b.WithTest(t)
				b.DeleteAllCookies()
				b.Navigate(site.URL + "/")
				assert.Equal(t, "Form page", b.Title())
				assert.Equal(t, site.URL+"/", b.CurrentURL())

				in := b.Find("#name")
				in.SendKeys("Ada")
				assert.Equal(t, "Ada", in.Property("value"))
				in.Clear()
				assert.Equal(t, "", in.Property("value"))
				in.SendKeys("Ada Lovelace")
				assert.Equal(t, "text-field", in.Attribute("data-kind"))
				assert.Equal(t, "", in.Attribute("no-such-attribute"))
				_, ok, err := in.TryAttribute("no-such-attribute")
				require.NoError(t, err)
				assert.False(t, ok)
				assert.True(t, in.Displayed())
				assert.False(t, b.Find("#hidden").Displayed())
				assert.Equal(t, "", b.Find("#hidden").Text(), "Text is the rendered text")

				tc.submit(b)
				u := b.WaitURL(site.URL + "/done")
				assert.Equal(t, site.URL+"/done?name=Ada+Lovelace", u)
				assert.Equal(t, "Done", b.Title())
				assert.Equal(t, "Hello, Ada Lovelace!", b.Find("#greeting").Text())
				assert.Equal(t, "arrived late", b.Find("#late").Text(), "Find waits for elements added later")
				assert.Contains(t, b.PageSource(), `<p id="greeting">Hello, Ada Lovelace!</p>`)
				assert.Len(t, b.FindAll("p"), 2)
				assert.Equal(t, "arrived late", b.Find("#slot").Find("p").Text())

				visit, ok := b.Cookie("visit")
				require.True(t, ok)
				assert.Equal(t, "hello", visit.Value)
				assert.True(t, visit.HTTPOnly, "HttpOnly cookies are visible to WebDriver")
				assert.Equal(t, "/", visit.Path)
				last, ok := b.Cookie("last")
				require.True(t, ok)
				assert.Equal(t, "Ada+Lovelace", last.Value)
				// Chromium treats http://127.0.0.1 as a secure context and
				// keeps Secure cookies set over plain HTTP there.
				sec, ok := b.Cookie("sec")
				require.True(t, ok, "Secure cookie from http://127.0.0.1")
				assert.True(t, sec.Secure)
				assert.Equal(t, "Lax", sec.SameSite)
				assert.NotContains(t, sec.String(), "s3cr3t", "Cookie.String leaves the value out")

				names := map[string]bool{}
				for _, c := range b.Cookies() {
					names[c.Name] = true
				}
				assert.Equal(t, map[string]bool{"visit": true, "sec": true, "last": true}, names)
			})
		}
	})

	t.Run("cookies", func(t *testing.T) {
		b := b.WithTest(t)
		b.Navigate(site.URL + "/")
		require.NotEmpty(t, b.Cookies())
		b.DeleteCookie("visit")
		_, ok := b.Cookie("visit")
		assert.False(t, ok)
		b.DeleteCookie("visit") // deleting a missing cookie is fine
		b.DeleteAllCookies()
		assert.Empty(t, b.Cookies())
		b.AddCookie(Cookie{Name: "injected", Value: "v1", Path: "/"})
		c, ok := b.Cookie("injected")
		require.True(t, ok)
		assert.Equal(t, "v1", c.Value)
		assert.Equal(t, "injected", b.ExecuteScript("return document.cookie.split('=')[0]"))

		_, err := b.TryCookie("nope")
		require.ErrorIs(t, err, ErrNoSuchCookie)
	})

	t.Run("screenshot", func(t *testing.T) {
		b := b.WithTest(t)
		b.Navigate(site.URL + "/")
		b.Find("#name").SendKeys("Grace")
		path := filepath.Join(t.TempDir(), "nested", "dir", "shot.png")
		b.Screenshot(path)
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(raw))
		require.NoError(t, err)
		assert.Equal(t, 1280, img.Bounds().Dx(), "window width")
		assert.Greater(t, img.Bounds().Dy(), 500)
		// The page background (#eef3ff) is in the picture: it rendered.
		r, g, bl, _ := img.At(img.Bounds().Dx()-5, img.Bounds().Dy()-5).RGBA()
		assert.Equal(t, [3]uint32{0xee, 0xf3, 0xff}, [3]uint32{r >> 8, g >> 8, bl >> 8})
		if os.Getenv(EnvArtifacts) != "" {
			b.SaveArtifacts("screenshot")
		}

		err = b.TryScreenshot(filepath.Join(path, "under-a-file.png"))
		require.Error(t, err, "a parent that is a file")
	})

	t.Run("script", func(t *testing.T) {
		b := b.WithTest(t)
		b.Navigate(site.URL + "/")
		cases := []struct {
			name string
			js   string
			args []any
			want any
		}{
			{"arithmetic", "return arguments[0] + arguments[1]", []any{2, 3}, float64(5)},
			{"string", "return document.title", nil, "Form page"},
			{"object", "return {a: [1, 'x'], b: null}", nil, map[string]any{"a": []any{float64(1), "x"}, "b": nil}},
			{"element argument", "return arguments[0].id", []any{b.Find("#go")}, "go"},
			{"no result", "document.title = 'changed'", nil, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				assert.Equal(t, tc.want, b.WithTest(t).ExecuteScript(tc.js, tc.args...))
			})
		}
		el, ok := b.ExecuteScript("return document.querySelector('#go')").(*Element)
		require.True(t, ok, "a DOM element comes back as *Element")
		assert.Equal(t, "Send", el.Text())

		_, err := b.TryExecuteScript("throw new Error('boom')")
		require.ErrorIs(t, err, ErrJavaScript)
		var we *Error
		require.ErrorAs(t, err, &we)
		assert.Equal(t, "javascript error", we.Code)
		assert.Contains(t, we.Message, "boom")
	})

	t.Run("errors", func(t *testing.T) {
		b := b.WithTest(t)
		b.Navigate(site.URL + "/")

		t.Run("missing element times out", func(t *testing.T) {
			start := time.Now()
			el, err := b.WithTimeout(500 * time.Millisecond).TryFind("#missing")
			elapsed := time.Since(start)
			require.Nil(t, el)
			require.ErrorIs(t, err, ErrNoSuchElement)
			require.ErrorIs(t, err, ErrTimeout)
			assert.Contains(t, err.Error(), `"#missing"`)
			assert.GreaterOrEqual(t, elapsed, 500*time.Millisecond)
			assert.Less(t, elapsed, 3*time.Second)
		})
		t.Run("find all on missing is empty", func(t *testing.T) {
			assert.Empty(t, b.FindAll("#missing"))
		})
		t.Run("invalid selector fails at once", func(t *testing.T) {
			start := time.Now()
			_, err := b.TryFind("[[[")
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrNoSuchElement)
			var we *Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, "invalid selector", we.Code)
			assert.Less(t, time.Since(start), 2*time.Second)
		})
		t.Run("unreachable URL", func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			dead := "http://" + l.Addr().String() + "/"
			require.NoError(t, l.Close())
			require.Error(t, b.TryNavigate(dead))
		})
		t.Run("URL wait times out", func(t *testing.T) {
			b.Navigate(site.URL + "/")
			u, err := b.WithTimeout(300 * time.Millisecond).TryWaitURL(site.URL + "/never")
			require.ErrorIs(t, err, ErrTimeout)
			assert.Equal(t, site.URL+"/", u)
			assert.Contains(t, err.Error(), site.URL+"/")
		})
		t.Run("condition wait times out", func(t *testing.T) {
			calls := 0
			err := b.TryWaitFor(func() bool { calls++; return false }, 200*time.Millisecond)
			require.ErrorIs(t, err, ErrTimeout)
			assert.Greater(t, calls, 1)
			require.NoError(t, b.TryWaitFor(func() bool { return true }, time.Second))
		})
		t.Run("stale element", func(t *testing.T) {
			b.Navigate(site.URL + "/")
			el := b.Find("#name")
			b.Navigate(site.URL + "/done?name=x")
			_, err := el.TryText()
			require.ErrorIs(t, err, ErrStaleElement)
			require.ErrorIs(t, el.TryClick(), ErrStaleElement)
		})
		t.Run("hidden element is not interactable", func(t *testing.T) {
			b.Navigate(site.URL + "/")
			err := b.WithTimeout(200 * time.Millisecond).Find("#hidden").TrySendKeys("x")
			require.ErrorIs(t, err, ErrTimeout)
			var we *Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, "element not interactable", we.Code)
		})
		t.Run("back and refresh", func(t *testing.T) {
			b.Navigate(site.URL + "/")
			b.Navigate(site.URL + "/done?name=a")
			b.Back()
			assert.Equal(t, site.URL+"/", b.CurrentURL())
			b.Refresh()
			assert.Equal(t, "Form page", b.Title())
		})
	})
}

// fakeTB records what a test helper does to its test: failures, skips,
// logs and cleanups, and stops the goroutine like FailNow and SkipNow do.
type fakeTB struct {
	testing.TB // the real test, for Name, TempDir and Helper

	mu       sync.Mutex
	failed   bool
	skipped  bool
	msgs     []string
	logs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skipped = true
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

func TestFailureSavesArtifacts(t *testing.T) {
	site := newSite(t)
	dir := filepath.Join(t.TempDir(), "artifacts")
	f := &fakeTB{TB: t}
	var b *Browser
	var manual string
	f.run(func(tb testing.TB) {
		b = Start(tb, func(o *Options) { o.ArtifactsDir = dir; o.Timeout = 300 * time.Millisecond })
		b.Navigate(site.URL + "/")
		manual = b.SaveArtifacts("on demand")
		b.Find("#does-not-exist") // fails the fake test
		t.Error("Find did not stop the test")
	})
	require.NotNil(t, b)
	assert.Equal(t, dir, manual)
	require.True(t, f.Failed())
	require.Len(t, f.msgs, 1)
	msg := f.msgs[0]
	assert.Contains(t, msg, `no element matches "#does-not-exist" within 300ms`)
	assert.Contains(t, msg, "current URL: "+site.URL+"/")
	assert.Contains(t, msg, "<title>Form page</title>")

	f.cleanup()
	assert.True(t, b.s.closed.Load(), "session deleted")
	assert.True(t, b.s.driver.exited(), "chromedriver killed")
	assert.Contains(t, strings.Join(f.logs, "\n"), dir)

	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	var names []string
	for _, p := range files {
		names = append(names, filepath.Base(p))
	}
	want := "failure-" + sanitize(t.Name())
	assert.ElementsMatch(t, []string{
		"01-on_demand.txt", "01-on_demand.html", "01-on_demand.png",
		"02-" + want + ".txt", "02-" + want + ".html", "02-" + want + ".png",
	}, names)
	raw, err := os.ReadFile(filepath.Join(dir, "02-"+want+".png"))
	require.NoError(t, err)
	_, err = png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	info, err := os.ReadFile(filepath.Join(dir, "02-"+want+".txt"))
	require.NoError(t, err)
	assert.Contains(t, string(info), "url: "+site.URL+"/")
	assert.Contains(t, string(info), "title: Form page")

	_, err = b.TryCurrentURL()
	require.ErrorIs(t, err, ErrSessionClosed, "a closed session answers at once")
}

func TestPassingTestSavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "artifacts")
	f := &fakeTB{TB: t}
	f.run(func(tb testing.TB) {
		b := Start(tb, func(o *Options) { o.ArtifactsDir = dir })
		b.Navigate("about:blank")
	})
	require.False(t, f.Failed(), "%v", f.msgs)
	f.cleanup()
	_, err := os.Stat(dir)
	assert.True(t, errors.Is(err, os.ErrNotExist), "no artifacts directory for a passing test")
}

func TestStartUnavailable(t *testing.T) {
	if _, err := findProgram("", EnvChromeDriver, []string{"chromedriver"}, []string{"/usr/bin/chromedriver"}); err != nil {
		t.Skip("needs chromedriver")
	}
	cases := []struct {
		name string
		opts func(*Options)
		want string
	}{
		{"no chromedriver", func(o *Options) { o.ChromeDriver = "/nonexistent/chromedriver" }, "chromedriver"},
		{"no chromium", func(o *Options) { o.Chromium = "/nonexistent/chromium" }, "chromium"},
		{"chromedriver does not start", func(o *Options) { o.ChromeDriver = "false" }, "exited before it was ready"},
		{"chromium does not start", func(o *Options) { o.Chromium = "false" }, "cannot start"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeTB{TB: t}
			var b *Browser
			f.run(func(tb testing.TB) { b = Start(tb, tc.opts) })
			f.cleanup()
			assert.Nil(t, b)
			require.Len(t, f.msgs, 1)
			assert.Contains(t, f.msgs[0], tc.want)
			assert.True(t, f.skipped || f.failed)
		})
	}
}

// BenchmarkCommand measures one command round trip (GET /url) against the
// floor: an HTTP GET /status to the same chromedriver, which does not
// touch the browser.
func BenchmarkCommand(b *testing.B) {
	br := Start(b)
	br.Navigate("about:blank")
	b.Run("floor-status", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := br.s.c.do("GET", "/status", "GET /status", nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("current-url", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := br.TryCurrentURL(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

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

func TestClientAnswers(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		wantErr string
		is      error
		code    string
	}{
		{"value", 200, `{"value":"http://x/"}`, "", nil, ""},
		{"no such element", 404, `{"value":{"error":"no such element","message":"no such element: Unable to locate element\n  (Session info: chrome=156)","stacktrace":"#0 ..."}}`,
			`webdriver: GET /url: no such element: Unable to locate element`, ErrNoSuchElement, "no such element"},
		{"stale", 404, `{"value":{"error":"stale element reference","message":"stale element reference: gone"}}`, "gone", ErrStaleElement, "stale element reference"},
		{"timeout", 500, `{"value":{"error":"timeout","message":"timeout"}}`, "webdriver: GET /url: timeout", ErrTimeout, "timeout"},
		{"invalid session", 404, `{"value":{"error":"invalid session id","message":"invalid session id"}}`, "invalid session id", ErrSessionClosed, "invalid session id"},
		{"error without code", 500, `{"value":{}}`, "unknown error", nil, "unknown error"},
		{"not JSON", 502, `<html>bad gateway</html>`, "HTTP 502, answer is not JSON", nil, ""},
		{"wrong value type", 200, `{"value":42}`, "decoding answer", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := newClient(srv.URL, 5*time.Second)
			defer c.close()
			var out string
			err := c.do("GET", "/session/x/url", "GET /url", nil, &out)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "http://x/", out)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), "stacktrace")
			assert.NotContains(t, err.Error(), "Session info")
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			var we *Error
			if tc.code != "" {
				require.ErrorAs(t, err, &we)
				assert.Equal(t, tc.code, we.Code)
				assert.Equal(t, tc.status, we.StatusCode)
			} else {
				assert.False(t, errors.As(err, &we))
			}
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
