package sigv4client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The AWS SigV4 test suite's fixed inputs.
const (
	suiteAKID    = "AKIDEXAMPLE"
	suiteSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteRegion  = "us-east-1"
	suiteService = "service"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// suiteHeader is one header line of a .req/.sreq file, continuation lines
// joined with "\n".
type suiteHeader struct{ name, value string }

// suiteReq is a parsed .req or .sreq file.
type suiteReq struct {
	method, target string
	headers        []suiteHeader
	body           []byte
}

func (r *suiteReq) get(name string) (string, bool) {
	for _, h := range r.headers {
		if strings.EqualFold(h.name, name) {
			return h.value, true
		}
	}
	return "", false
}

func (r *suiteReq) pathAndQuery() (string, string) {
	p, q, _ := strings.Cut(r.target, "?")
	return p, q
}

type suiteCase struct {
	name                 string
	req, sreq            *suiteReq
	creq, sts, authz     string
	token                string // session token, if the case has one
	tokenSignedAfterward bool   // post-sts-header-after
}

// parseSuiteReq parses the raw request format of the suite. The request
// line's target may contain spaces (get-space), so the method is the first
// word and the protocol the last.
func parseSuiteReq(t *testing.T, raw string) *suiteReq {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	head, body, hasBody := strings.Cut(raw, "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	method, rest, ok := strings.Cut(first, " ")
	require.True(t, ok, "request line %q", first)
	i := strings.LastIndex(rest, " ")
	require.Positive(t, i, "request line %q", first)
	r := &suiteReq{method: method, target: rest[:i]}
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			require.NotEmpty(t, r.headers)
			r.headers[len(r.headers)-1].value += "\n" + l
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		require.True(t, ok, "header line %q", l)
		r.headers = append(r.headers, suiteHeader{name, value})
	}
	if hasBody {
		r.body = []byte(body)
	}
	return r
}

func loadSuite(t *testing.T) []suiteCase {
	t.Helper()
	root := filepath.Join("testdata", "aws4_testsuite")
	var cases []suiteCase
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".req") {
			return err
		}
		base := strings.TrimSuffix(p, ".req")
		read := func(ext string) string {
			b, err := os.ReadFile(base + ext)
			require.NoError(t, err)
			return string(b)
		}
		c := suiteCase{
			name:  filepath.Base(base),
			req:   parseSuiteReq(t, read(".req")),
			sreq:  parseSuiteReq(t, read(".sreq")),
			creq:  read(".creq"),
			sts:   read(".sts"),
			authz: read(".authz"),
		}
		if tok, ok := c.sreq.get("X-Amz-Security-Token"); ok {
			c.token = tok
			_, inReq := c.req.get("X-Amz-Security-Token")
			c.tokenSignedAfterward = !inReq && !strings.Contains(c.creq, "x-amz-security-token")
		}
		cases = append(cases, c)
		return nil
	})
	require.NoError(t, err)
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })
	require.Len(t, cases, 34, "the AWS SigV4 test suite has 34 cases")
	return cases
}

// captureRT records the request it is given and answers 200.
type captureRT struct{ reqs []*http.Request }

