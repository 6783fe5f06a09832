package sigv4client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var vNow = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

type vCred struct {
	token   string
	expires time.Time
	err     error
}

func testVerifier(c vCred, optFns ...func(*VerifierOptions)) *Verifier {
	return NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		if c.err != nil {
			return Credential{}, c.err
		}
		if akid != testAKID {
			return Credential{}, ErrInvalidToken
		}
		return Credential{SecretAccessKey: testSecret, SessionToken: c.token, Expires: c.expires, Principal: "p"}, nil
	}, append([]func(*VerifierOptions){func(o *VerifierOptions) { o.Clock = func() time.Time { return vNow } }}, optFns...)...)
}

// signed returns a server-side request for a request signed by a Transport
// at signedAt with token, after mutate (applied to the client request).
func signedServerRequest(t *testing.T, method, target, body, token string, signedAt time.Time, mutate func(*Transport)) *http.Request {
	t.Helper()
	rt := &captureRT{}
	tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, token), func(tr *Transport) {
		tr.Base = rt
		tr.Region = "us-east-1"
		tr.Clock = func() time.Time { return signedAt }
	})
	if mutate != nil {
		mutate(tr)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "https://api.example"+target, rd)
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.NoError(t, err)
	sent := rt.reqs[0]
	srv := httptest.NewRequest(sent.Method, sent.URL.RequestURI(), sent.Body)
	srv.Host = sent.Host
	for k, v := range sent.Header {
		srv.Header[k] = v
	}
	return srv
}

func TestVerifierChecks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cred     vCred
		signedAt time.Time
		token    string
		mutate   func(*http.Request)
		opts     func(*VerifierOptions)
		want     error
		status   int
		msg      string
	}{
		{name: "valid", signedAt: vNow},
		{name: "valid with token", cred: vCred{token: testToken}, token: testToken, signedAt: vNow},
		{name: "valid 14 min old", signedAt: vNow.Add(-14 * time.Minute)},
		{name: "valid 14 min ahead", signedAt: vNow.Add(14 * time.Minute)},
		{name: "missing auth", signedAt: vNow, mutate: func(r *http.Request) { r.Header.Del("Authorization") },
			want: ErrMissingAuthentication, msg: "Missing Authentication Token"},
		{name: "expired", signedAt: vNow.Add(-16 * time.Minute), want: ErrSignatureExpired,
			msg: "Signature expired: 20261122T034400Z is now earlier than 20261122T034500Z (20261122T040000Z - 15 min.)"},
		{name: "not yet current", signedAt: vNow.Add(16 * time.Minute), want: ErrSignatureNotYetCurrent,
			msg: "Signature not yet current: 20261122T041600Z is still later than 20261122T041500Z (20261122T040000Z + 15 min.)"},
		{name: "unknown key", cred: vCred{err: ErrInvalidToken}, signedAt: vNow, want: ErrInvalidToken, msg: MsgInvalidToken},
		{name: "expired credentials by lookup", cred: vCred{err: ErrExpiredToken}, signedAt: vNow, want: ErrExpiredToken, msg: MsgExpiredToken},
		{name: "expired credentials by time", cred: vCred{token: testToken, expires: vNow}, token: testToken, signedAt: vNow, want: ErrExpiredToken, msg: MsgExpiredToken},
		{name: "token missing", cred: vCred{token: testToken}, signedAt: vNow, want: ErrInvalidToken, msg: MsgInvalidToken},
		{name: "token wrong", cred: vCred{token: testToken}, token: "other", signedAt: vNow, want: ErrInvalidToken, msg: MsgInvalidToken},
		{name: "token for a long-term key", token: testToken, signedAt: vNow, want: ErrInvalidToken, msg: MsgInvalidToken},
		{name: "lookup broken", cred: vCred{err: errors.New("db down")}, signedAt: vNow, status: 500, msg: "Internal server error"},
		{name: "wrong region", signedAt: vNow, mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/eu-west-1/", 1))
		}, want: ErrInvalidScope, msg: "Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{name: "wrong service", signedAt: vNow, opts: func(o *VerifierOptions) { o.Service = "lambda" },
			want: ErrInvalidScope, msg: "Credential should be scoped to correct service: 'lambda'. "},
		{name: "incomplete header", signedAt: vNow, mutate: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}, want: ErrIncompleteSignature, msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "other scheme", signedAt: vNow, mutate: func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") },
			want: ErrIncompleteSignature},
		{name: "no date", signedAt: vNow, mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			want: ErrIncompleteSignature, msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
		{name: "bad date", signedAt: vNow, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") },
			want: ErrIncompleteSignature},
		{name: "body changed", signedAt: vNow, mutate: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("other")) },
			want: ErrSignatureMismatch, msg: MsgSignatureMismatch},
		{name: "content sha256 lies", signedAt: vNow, mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", EmptyPayloadHash)
		}, want: ErrSignatureMismatch},
		{name: "body too large", signedAt: vNow, opts: func(o *VerifierOptions) { o.MaxBodyBytes = 3 },
			want: ErrRequestTooLarge, status: 413, msg: MsgRequestTooLong},
		{name: "path changed behind a rewrite is still seen", signedAt: vNow, mutate: func(r *http.Request) {
			r.RequestURI = "/stage/other"
		}, want: ErrSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedServerRequest(t, "POST", "/stage/items?x=1", "body", tc.token, tc.signedAt, nil)
			if tc.mutate != nil {
				tc.mutate(r)
			}
			var opts []func(*VerifierOptions)
			if tc.opts != nil {
				opts = append(opts, tc.opts)
			}
			v := testVerifier(tc.cred, opts...)
			rec := httptest.NewRecorder()
			var seen string
			v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, ok := CallerFromContext(r.Context())
				require.True(t, ok)
				assert.Equal(t, "p", c.Principal)
				b, _ := io.ReadAll(r.Body)
				seen = string(b)
				w.WriteHeader(204)
			})).ServeHTTP(rec, r)
			if tc.want == nil && tc.status == 0 {
				require.Equal(t, 204, rec.Code, rec.Body.String())
				assert.Equal(t, "body", seen, "the handler reads the body again")
				return
			}
			status := tc.status
			if status == 0 {
				status = 403
			}
			require.Equal(t, status, rec.Code, rec.Body.String())
			var body map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			if tc.msg != "" {
				assert.Equal(t, tc.msg, body["message"])
			}
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			if tc.want != nil {
				r2 := signedServerRequest(t, "POST", "/stage/items?x=1", "body", tc.token, tc.signedAt, nil)
				if tc.mutate != nil {
					tc.mutate(r2)
				}
				_, err := v.Verify(r2)
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestVerifierExplainMismatch(t *testing.T) {
	r := signedServerRequest(t, "GET", "/s/x", "", testToken, vNow, nil)
	r.Header.Set("X-Amz-Date", vNow.Add(time.Second).Format(amzDateFormat))
	_, err := testVerifier(vCred{token: testToken}, func(o *VerifierOptions) { o.ExplainMismatch = true }).Verify(r)
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, ae.Message, "The Canonical String for this request should have been\n'GET\n/s/x\n")
	assert.Contains(t, ae.Message, "x-amz-security-token:<redacted>")
	assert.NotContains(t, ae.Message, testToken)

	_, err = testVerifier(vCred{token: testToken}).Verify(signedServerRequest(t, "GET", "/s/x", "", testToken, vNow, nil))
	require.NoError(t, err)
}

