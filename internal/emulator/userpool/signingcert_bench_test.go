package userpool

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// BenchmarkGetSigningCertificate is the steady state of
// GetSigningCertificate (the certificate made): one whole operation
// through the host's handler, model validation included.
func BenchmarkGetSigningCertificate(b *testing.B) {
	host := emulator.MustNew(emulator.Config{AllowUnsigned: true})
	defer host.Close()
	s := New(host, Options{})
	pool, err := s.CreatePool(PoolOptions{})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"UserPoolId":"` + pool + `"}`)
	call := func() int {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", Target+".GetSigningCertificate")
		rec := httptest.NewRecorder()
		host.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	if code := call(); code != 200 {
		b.Fatalf("status %d", code)
	}
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}
