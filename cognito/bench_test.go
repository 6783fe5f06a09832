package cognito

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"testing"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// benchChallenge is one PASSWORD_VERIFIER challenge from a real server half.
func benchChallenge(b *testing.B) (srpB, salt, block string) {
	b.Helper()
	s, err := srp.NewSalt(nil)
	if err != nil {
		b.Fatal(err)
	}
	v := srp.ComputeVerifier("TestPool1", "user", "Correct-Horse-1", s)
	srv, err := srp.NewServer(v, nil)
	if err != nil {
		b.Fatal(err)
	}
	return srv.SRPB(), s.Text(16), base64.StdEncoding.EncodeToString(make([]byte, 1024))
}

// BenchmarkSRPClient is the client side of one USER_SRP_AUTH: a fresh
// private value and A (NewClient), then the PASSWORD_VERIFIER answer
// (PasswordClaim: u, x, S, HKDF, HMAC).
func BenchmarkSRPClient(b *testing.B) {
	srpB, salt, block := benchChallenge(b)
	b.ReportAllocs()
	for b.Loop() {
		c, err := srp.NewClient(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.SRPA()
		if _, _, err := c.PasswordClaim("TestPool1", "user", "Correct-Horse-1", srpB, salt, block, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSRPModExpFloor is the physical floor of BenchmarkSRPClient: the
// three modular exponentiations any client must do, with the same sizes
// (g^a with a 1024-bit a; g^x with a 256-bit x; base^(a+u·x) mod the
// 3072-bit N), and nothing else.
func BenchmarkSRPModExpFloor(b *testing.B) {
	N, g := srp.N(), srp.G()
	srpB, _, _ := benchChallenge(b)
	B, err := srp.ParseInt(srpB)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 128)
	xh := sha256.Sum256([]byte("x"))
	uh := sha256.Sum256([]byte("u"))
	x := new(big.Int).SetBytes(xh[:])
	u := new(big.Int).SetBytes(uh[:])
	A, gx, S, e := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rand.Read(buf); err != nil {
			b.Fatal(err)
		}
		a := new(big.Int).SetBytes(buf)
		A.Exp(g, a, N)
		gx.Exp(g, x, N)
		e.Mul(u, x).Add(e, a)
		S.Exp(B, e, N)
	}
}