func TestVerifierDateHeader(t *testing.T) {
	r := signedServerRequest(t, "GET", "/s/x", "", "", vNow, nil)
	// Re-sign by hand with a Date header instead of X-Amz-Date.
	r.Header.Del("X-Amz-Date")
	r.Header.Set("Date", vNow.Format(http.TimeFormat))
	_, err := testVerifier(vCred{}).Verify(r)
	// The signature was made with X-Amz-Date signed: now it is missing.
	assert.ErrorIs(t, err, ErrSignatureMismatch)
}

func TestPresign(t *testing.T) {
	tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken), func(tr *Transport) {
		tr.Clock = func() time.Time { return vNow }
	})
	signed, err := tr.Presign(context.Background(), "wss://abc123.execute-api.us-east-1.amazonaws.com/prod?room=a+b", 5*time.Minute)
	require.NoError(t, err)
	u, err := url.Parse(signed)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "wss", u.Scheme)
	assert.Equal(t, "/prod", u.Path)
	assert.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"))
	assert.Equal(t, testAKID+"/20261122/us-east-1/execute-api/aws4_request", q.Get("X-Amz-Credential"))
	assert.Equal(t, "20261122T040000Z", q.Get("X-Amz-Date"))
	assert.Equal(t, "300", q.Get("X-Amz-Expires"))
	assert.Equal(t, "host", q.Get("X-Amz-SignedHeaders"))
	assert.Equal(t, testToken, q.Get("X-Amz-Security-Token"))
	assert.Equal(t, "a b", q.Get("room"))
	assert.Len(t, q.Get("X-Amz-Signature"), 64)

	serverReq := func(signed string) *http.Request {
		u, _ := url.Parse(signed)
		r := httptest.NewRequest("GET", u.RequestURI(), nil)
		r.Host = u.Host
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Connection", "Upgrade")
		return r
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		edit func(string) string
		want error
	}{
		{name: "valid", now: vNow.Add(4 * time.Minute)},
		{name: "expired", now: vNow.Add(6 * time.Minute), want: ErrSignatureExpired},
		{name: "not yet current", now: vNow.Add(-16 * time.Minute), want: ErrSignatureNotYetCurrent},
		{name: "expires tampered", now: vNow, edit: func(s string) string { return strings.Replace(s, "X-Amz-Expires=300", "X-Amz-Expires=3000", 1) }, want: ErrSignatureMismatch},
		{name: "query tampered", now: vNow, edit: func(s string) string { return strings.Replace(s, "room=a%20b", "room=c", 1) }, want: ErrSignatureMismatch},
		{name: "token tampered", now: vNow, edit: func(s string) string { return strings.Replace(s, "X-Amz-Security-Token=", "X-Amz-Security-Token=x", 1) }, want: ErrInvalidToken},
		{name: "signature removed", now: vNow, edit: func(s string) string { return s[:strings.Index(s, "&X-Amz-Signature=")] }, want: ErrIncompleteSignature},
		{name: "path tampered", now: vNow, edit: func(s string) string { return strings.Replace(s, "/prod?", "/dev?", 1) }, want: ErrSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := signed
			if tc.edit != nil {
				s = tc.edit(s)
			}
			v := testVerifier(vCred{token: testToken}, func(o *VerifierOptions) { o.Clock = func() time.Time { return tc.now } })
			c, err := v.Verify(serverReq(s))
			if tc.want == nil {
				require.NoError(t, err)
				assert.True(t, c.Presigned)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}

	t.Run("bad inputs", func(t *testing.T) {
		for _, tc := range []struct {
			url string
			exp time.Duration
		}{
			{"wss://abc.execute-api.us-east-1.amazonaws.com/p", 0},
			{"wss://abc.execute-api.us-east-1.amazonaws.com/p", 8 * 24 * time.Hour},
			{"wss://abc.execute-api.us-east-1.amazonaws.com/p", 1500 * time.Millisecond},
			{"ftp://abc.execute-api.us-east-1.amazonaws.com/p", time.Minute},
			{"wss://abc.execute-api.us-east-1.amazonaws.com/p?X-Amz-Signature=x", time.Minute},
			{"wss:///nohost", time.Minute},
			{"wss://abc.execute-api.us-east-1.amazonaws.com/p?a=%zz", time.Minute},
		} {
			_, err := tr.Presign(context.Background(), tc.url, tc.exp)
			assert.ErrorIs(t, err, ErrInvalidRequest, tc.url)
		}
		_, err := tr.Presign(context.Background(), "wss://ws.example.com/p", time.Minute)
		assert.ErrorIs(t, err, ErrNoRegion)
	})
}

// TestStripPrefixStillVerifiesWirePath: a router that strips a prefix
// before the middleware does not change what is verified.
func TestStripPrefixStillVerifiesWirePath(t *testing.T) {
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		return Credential{SecretAccessKey: testSecret}, nil
	})
	var path string
	srv := httptest.NewServer(http.StripPrefix("/apis/abc", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
	}))))
	defer srv.Close()
	c := NewClient(credentials.NewStaticCredentialsProvider(testAKID, testSecret, ""), func(tr *Transport) { tr.Region = "us-east-1" })
	resp, err := c.Get(srv.URL + "/apis/abc/prod/x%20y")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "/prod/x y", path)
}