func (c *captureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c.reqs = append(c.reqs, r)
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// suiteHTTPRequest builds a client request for a case. A target that is a
// valid escaped path goes in URL.Path; one that is not (a raw space or
// UTF-8, as in get-space and get-utf8) is taken as the exact request-target
// through URL.Opaque, the way to send a path byte for byte.
func suiteHTTPRequest(t *testing.T, c suiteCase) *http.Request {
	t.Helper()
	p, q := c.req.pathAndQuery()
	host, _ := c.req.get("Host")
	u, err := url.Parse("https://" + host + p)
	if err != nil || u.EscapedPath() != p {
		u = &url.URL{Scheme: "https", Host: host, Opaque: "//" + host + p}
	}
	u.RawQuery = q
	var body io.Reader
	if len(c.req.body) > 0 {
		body = bytes.NewReader(c.req.body)
	}
	req, err := http.NewRequest(c.req.method, "https://"+host+"/", body)
	require.NoError(t, err)
	req.URL = u
	req.Host = host
	for _, h := range c.req.headers {
		switch strings.ToLower(h.name) {
		case "host", "x-amz-date", "x-amz-security-token":
			continue
		}
		req.Header.Add(h.name, h.value)
	}
	return req
}

func suiteCreds(token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(suiteAKID, suiteSecret, token)
}

// TestSuiteTransport signs every case of the AWS test suite through the
// Transport and compares the canonical request, the string to sign and the
// Authorization header with the suite's, and checks that the request
// handed to the base transport is the one that was signed.
func TestSuiteTransport(t *testing.T) {
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			token := c.token
			if c.tokenSignedAfterward {
				token = "" // the token is added after signing
			}
			var got *Signed
			rt := &captureRT{}
			tr := NewTransport(suiteCreds(token), func(tr *Transport) {
				tr.Base = rt
				tr.Region = suiteRegion
				tr.Service = suiteService
				tr.Clock = func() time.Time { return suiteTime }
				tr.onSign = func(s *Signed) { got = s }
			})
			req := suiteHTTPRequest(t, c)
			before := req.URL.String()
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			require.NotNil(t, got)
			assert.Equal(t, c.creq, got.CanonicalRequest)
			assert.Equal(t, c.sts, got.StringToSign)
			assert.Equal(t, c.authz, got.Authorization)
			assert.Equal(t, before, req.URL.String(), "caller's request untouched")
			assert.Empty(t, req.Header.Get("Authorization"), "caller's request untouched")

			require.Len(t, rt.reqs, 1)
			sent := rt.reqs[0]
			assert.Equal(t, c.authz, sent.Header.Get("Authorization"))
			assert.Equal(t, "20150830T123600Z", sent.Header.Get("X-Amz-Date"))
			// The path sent is the normalized one that was signed.
			wirePath, _, _ := strings.Cut(sent.URL.RequestURI(), "?")
			if strings.HasPrefix(wirePath, "https:") {
				wirePath = wirePath[len("https://"+sent.Host):]
			}
			assert.Equal(t, strings.Split(c.creq, "\n")[1], canonicalURI(wirePath))
			body, _ := io.ReadAll(sent.Body)
			assert.Equal(t, string(c.req.body), string(body))
		})
	}
}

// suiteServerRequest builds the request a server would see for a signed
// case: RequestURI is the target as sent, headers as net/textproto reads
// them (a folded line joined with one space).
func suiteServerRequest(t *testing.T, c suiteCase) *http.Request {
	t.Helper()
	r := &http.Request{
		Method:     c.sreq.method,
		RequestURI: c.sreq.target,
		Header:     http.Header{},
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: http.NoBody,
	}
	p, q := c.sreq.pathAndQuery()
	r.URL = &url.URL{Path: p, RawQuery: q}
	for _, h := range c.sreq.headers {
		v := h.value
		if strings.Contains(v, "\n") {
			parts := strings.Split(v, "\n")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			v = strings.Join(parts, " ")
		}
		v = strings.TrimSpace(v)
		if strings.EqualFold(h.name, "Host") {
			r.Host = v
			continue
		}
		r.Header.Add(h.name, v)
	}
	// The .authz file is authoritative: the .sreq of
	// get-vanilla-with-session-token carries get-vanilla's signature, a
	// known erratum of the suite (TestSuiteSreqErratum).
	r.Header.Set("Authorization", c.authz)
	if len(c.sreq.body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(c.sreq.body))
		r.ContentLength = int64(len(c.sreq.body))
	}
	return r.WithContext(context.Background())
}

