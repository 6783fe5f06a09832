package sigv4client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// nopRT answers every request at once without reading its body, so that a
// benchmark measures the signing alone.
type nopRT struct{ resp http.Response }

func (n *nopRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &n.resp, nil
}

var benchTime = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

const benchURL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items/42?limit=10&next=abc"

func benchRequest(b *testing.B) *http.Request {
	req, err := http.NewRequest("GET", benchURL, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e")
	return req
}

// BenchmarkSign compares one signed request through the Transport (clone,
// normalize, sign, hand to a no-op base) with a bare v4.Signer.SignHTTP on
// the same request, credentials, time and payload hash.
func BenchmarkSign(b *testing.B) {
	creds := credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken)
	b.Run("transport", func(b *testing.B) {
		tr := NewTransport(creds, func(tr *Transport) {
			tr.Base = &nopRT{resp: http.Response{StatusCode: 200, Body: http.NoBody}}
			tr.Clock = func() time.Time { return benchTime }
		})
		req := benchRequest(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := tr.RoundTrip(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sdk-v4-SignHTTP", func(b *testing.B) {
		signer := v4.NewSigner()
		c, _ := creds.Retrieve(context.Background())
		req := benchRequest(b)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := signer.SignHTTP(ctx, c, req, EmptyPayloadHash, "execute-api", "us-east-1", benchTime); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSignPaired alternates the two in one loop, so that both see
// the same machine load, and reports the Transport's time as a multiple of
// the SDK signer's ("x-sdk"); ns/op is the pair's.
func BenchmarkSignPaired(b *testing.B) {
	creds := credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken)
	tr := NewTransport(creds, func(tr *Transport) {
		tr.Base = &nopRT{resp: http.Response{StatusCode: 200, Body: http.NoBody}}
		tr.Clock = func() time.Time { return benchTime }
	})
	signer := v4.NewSigner()
	c, _ := creds.Retrieve(context.Background())
	ours, theirs := benchRequest(b), benchRequest(b)
	ctx := context.Background()
	var tOurs, tTheirs time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := tr.RoundTrip(ours); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := signer.SignHTTP(ctx, c, theirs, EmptyPayloadHash, "execute-api", "us-east-1", benchTime); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		tOurs += t1.Sub(t0)
		tTheirs += t2.Sub(t1)
	}
	b.ReportMetric(float64(tOurs)/float64(tTheirs), "x-sdk")
	b.ReportMetric(float64(tOurs.Nanoseconds())/float64(b.N), "transport-ns/op")
	b.ReportMetric(float64(tTheirs.Nanoseconds())/float64(b.N), "sdk-ns/op")
}

// BenchmarkBody64MiB signs a 64 MiB body. "replayable" (GetBody, as
// http.NewRequest sets for a *bytes.Reader) is hashed by streaming; its
// B/op is the extra heap signing needs, against the 64 MiB of the body.
// "sha256-floor" is the bare hash of the same bytes, the physical floor.
// "stream-buffered" is a body without GetBody or Seek but with a known
// ContentLength, which must be buffered: the contrast.
func BenchmarkBody64MiB(b *testing.B) {
	const size = 64 << 20
	data := bytes.Repeat([]byte{'x'}, size)
	creds := credentials.NewStaticCredentialsProvider(testAKID, testSecret, "")
	newTr := func(limit int64) *Transport {
		return NewTransport(creds, func(tr *Transport) {
			tr.Base = &nopRT{resp: http.Response{StatusCode: 200, Body: http.NoBody}}
			tr.Clock = func() time.Time { return benchTime }
			tr.MaxBufferedBody = limit
		})
	}
	b.Run("replayable", func(b *testing.B) {
		tr := newTr(0)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequest("PUT", benchURL, bytes.NewReader(data))
			if _, err := tr.RoundTrip(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replayable-vs-floor", func(b *testing.B) {
		// Alternates signing and a bare hash of the same bytes; "x-sha256"
		// is signing's time as a multiple of the bare hash's.
		tr := newTr(0)
		var tSign, tHash time.Duration
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			req, _ := http.NewRequest("PUT", benchURL, bytes.NewReader(data))
			if _, err := tr.RoundTrip(req); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			h := sha256.New()
			h.Write(data)
			_ = h.Sum(nil)
			tSign += t1.Sub(t0)
			tHash += time.Since(t1)
		}
		b.ReportMetric(float64(tSign)/float64(tHash), "x-sha256")
	})
	b.Run("sha256-floor", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			h := sha256.New()
			h.Write(data)
			_ = h.Sum(nil)
		}
	})
	b.Run("stream-buffered", func(b *testing.B) {
		tr := newTr(size)
		b.SetBytes(size)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequest("PUT", benchURL, io.NopCloser(bytes.NewReader(data)))
			req.GetBody = nil
			req.ContentLength = size
			if _, err := tr.RoundTrip(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerify measures the Verifier on a signed GET.
func BenchmarkVerify(b *testing.B) {
	rt := &captureRT{}
	tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken), func(tr *Transport) {
		tr.Base = rt
		tr.Clock = func() time.Time { return benchTime }
	})
	if _, err := tr.RoundTrip(benchRequest(b)); err != nil {
		b.Fatal(err)
	}
	sent := rt.reqs[0]
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		return Credential{SecretAccessKey: testSecret, SessionToken: testToken}, nil
	}, func(o *VerifierOptions) { o.Clock = func() time.Time { return benchTime } })
	r := &http.Request{Method: sent.Method, URL: sent.URL, RequestURI: sent.URL.RequestURI(), Host: sent.Host, Header: sent.Header, Body: http.NoBody}
	r = r.WithContext(context.Background())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}