// TestVerifierDateHeaderSigned: a request dated by a signed Date header
// (no X-Amz-Date) is accepted, and refused once the Date changes.
func TestVerifierDateHeaderSigned(t *testing.T) {
	build := func(date string) *http.Request {
		r := httptest.NewRequest("GET", "/s/x?a=1", nil)
		r.Host = "api.example"
		r.Header.Set("Date", date)
		headers := []signedHeader{{name: "date", values: []string{date}}, {name: "host", values: []string{"api.example"}}}
		scope := credentialScope(vNow, "us-east-1", "execute-api")
		sig := computeSignature(newSigningKey(testAKID, testSecret, "20261122", "us-east-1", "execute-api"),
			"GET", "/s/x", "a=1", headers, EmptyPayloadHash, vNow.Format(amzDateFormat), scope, false)
		r.Header.Set("Authorization", Algorithm+" Credential="+testAKID+"/"+scope+", SignedHeaders=date;host, Signature="+string(sig.hex[:]))
		return r
	}
	_, err := testVerifier(vCred{}).Verify(build(vNow.Format(http.TimeFormat)))
	require.NoError(t, err)

	r := build(vNow.Format(http.TimeFormat))
	r.Header.Set("Date", vNow.Add(time.Second).Format(http.TimeFormat))
	_, err = testVerifier(vCred{}).Verify(r)
	assert.ErrorIs(t, err, ErrSignatureMismatch)
}

