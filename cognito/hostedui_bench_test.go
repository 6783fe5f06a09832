package cognito_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/cognitokit/cognitokit/cognito"
)

// BenchmarkStateCodec makes and verifies one state, as a sign-in does.
func BenchmarkStateCodec(b *testing.B) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st, nonce, err := sc.New("/")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sc.Verify(st, nonce); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateFloor is the cryptography a state cannot avoid: 32 random
// bytes and two HMAC-SHA256 over a payload of the same size.
func BenchmarkStateFloor(b *testing.B) {
	key := bytes.Repeat([]byte{1}, 32)
	payload := []byte(base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte("x"), 80)))
	nonce := make([]byte, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := cognito.NewPKCE(); err != nil { // reads 32 random bytes (and one SHA-256)
			b.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			m := hmac.New(sha256.New, key)
			m.Write(payload)
			nonce = m.Sum(nonce[:0])
		}
	}
}