func suiteVerifier(token string) *Verifier {
	return NewVerifier(suiteRegion, func(_ context.Context, akid string) (Credential, error) {
		if akid != suiteAKID {
			return Credential{}, ErrInvalidToken
		}
		return Credential{SecretAccessKey: suiteSecret, SessionToken: token, Principal: "suite-user"}, nil
	}, func(o *VerifierOptions) {
		o.Service = suiteService
		o.Clock = func() time.Time { return suiteTime.Add(3 * time.Minute) }
	})
}

// TestSuiteVerifier checks every signed request of the suite (.sreq)
// through the Verifier, then refuses it once any signed part is changed.
func TestSuiteVerifier(t *testing.T) {
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			v := suiteVerifier(c.token)
			if p, _ := c.sreq.pathAndQuery(); NormalizePath(p) != p {
				// A normalize-path case: sent as is, its path is not the one
				// signed, so the Verifier refuses it (ErrNonCanonicalPath);
				// sent at the normalized path (as the Transport sends it), its
				// signature holds.
				_, err := v.Verify(suiteServerRequest(t, c))
				require.ErrorIs(t, err, ErrNonCanonicalPath)
				var ae *AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, http.StatusBadRequest, ae.Status)
				c.sreq.target = NormalizePath(p)
			}
			caller, err := v.Verify(suiteServerRequest(t, c))
			require.NoError(t, err)
			assert.Equal(t, suiteAKID, caller.AccessKeyID)
			assert.Equal(t, "suite-user", caller.Principal)
			assert.Equal(t, c.token != "", caller.HasSessionToken)
			assert.Equal(t, suiteTime, caller.SignedAt)

			for _, tc := range tamperings(c) {
				t.Run("tampered/"+tc.name, func(t *testing.T) {
					r := suiteServerRequest(t, c)
					tc.mutate(r)
					_, err := v.Verify(r)
					require.Error(t, err)
					var ae *AuthError
					require.True(t, errors.As(err, &ae))
					assert.Equal(t, http.StatusForbidden, ae.Status)
					assert.ErrorIs(t, err, tc.want, ae.Message)
				})
			}
		})
	}
}

type tampering struct {
	name   string
	mutate func(*http.Request)
	want   error
}

// tamperings lists changes to every signed part of a case's request.
func tamperings(c suiteCase) []tampering {
	ts := []tampering{
		{"method", func(r *http.Request) {
			if r.Method == "GET" {
				r.Method = "DELETE"
			} else {
				r.Method = "GET"
			}
		}, ErrSignatureMismatch},
		{"path", func(r *http.Request) {
			p, q, _ := strings.Cut(r.RequestURI, "?")
			r.RequestURI = p + "x"
			if q != "" {
				r.RequestURI += "?" + q
			}
		}, ErrSignatureMismatch},
		{"query-added", func(r *http.Request) {
			if strings.Contains(r.RequestURI, "?") {
				r.RequestURI += "&extra=1"
			} else {
				r.RequestURI += "?extra=1"
			}
		}, ErrSignatureMismatch},
		{"host", func(r *http.Request) { r.Host = "evil.amazonaws.com" }, ErrSignatureMismatch},
		{"date+1s", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", "20150830T123601Z")
		}, ErrSignatureMismatch},
		{"body", func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("Param1=value2"))
			r.ContentLength = 13
		}, ErrSignatureMismatch},
		{"signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			flip := byte('0')
			if last == '0' {
				flip = '1'
			}
			r.Header.Set("Authorization", a[:len(a)-1]+string(flip))
		}, ErrSignatureMismatch},
		{"scope-region", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
		}, ErrInvalidScope},
		{"scope-service", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/service/", "/s3/", 1))
		}, ErrInvalidScope},
		{"scope-day", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20150830/", "/20150831/", 1))
		}, ErrInvalidScope},
		{"signed-headers-dropped", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
		}, ErrSignatureMismatch},
		{"access-key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AKIDEXAMPLE", "AKIDOTHER", 1))
		}, ErrInvalidToken},
	}
	// Every signed header other than host and x-amz-date.
	for _, h := range c.sreq.headers {
		lname := strings.ToLower(h.name)
		switch lname {
		case "host", "x-amz-date", "authorization":
			continue
		}
		if !strings.Contains(c.authz, lname) {
			continue
		}
		name := h.name
		ts = append(ts, tampering{"header-" + lname, func(r *http.Request) {
			r.Header.Set(name, r.Header.Get(name)+"x")
		}, map[bool]error{true: ErrInvalidToken, false: ErrSignatureMismatch}[lname == "x-amz-security-token"]})
	}
	// Every query value.
	if _, q := c.sreq.pathAndQuery(); q != "" {
		ts = append(ts, tampering{"query-value", func(r *http.Request) {
			r.RequestURI += "x"
		}, ErrSignatureMismatch})
	}
	if c.token != "" {
		ts = append(ts, tampering{"token-removed", func(r *http.Request) {
			r.Header.Del("X-Amz-Security-Token")
		}, ErrInvalidToken})
	}
	return ts
}