// TestVerifierUnsortedSignedHeaders: SignedHeaders must be sorted and
// lower-case, as every SigV4 signer writes them.
func TestVerifierUnsortedSignedHeaders(t *testing.T) {
	r := signedServerRequest(t, "GET", "/s/x", "", "", vNow, nil)
	a := r.Header.Get("Authorization")
	r.Header.Set("Authorization", strings.Replace(a, "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date;host", 1))
	_, err := testVerifier(vCred{}).Verify(r)
	assert.ErrorIs(t, err, ErrIncompleteSignature)
	r.Header.Set("Authorization", strings.Replace(a, "SignedHeaders=host", "SignedHeaders=Host", 1))
	_, err = testVerifier(vCred{}).Verify(r)
	assert.ErrorIs(t, err, ErrIncompleteSignature)
	r.Header.Set("Authorization", a)
	_, err = testVerifier(vCred{}).Verify(r)
	assert.NoError(t, err)
}

func TestStaticCredentials(t *testing.T) {
	lookup := StaticCredentials(map[string]Credential{testAKID: {SecretAccessKey: testSecret, Principal: "alice"}})
	c, err := lookup(context.Background(), testAKID)
	require.NoError(t, err)
	assert.Equal(t, "alice", c.Principal)
	_, err = lookup(context.Background(), "AKIDNOPE")
	assert.ErrorIs(t, err, ErrInvalidToken)
}

// TestSecurityReview3_SignedPathIsRoutedPath: the Verifier used to check
// the signature over the path with its dot and empty segments removed,
// while the handler after it routed on the path as sent, so a request
// signed for GET /test was accepted at /open/x/../../test and served by the
// /open/ handler. The router here does not clean paths: it switches on
// r.URL.Path as net/http gives it.
func TestSecurityReview3_SignedPathIsRoutedPath(t *testing.T) {
	var reached []string
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, r.URL.Path)
		c, ok := CallerFromContext(r.Context())
		require.True(t, ok)
		switch {
		case r.URL.Path == "/test":
			assert.Equal(t, "/test", c.Path)
			_, _ = io.WriteString(w, "test")
		case strings.HasPrefix(r.URL.Path, "/open/"):
			_, _ = io.WriteString(w, "open")
		default:
			http.NotFound(w, r)
		}
	})
	h := testVerifier(vCred{}).Middleware(router)
	signed := signedServerRequest(t, "GET", "/test", "", "", vNow, nil)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "test", rec.Body.String())

	spellings := []string{
		"/open/x/../../test", "/open/x/%2E%2E/%2E%2E/test", "/open/x/%2e%2e/..%2F../test", "/open/./../test",
		"//test", "/test/.", "/./test", "/test/..", "/open/%2E/../../test", "/open/.%2E/test", "/open/%2E./test",
	}
	for _, target := range spellings {
		t.Run(target, func(t *testing.T) {
			reached = nil
			r := httptest.NewRequest("GET", target, nil)
			r.Host = signed.Host
			r.Header = signed.Header.Clone()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.JSONEq(t, `{"message":"`+MsgNonCanonicalPath+`"}`, rec.Body.String())
			assert.Empty(t, reached, "the router must not be reached")
			_, err := testVerifier(vCred{}).Verify(r)
			assert.ErrorIs(t, err, ErrNonCanonicalPath)
		})
	}

	// Over a real connection, the path sent verbatim (URL.Opaque).
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, target := range []string{"/open/x/../../test", "/test"} {
		req, err := http.NewRequest("GET", srv.URL, nil)
		require.NoError(t, err)
		req.URL.Opaque = target
		req.Host = signed.Host
		req.Header = signed.Header.Clone()
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if target == "/test" {
			assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		} else {
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
		}
	}

	// Paths in canonical form still verify, percent-encoding and a
	// trailing slash included; the Caller carries the path as sent.
	for _, target := range []string{"/", "/a%20b/", "/a/%2E%2Ex/.b/..c", "/%E1%88%B4"} {
		r := signedServerRequest(t, "GET", target, "", "", vNow, nil)
		c, err := testVerifier(vCred{}).Verify(r)
		require.NoError(t, err, target)
		assert.Equal(t, target, c.Path)
	}
}
