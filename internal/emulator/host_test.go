package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
)

// counter is a service with its own lock and one persisted number.
type counter struct {
	mu sync.Mutex
	N  int
}

func (c *counter) register(h *Host) {
	h.HandleTarget(Target{Prefix: "Counter", Operations: map[string]Operation{
		"Incr": {Public: true, Run: func(*Call) (any, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.N++
			return map[string]int{"n": c.N}, nil
		}},
		"Get":   {ReadOnly: true, Run: func(*Call) (any, error) { return nil, nil }},
		"Panic": {Public: true, Run: func(*Call) (any, error) { panic("boom") }},
		"Fail":  {Public: true, Run: func(*Call) (any, error) { return nil, awsproto.Errorf("LimitExceededException", "no") }},
		"Echo": {Public: true, ReadOnly: true, Run: func(c *Call) (any, error) {
			var in struct{ V string }
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return in, nil
		}},
	}})
	h.AddSection("counter", Section{
		Snapshot: func() (any, error) { c.mu.Lock(); defer c.mu.Unlock(); return map[string]int{"n": c.N}, nil },
		Restore: func(raw json.RawMessage) error {
			var v struct{ N int }
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			c.N = v.N
			return nil
		}})
}

func call(t *testing.T, h http.Handler, target, body string, signed bool) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	r.Header.Set("Origin", "http://localhost:3000")
	if signed {
		now := time.Now().UTC()
		r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+now.Format("20060102")+
			"/us-east-1/x/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestHostDispatch(t *testing.T) {
	h := MustNew(Config{})
	(&counter{}).register(h)
	h.HandleQueryAction("Ping", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "pong "+r.PostForm.Get("V"))
	}))
	h.HandlePrefix("/apis/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api") }))
	h.Handle("GET /hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hi") }))
	hd := h.Handler()

	tests := []struct {
		name, target, body string
		signed             bool
		status             int
		code, contains     string
	}{
		{"public op", "Counter.Incr", "", false, 200, "", `{"n":1}`},
		{"signed op", "Counter.Get", "", true, 200, "", `{}`},
		{"unsigned op", "Counter.Get", "", false, 400, "MissingAuthenticationTokenException", "requires AWS credentials"},
		{"unknown op", "Counter.Nope", "", true, 400, "UnknownOperationException", "Counter.Nope"},
		{"unknown service", "Other.Incr", "", true, 400, "UnknownOperationException", "Other.Incr"},
		{"no dot", "Counter", "", true, 400, "UnknownOperationException", ""},
		{"panic", "Counter.Panic", "", false, 500, "InternalErrorException", "internal error in Panic"},
		{"typed error", "Counter.Fail", "", false, 400, "LimitExceededException", "no"},
		{"decode", "Counter.Echo", `{"V":"x"}`, false, 200, "", `{"V":"x"}`},
		{"bad json", "Counter.Echo", `{"V":`, false, 400, "SerializationException", "Echo"},
		{"no target, no action", "", "", false, 400, "UnknownOperationException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, hd, tc.target, tc.body, tc.signed)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, tc.code, rec.Header().Get("X-Amzn-ErrorType"))
			assert.Contains(t, rec.Body.String(), tc.contains)
			assert.Equal(t, "http://localhost:3000", rec.Header().Get("Access-Control-Allow-Origin"))
		})
	}

	// A malformed signature is refused; a foreign origin may not call.
	r0 := httptest.NewRequest("POST", "/", strings.NewReader(""))
	r0.Header.Set("X-Amz-Target", "Counter.Get")
	r0.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	rec0 := httptest.NewRecorder()
	hd.ServeHTTP(rec0, r0)
	assert.Equal(t, "IncompleteSignatureException", rec0.Header().Get("X-Amzn-ErrorType"))
	r0 = httptest.NewRequest("POST", "/", strings.NewReader(""))
	r0.Header.Set("X-Amz-Target", "Counter.Incr")
	r0.Header.Set("Origin", "https://evil.example")
	rec0 = httptest.NewRecorder()
	hd.ServeHTTP(rec0, r0)
	assert.Equal(t, http.StatusForbidden, rec0.Code)
	assert.Empty(t, rec0.Header().Get("Access-Control-Allow-Origin"))

	r := httptest.NewRequest("POST", "/", strings.NewReader(url.Values{"Action": {"Ping"}, "V": {"x"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, r)
	assert.Equal(t, "pong x", rec.Body.String())

	for path, want := range map[string]string{"/apis/x/prod/y": "api", "/hello": "hi"} {
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, want, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	hd.ServeHTTP(rec, httptest.NewRequest("GET", "/nowhere", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "ResourceNotFoundException", rec.Header().Get("X-Amzn-ErrorType"))

	assert.Panics(t, func() { h.HandleTarget(Target{Prefix: "Counter"}) }, "a prefix is served once")
	assert.Panics(t, func() { h.HandleQueryAction("Ping", nil) })
	assert.Panics(t, func() { h.AddSection("counter", Section{}) })
}

func TestHostAllowUnsigned(t *testing.T) {
	h := MustNew(Config{AllowUnsigned: true})
	(&counter{}).register(h)
	assert.Equal(t, 200, call(t, h.Handler(), "Counter.Get", "", false).Code)
}

func TestHostClockAndURL(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	h := MustNew(Config{Clock: func() time.Time { return base }})
	assert.Equal(t, base, h.Now())
	h.Advance(time.Hour)
	assert.Equal(t, base.Add(time.Hour), h.Now())
	assert.Equal(t, "us-east-1", h.Region())

	assert.Equal(t, "", h.URL())
	h.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://127.0.0.1:9/x", nil))
	assert.Equal(t, "http://127.0.0.1:9", h.URL(), "the first request's address")
	h.SetURL("http://localhost:1234/")
	assert.Equal(t, "http://localhost:1234", h.URL())
}

func TestHostPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := MustNew(Config{StatePath: path})
	c := &counter{}
	c.register(h)
	require.NoError(t, h.Load(), "a missing file is an empty state")
	hd := h.Handler()
	call(t, hd, "Counter.Incr", "", false)
	call(t, hd, "Counter.Incr", "", false)
	require.NoError(t, h.Close(), "the database holds a lock until Close")
	require.NoError(t, h.Close(), "twice is fine")

	h2 := MustNew(Config{StatePath: path})
	c2 := &counter{}
	c2.register(h2)
	require.NoError(t, h2.Load())
	assert.Equal(t, 2, c2.N)
	require.NoError(t, h2.Close())

	// A section this build does not serve is ignored; a bad one fails.
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"sections":{"gone":{},"counter":{"N":5}}}`), 0o600))
	h3 := MustNew(Config{StatePath: path})
	c3 := &counter{}
	c3.register(h3)
	require.NoError(t, h3.Load())
	assert.Equal(t, 5, c3.N, "a JSON state file from before the store is imported")
	require.NoError(t, h3.Close())
	for name, body := range map[string]string{
		"not json":      `{`,
		"wrong version": `{"version":2}`,
		"bad section":   `{"version":1,"sections":{"counter":[1]}}`,
	} {
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		h := MustNew(Config{StatePath: path})
		(&counter{}).register(h)
		assert.Error(t, h.Load(), name)
	}

	// A failing snapshot fails the operation that needed the save.
	h4 := MustNew(Config{StatePath: filepath.Join(t.TempDir(), "state")})
	h4.AddSection("broken", Section{Snapshot: func() (any, error) { return nil, errors.New("no") }})
	require.NoError(t, h4.Load())
	defer h4.Close()
	_, err := h4.Run(Operation{Run: func(*Call) (any, error) { return 1, nil }}, &Call{Name: "X"})
	assert.Equal(t, "InternalErrorException", awsproto.ErrorCode(err))
	_, err = h4.Run(Operation{ReadOnly: true, Run: func(*Call) (any, error) { return 1, nil }}, &Call{Name: "X"})
	assert.NoError(t, err, "read-only operations do not save")
}
