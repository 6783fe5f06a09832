package sigv4client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAKID   = "AKIDTESTTESTTEST"
	testSecret = "testsecrettestsecrettestsecret/+="
	testToken  = "session-token-value"
)

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

// seekBody is an io.ReadSeekCloser with no GetBody, like an *os.File.
type seekBody struct {
	*bytes.Reader
	closed atomic.Bool
}

func (b *seekBody) Close() error { b.closed.Store(true); return nil }

func staticCreds(token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(testAKID, testSecret, token)
}

// echo is what echoServer answers: the request as the handler saw it.
type echo struct {
	Method    string              `json:"method"`
	Path      string              `json:"path"`
	RawPath   string              `json:"rawPath"`
	Query     map[string][]string `json:"query"`
	Body      string              `json:"body"`
	Principal string              `json:"principal"`
	Token     bool                `json:"token"`
}

// echoServer is an httptest server verifying SigV4 (region us-east-1,
// execute-api) with the test key, answering an echo. clock shifts its time.
func echoServer(t *testing.T, clock func() time.Time, token string) *httptest.Server {
	t.Helper()
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		if akid != testAKID {
			return Credential{}, ErrInvalidToken
		}
		return Credential{SecretAccessKey: testSecret, SessionToken: token, Principal: "test-user"}, nil
	}, func(o *VerifierOptions) {
		if clock != nil {
			o.Clock = clock
		}
	})
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := CallerFromContext(r.Context())
		if !ok {
			http.Error(w, "no caller", 500)
			return
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.NewEncoder(w).Encode(echo{
			Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.Query(),
			Body: string(b), Principal: c.Principal.(string), Token: c.HasSessionToken,
		})
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if clock != nil {
			w.Header().Set("Date", clock().UTC().Format(http.TimeFormat))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func doEcho(t *testing.T, c *http.Client, req *http.Request) (int, echo, string) {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e echo
	if resp.StatusCode == 200 {
		require.NoError(t, json.Unmarshal(b, &e), string(b))
	}
	return resp.StatusCode, e, string(b)
}

// TestTransportEndToEnd sends requests with awkward paths, queries and
// bodies through the Transport to a server that verifies them.
func TestTransportEndToEnd(t *testing.T) {
	srv := echoServer(t, nil, testToken)
	client := NewClient(staticCreds(testToken), func(tr *Transport) { tr.Region = "us-east-1" })

	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<12) // 64 KiB
	for _, tc := range []struct {
		name      string
		method    string
		target    string
		body      func() io.Reader
		wantPath  string
		wantQuery map[string][]string
	}{
		{name: "plain get", method: "GET", target: "/prod/pets", wantPath: "/prod/pets"},
		{name: "dot segments and slashes", method: "GET", target: "/prod//a/./b/../pets//", wantPath: "/prod/a/pets/"},
		{name: "space and unicode in path", method: "GET", target: "/prod/a%20b/%E1%88%B4", wantPath: "/prod/a b/ሴ"},
		{name: "sub-delims in path", method: "GET", target: "/prod/@connections/ab=c$d+e", wantPath: "/prod/@connections/ab=c$d+e"},
		{name: "escaped slash in path", method: "GET", target: "/prod/a%2Fb", wantPath: "/prod/a/b"},
		{name: "query", method: "GET", target: "/q?b=2&a=1&a=0&sp=x+y&pct=x%20y&u=%E1%88%B4&empty=&flag",
			wantPath: "/q", wantQuery: map[string][]string{"a": {"1", "0"}, "b": {"2"}, "sp": {"x y"}, "pct": {"x y"}, "u": {"ሴ"}, "empty": {""}, "flag": {""}}},
		{name: "post bytes", method: "POST", target: "/p", body: func() io.Reader { return bytes.NewReader([]byte(`{"a":1}`)) }, wantPath: "/p"},
		{name: "post big string", method: "PUT", target: "/p", body: func() io.Reader { return strings.NewReader(string(big)) }, wantPath: "/p"},
		{name: "post stream", method: "POST", target: "/p", body: func() io.Reader { return &trackedBody{Reader: bytes.NewReader(big)} }, wantPath: "/p"},
		{name: "post seeker", method: "POST", target: "/p", body: func() io.Reader { return &seekBody{Reader: bytes.NewReader(big)} }, wantPath: "/p"},
		{name: "post empty", method: "POST", target: "/p", body: func() io.Reader { return bytes.NewReader(nil) }, wantPath: "/p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			var want string
			if tc.body != nil {
				b, _ := io.ReadAll(tc.body())
				want = string(b)
				body = tc.body()
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.target, body)
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Custom", "  spaced   value ")
			status, e, raw := doEcho(t, client, req)
			require.Equal(t, 200, status, raw)
			assert.Equal(t, tc.method, e.Method)
			assert.Equal(t, tc.wantPath, e.Path)
			assert.Equal(t, want, e.Body)
			assert.Equal(t, "test-user", e.Principal)
			assert.True(t, e.Token)
			if tc.wantQuery != nil {
				assert.Equal(t, tc.wantQuery, e.Query)
			}
		})
	}

	t.Run("negative: unsigned request refused", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/prod/pets")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 403, resp.StatusCode)
		assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, string(b))
	})
	t.Run("negative: wrong secret refused", func(t *testing.T) {
		bad := NewClient(credentials.NewStaticCredentialsProvider(testAKID, "wrong", testToken), func(tr *Transport) { tr.Region = "us-east-1" })
		req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
		status, _, raw := doEcho(t, bad, req)
		assert.Equal(t, 403, status)
		assert.Contains(t, raw, MsgSignatureMismatch)
	})
	t.Run("redirect re-signed by the client above", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/old" {
				http.Redirect(w, r, "/p", http.StatusTemporaryRedirect)
				return
			}
			srv.Config.Handler.ServeHTTP(w, r)
		}))
		rs := httptest.NewServer(mux)
		defer rs.Close()
		req, _ := http.NewRequest("POST", rs.URL+"/old", strings.NewReader("payload"))
		status, e, raw := doEcho(t, client, req)
		require.Equal(t, 200, status, raw)
		assert.Equal(t, "payload", e.Body)
		assert.Equal(t, "/p", e.Path)
	})
}