// TestSuiteSreqErratum: the suite's get-vanilla-with-session-token.sreq
// carries get-vanilla's signature (computed without the token) although it
// lists x-amz-security-token as signed; its .authz has the right one. The
// verifier refuses the erratum and accepts the .authz.
func TestSuiteSreqErratum(t *testing.T) {
	for _, c := range loadSuite(t) {
		if c.name != "get-vanilla-with-session-token" {
			continue
		}
		stale, ok := c.sreq.get("Authorization")
		require.True(t, ok)
		require.NotEqual(t, c.authz, strings.TrimSpace(stale))
		r := suiteServerRequest(t, c)
		r.Header.Set("Authorization", strings.TrimSpace(stale))
		_, err := suiteVerifier(c.token).Verify(r)
		require.ErrorIs(t, err, ErrSignatureMismatch)
		_, err = suiteVerifier(c.token).Verify(suiteServerRequest(t, c))
		require.NoError(t, err)
		return
	}
	t.Fatal("case not found")
}

// addHeaderRT adds a header after signing, as post-sts-header-after does.
type addHeaderRT struct {
	base      http.RoundTripper
	name, val string
}

func (a addHeaderRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if a.name != "" {
		r.Header.Set(a.name, a.val)
	}
	return a.base.RoundTrip(r)
}

// TestSuiteOverTheWire sends every case through the Transport over a real
// HTTP connection to a server running the Verifier. The two cases whose
// request-target cannot be sent as is (a raw space, raw UTF-8) go out
// percent-encoded by net/http, which the Transport signs as sent.
func TestSuiteOverTheWire(t *testing.T) {
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			var gotAuthz string
			srv := httptest.NewServer(suiteVerifier(c.token).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAuthz = r.Header.Get("Authorization")
				b, _ := io.ReadAll(r.Body)
				_, _ = w.Write(b)
			})))
			defer srv.Close()
			token := c.token
			after := addHeaderRT{base: http.DefaultTransport}
			if c.tokenSignedAfterward {
				token = ""
				after.name, after.val = "X-Amz-Security-Token", c.token
			}
			tr := NewTransport(suiteCreds(token), func(tr *Transport) {
				tr.Base = after
				tr.Region = suiteRegion
				tr.Service = suiteService
				tr.Clock = func() time.Time { return suiteTime }
			})
			req := suiteHTTPRequest(t, c)
			literal := req.URL.Opaque != ""
			if literal {
				p, _ := c.req.pathAndQuery()
				req.URL.Opaque = ""
				req.URL.Path = p // net/http escapes it on the wire
			}
			srvURL, _ := url.Parse(srv.URL)
			req.URL.Scheme, req.URL.Host = "http", srvURL.Host
			resp, err := (&http.Client{Transport: tr}).Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode, string(body))
			assert.Equal(t, string(c.req.body), string(body))
			if !literal {
				assert.Equal(t, c.authz, gotAuthz)
			}
		})
	}
}
