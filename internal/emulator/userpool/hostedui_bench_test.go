package userpool

import (
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// BenchmarkHostedUICodeFlowFloor is the cryptography the flow cannot
// avoid: the two RS256 signatures of the ID and access tokens.
func BenchmarkHostedUICodeFlowFloor(b *testing.B) {
	s := New(emulator.MustNew(emulator.Config{}), Options{})
	p, err := s.newPool(&createUserPoolInput{PoolName: "floor"}, s.now())
	if err != nil {
		b.Fatal(err)
	}
	claims := map[string]any{"sub": "x", "token_use": "access", "scope": "openid email", "username": "alice"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 2; j++ {
			if _, err := s.signJWT(p, claims); err != nil {
				b.Fatal(err)
			}
		}
	}
}