func TestTransportDoesNotMutateCaller(t *testing.T) {
	rt := &captureRT{}
	tr := NewTransport(staticCreds(testToken), func(tr *Transport) { tr.Base = rt; tr.Region = "us-east-1" })
	req, _ := http.NewRequest("POST", "https://h.example/a/../b?x=a+b", strings.NewReader("body"))
	req.Header.Set("Authorization", "stale")
	req.Header.Set("X-Amz-Date", "19990101T000000Z")
	hdr := req.Header.Clone()
	u := *req.URL
	_, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, hdr, req.Header)
	assert.Equal(t, u, *req.URL)
	sent := rt.reqs[0]
	assert.Equal(t, "/b", sent.URL.EscapedPath())
	assert.Equal(t, "x=a%20b", sent.URL.RawQuery)
	assert.NotEqual(t, "stale", sent.Header.Get("Authorization"))
	assert.Equal(t, testToken, sent.Header.Get("X-Amz-Security-Token"))
	assert.Contains(t, sent.Header.Get("Authorization"), "x-amz-security-token")
	assert.Equal(t, int64(4), sent.ContentLength)

	// A second RoundTrip of the same request signs afresh.
	req2, _ := http.NewRequest("POST", "https://h.example/b", strings.NewReader("body"))
	_, err = tr.RoundTrip(req2)
	require.NoError(t, err)
	assert.Len(t, rt.reqs, 2)
}

type errRT struct{ err error }

func (e errRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, e.err
}

type failingProvider struct{}

func (failingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no creds here")
}

