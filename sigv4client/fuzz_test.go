package sigv4client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"", "/", "//", "/./", "/a/../..", "//example//", "a/b", "/a/%2E%2E/b", "/a/b/.", "/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := NormalizePath(p)
		if !strings.HasPrefix(n, "/") {
			t.Fatalf("NormalizePath(%q) = %q does not start with /", p, n)
		}
		if NormalizePath(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", p, n, NormalizePath(n))
		}
		if needsNormalizing(n) {
			t.Fatalf("NormalizePath(%q) = %q still has dot or empty segments", p, n)
		}
	})
}

// FuzzSignVerifyRoundTrip: any request the Transport agrees to sign,
// written to the wire and read back by net/http, is accepted by the
// Verifier; the Transport never panics and fails only with typed errors.
func FuzzSignVerifyRoundTrip(f *testing.F) {
	f.Add("GET", "/prod/a b/../c//d", "x=1&y=a+b&z=%E1%88%B4", "X-Custom", " v   w ", "")
	f.Add("POST", "/./", "", "Content-Type", "text/plain", "body")
	f.Add("PUT", "/%41%2f$@=:", "a=%zz", "My-Header", "v", "x")
	f.Add("DELETE", "//", "&&=&a==b", "X", "", "")
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		return Credential{SecretAccessKey: testSecret, SessionToken: testToken}, nil
	}, func(o *VerifierOptions) { o.Clock = func() time.Time { return now } })
	f.Fuzz(func(t *testing.T, method, path, query, hname, hvalue, body string) {
		switch method {
		case "GET", "POST", "PUT", "DELETE", "PATCH":
		default:
			method = "GET"
		}
		u, err := url.Parse("https://h.example.com/" + strings.TrimPrefix(path, "/"))
		if err != nil || u.Host != "h.example.com" {
			return
		}
		u.RawQuery = query
		req, err := http.NewRequest(method, "https://h.example.com/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL = u
		req.Header.Set(hname, hvalue)
		rt := &captureRT{}
		tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken), func(tr *Transport) {
			tr.Base = rt
			tr.Region = "us-east-1"
			tr.Clock = func() time.Time { return now }
		})
		if _, err := tr.RoundTrip(req); err != nil {
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		var wire bytes.Buffer
		if err := rt.reqs[0].Write(&wire); err != nil {
			return // net/http refuses to write it (e.g. a header it rejects): nothing was sent
		}
		got, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			return
		}
		if _, err := v.Verify(got); err != nil {
			t.Fatalf("own signature refused: %v\nwire:\n%s", err, wire.String())
		}
	})
}

// FuzzVerifyParse: arbitrary Authorization headers, dates and queries never
// panic the Verifier and always give an *AuthError.
func FuzzVerifyParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", "20261122T040000Z", "a=1")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Add("", "", "X-Amz-Algorithm=x&X-Amz-Credential=a%2Fb&X-Amz-Date=20261122T040000Z&X-Amz-Expires=99999999999999999999&X-Amz-SignedHeaders=host&X-Amz-Signature=zz")
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=b;a;host, Signature=ab", "20261122T040000Z", "%")
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		return Credential{SecretAccessKey: "s"}, nil
	}, func(o *VerifierOptions) { o.Clock = func() time.Time { return now } })
	f.Fuzz(func(t *testing.T, authz, date, query string) {
		r := &http.Request{
			Method:     "GET",
			URL:        &url.URL{Path: "/x", RawQuery: query},
			RequestURI: "/x?" + query,
			Host:       "h",
			Header:     http.Header{},
			Body:       http.NoBody,
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		r = r.WithContext(context.Background())
		_, err := v.Verify(r)
		if err == nil {
			return // a lucky valid signature is fine
		}
		var ae *AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("not an *AuthError: %v", err)
		}
	})
}