// TestTransportErrorsCloseBody checks every error path closes the body
// and returns a typed error.
func TestTransportErrorsCloseBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tr     func(*Transport)
		url    string
		length int64
		want   error
		wantAs any
	}{
		{name: "no credentials", tr: func(tr *Transport) { tr.Credentials = nil }, url: "https://h.example/", want: ErrNoCredentials},
		{name: "no region", url: "https://h.example/", want: ErrNoRegion},
		{name: "bad query escape", tr: func(tr *Transport) { tr.Region = "r" }, url: "https://h.example/?a=%zz", want: ErrInvalidRequest, wantAs: new(*QueryError)},
		{name: "body too large", tr: func(tr *Transport) { tr.Region = "r"; tr.MaxBufferedBody = 10 }, url: "https://h.example/", want: ErrBodyTooLarge, wantAs: new(*BodyTooLargeError)},
		{name: "declared length over the cap", tr: func(tr *Transport) { tr.Region = "r"; tr.MaxBufferedBody = 10 }, url: "https://h.example/", length: 11, want: ErrBodyTooLarge},
		{name: "buffering refused", tr: func(tr *Transport) { tr.Region = "r"; tr.MaxBufferedBody = -1 }, url: "https://h.example/", want: ErrBodyTooLarge},
		{name: "length mismatch", tr: func(tr *Transport) { tr.Region = "r" }, url: "https://h.example/", length: 5, want: ErrBodyLength},
		{name: "credentials fail", tr: func(tr *Transport) { tr.Region = "r"; tr.Credentials = failingProvider{} }, url: "https://h.example/"},
		{name: "base fails", tr: func(tr *Transport) { tr.Region = "r"; tr.Base = errRT{errors.New("dial")} }, url: "https://h.example/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTransport(staticCreds(""), func(tr *Transport) { tr.Base = &captureRT{} })
			if tc.tr != nil {
				tc.tr(tr)
			}
			body := &trackedBody{Reader: strings.NewReader("a stream that is long enough")}
			req, err := http.NewRequest("POST", tc.url, body)
			require.NoError(t, err)
			req.ContentLength = tc.length
			resp, err := tr.RoundTrip(req)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.True(t, body.closed.Load(), "body closed")
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
			if tc.wantAs != nil {
				assert.ErrorAs(t, err, tc.wantAs)
			}
		})
	}

	t.Run("positive: same stream within the cap", func(t *testing.T) {
		rt := &captureRT{}
		tr := NewTransport(staticCreds(""), func(tr *Transport) { tr.Base = rt; tr.Region = "r"; tr.MaxBufferedBody = 1 << 10 })
		body := &trackedBody{Reader: strings.NewReader("a stream that is long enough")}
		req, _ := http.NewRequest("POST", "https://h.example/", body)
		_, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.True(t, body.closed.Load())
		b, _ := io.ReadAll(rt.reqs[0].Body)
		assert.Equal(t, "a stream that is long enough", string(b))
		assert.Equal(t, int64(len(b)), rt.reqs[0].ContentLength)
	})
}

func TestTransportBodies(t *testing.T) {
	payload := []byte("hello, signed world")
	sum := sha256.Sum256(payload)
	wantHash := hex.EncodeToString(sum[:])
	dir := t.TempDir()
	file := filepath.Join(dir, "body")
	require.NoError(t, os.WriteFile(file, append([]byte("SKIP"), payload...), 0o600))

	for _, tc := range []struct {
		name string
		make func(t *testing.T) *http.Request
		hash string
	}{
		{"GetBody", func(t *testing.T) *http.Request {
			r, _ := http.NewRequest("PUT", "https://h.example/", bytes.NewReader(payload))
			return r
		}, wantHash},
		{"file seeker from its current offset", func(t *testing.T) *http.Request {
			f, err := os.Open(file)
			require.NoError(t, err)
			_, err = f.Seek(4, io.SeekStart)
			require.NoError(t, err)
			r, _ := http.NewRequest("PUT", "https://h.example/", f)
			return r
		}, wantHash},
		{"stream buffered", func(t *testing.T) *http.Request {
			r, _ := http.NewRequest("PUT", "https://h.example/", &trackedBody{Reader: bytes.NewReader(payload)})
			return r
		}, wantHash},
		{"caller's X-Amz-Content-Sha256 is trusted", func(t *testing.T) *http.Request {
			r, _ := http.NewRequest("PUT", "https://h.example/", &trackedBody{Reader: bytes.NewReader(payload)})
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			return r
		}, "UNSIGNED-PAYLOAD"},
		{"no body", func(t *testing.T) *http.Request {
			r, _ := http.NewRequest("GET", "https://h.example/", nil)
			return r
		}, EmptyPayloadHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *Signed
			rt := &captureRT{}
			tr := NewTransport(staticCreds(""), func(tr *Transport) {
				tr.Base = rt
				tr.Region = "r"
				tr.SendContentSHA256 = true
				tr.onSign = func(s *Signed) { got = s }
			})
			_, err := tr.RoundTrip(tc.make(t))
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(got.CanonicalRequest, "\n"+tc.hash))
			assert.Equal(t, tc.hash, rt.reqs[0].Header.Get("X-Amz-Content-Sha256"))
			b, _ := io.ReadAll(rt.reqs[0].Body)
			if tc.hash == EmptyPayloadHash {
				assert.Empty(t, b)
			} else {
				assert.Equal(t, string(payload), string(b))
			}
		})
	}
}

func TestInferRegionService(t *testing.T) {
	for _, tc := range []struct {
		host, region string
		ok           bool
	}{
		{"abc123.execute-api.us-east-1.amazonaws.com", "us-east-1", true},
		{"abc123.execute-api.eu-west-3.amazonaws.com:443", "eu-west-3", true},
		{"ABC.EXECUTE-API.AP-SOUTH-1.AMAZONAWS.COM.", "ap-south-1", true},
		{"abc.execute-api.cn-north-1.amazonaws.com.cn", "cn-north-1", true},
		{"abc-vpce-1.execute-api.us-east-2.vpce.amazonaws.com", "us-east-2", true},
		{"api.example.com", "", false},
		{"127.0.0.1:9229", "", false},
		{"execute-api.us-east-1.amazonaws.com", "", false},
		{"abc.execute-api.us-east-1.example.com", "", false},
		{"sts.us-east-1.amazonaws.com", "", false},
	} {
		t.Run(tc.host, func(t *testing.T) {
			r, s, ok := InferRegionService(tc.host)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.region, r)
			if ok {
				assert.Equal(t, "execute-api", s)
			}
		})
	}

	t.Run("transport uses the inferred region", func(t *testing.T) {
		var got *Signed
		tr := NewTransport(staticCreds(""), func(tr *Transport) { tr.Base = &captureRT{}; tr.onSign = func(s *Signed) { got = s } })
		req, _ := http.NewRequest("GET", "https://abc.execute-api.eu-central-1.amazonaws.com:443/prod/x", nil)
		_, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.Contains(t, got.Credential, "/eu-central-1/execute-api/aws4_request")
		assert.Contains(t, got.CanonicalRequest, "\nhost:abc.execute-api.eu-central-1.amazonaws.com\n")
	})
	t.Run("explicit region and service win", func(t *testing.T) {
		var got *Signed
		tr := NewTransport(staticCreds(""), func(tr *Transport) {
			tr.Base = &captureRT{}
			tr.Region, tr.Service = "us-west-2", "lambda"
			tr.onSign = func(s *Signed) { got = s }
		})
		req, _ := http.NewRequest("GET", "https://abc.execute-api.eu-central-1.amazonaws.com/prod/x", nil)
		_, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.Contains(t, got.Credential, "/us-west-2/lambda/aws4_request")
	})
}

// TestClockSkewCorrection: the server's clock is an hour off; its first 403
// teaches the Transport the offset, the request is retried once, and later
// requests are signed with the corrected clock.
func TestClockSkewCorrection(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration
		msg    string
	}{
		{"server ahead: signature expired", time.Hour, "Signature expired"},
		{"server behind: not yet current", -time.Hour, "Signature not yet current"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var statuses []int
			srv := echoServer(t, func() time.Time { return time.Now().Add(tc.offset) }, "")
			counting := &countingRT{base: http.DefaultTransport, onResp: func(s int) { mu.Lock(); statuses = append(statuses, s); mu.Unlock() }}
			tr := NewTransport(staticCreds(""), func(tr *Transport) { tr.Region = "us-east-1"; tr.Base = counting })
			c := &http.Client{Transport: tr}
			req, _ := http.NewRequest("POST", srv.URL+"/p", strings.NewReader("replayable"))
			status, e, raw := doEcho(t, c, req)
			require.Equal(t, 200, status, raw)
			assert.Equal(t, "replayable", e.Body)
			assert.Equal(t, []int{403, 200}, statuses)
			assert.InDelta(t, tc.offset.Seconds(), tr.ClockOffset().Seconds(), 2)

			req, _ = http.NewRequest("GET", srv.URL+"/p", nil)
			status, _, _ = doEcho(t, c, req)
			assert.Equal(t, 200, status)
			assert.Equal(t, []int{403, 200, 200}, statuses, "later requests use the learned offset")
		})
	}

	t.Run("negative: correction disabled", func(t *testing.T) {
		srv := echoServer(t, func() time.Time { return time.Now().Add(time.Hour) }, "")
		c := NewClient(staticCreds(""), func(tr *Transport) { tr.Region = "us-east-1"; tr.DisableClockSkewCorrection = true })
		req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
		status, _, raw := doEcho(t, c, req)
		assert.Equal(t, 403, status)
		assert.Contains(t, raw, "Signature expired")
	})
	t.Run("negative: non-replayable body is not retried", func(t *testing.T) {
		srv := echoServer(t, func() time.Time { return time.Now().Add(time.Hour) }, "")
		c := NewClient(staticCreds(""), func(tr *Transport) { tr.Region = "us-east-1" })
		req, _ := http.NewRequest("POST", srv.URL+"/p", &seekBody{Reader: bytes.NewReader([]byte("x"))})
		status, _, raw := doEcho(t, c, req)
		assert.Equal(t, 403, status)
		assert.Contains(t, raw, "Signature expired")
	})
	t.Run("negative: other 403s are handed back untouched", func(t *testing.T) {
		srv := echoServer(t, nil, "")
		tr := NewTransport(credentials.NewStaticCredentialsProvider("AKIDUNKNOWN", "x", ""), func(tr *Transport) { tr.Region = "us-east-1" })
		req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
		status, _, raw := doEcho(t, &http.Client{Transport: tr}, req)
		assert.Equal(t, 403, status)
		assert.JSONEq(t, `{"message":"`+MsgInvalidToken+`"}`, raw)
		assert.Zero(t, tr.ClockOffset())
	})
}

type countingRT struct {
	base   http.RoundTripper
	onResp func(int)
}

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		c.onResp(resp.StatusCode)
	}
	return resp, err
}

// TestMatchesSDKSigner: for requests that need no path normalization the
// Transport's Authorization equals aws-sdk-go-v2's v4.Signer's.
func TestMatchesSDKSigner(t *testing.T) {
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	for _, target := range []string{
		"/prod/pets",
		"/prod/a%20b/%E1%88%B4",
		"/prod/@connections/abc=",
		"/q?b=2&a=1&a=0&sp=x%20y&u=%E1%88%B4&empty=",
	} {
		t.Run(target, func(t *testing.T) {
			var got *Signed
			tr := NewTransport(staticCreds(testToken), func(tr *Transport) {
				tr.Base = &captureRT{}
				tr.Clock = func() time.Time { return now }
				tr.onSign = func(s *Signed) { got = s }
			})
			const base = "https://abc.execute-api.us-east-1.amazonaws.com"
			req, _ := http.NewRequest("GET", base+target, nil)
			req.Header.Set("X-Custom", "v")
			_, err := tr.RoundTrip(req)
			require.NoError(t, err)

			sdkReq, _ := http.NewRequest("GET", base+target, nil)
			sdkReq.Header.Set("X-Custom", "v")
			creds, _ := staticCreds(testToken).Retrieve(context.Background())
			require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, sdkReq, EmptyPayloadHash, "execute-api", "us-east-1", now))
			assert.Equal(t, sdkReq.Header.Get("Authorization"), got.Authorization)
		})
	}
}

// TestTransportConcurrent shares one Transport between goroutines (run
// with -race).
func TestTransportConcurrent(t *testing.T) {
	srv := echoServer(t, nil, testToken)
	tr := NewTransport(staticCreds(testToken), func(tr *Transport) { tr.Region = "us-east-1" })
	c := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				req, _ := http.NewRequest("POST", srv.URL+"/p/"+strings.Repeat("x", g), strings.NewReader(strings.Repeat("b", i)))
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- errors.New(resp.Status)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTransportBareRequest(t *testing.T) {
	rt := &captureRT{}
	tr := NewTransport(staticCreds(""), func(tr *Transport) { tr.Base = rt; tr.Region = "r" })
	u, _ := url.Parse("https://h.example/x")
	_, err := tr.RoundTrip(&http.Request{URL: u}) // no method, no header, no body
	require.NoError(t, err)
	assert.NotEmpty(t, rt.reqs[0].Header.Get("Authorization"))

	_, err = tr.RoundTrip(&http.Request{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = tr.RoundTrip(&http.Request{URL: &url.URL{Path: "/x"}})
	assert.ErrorIs(t, err, ErrInvalidRequest, "no host")
	req, _ := http.NewRequest("GET", "https://h.example/", nil)
	req.Header["Bad Name"] = []string{"v"}
	_, err = tr.RoundTrip(req)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	req.Header = http.Header{"X": {"a\x00b"}}
	_, err = tr.RoundTrip(req)
	assert.ErrorIs(t, err, ErrInvalidRequest)
}
