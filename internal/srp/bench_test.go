package srp

import (
	"encoding/base64"
	"math/big"
	"testing"
	"time"
)

// BenchmarkClientLogin is one client-side USER_SRP_AUTH computation: a fresh
// a and A, then the PASSWORD_VERIFIER answer. Compare it with
// BenchmarkModExpFloor, the three modular exponentiations it cannot avoid.
func BenchmarkClientLogin(b *testing.B) {
	salt, _ := NewSalt(nil)
	v := ComputeVerifier("Abc", "alice", "pw", salt)
	srv, _ := NewServer(v, nil)
	srpB, saltHex := srv.SRPB(), salt.Text(16)
	block := base64.StdEncoding.EncodeToString(make([]byte, 1024))
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := NewClient(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.PasswordClaim("Abc", "alice", "pw", srpB, saltHex, block, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModExpFloor is the physical floor of a client login: g^a mod N
// with a 1024-bit a, g^x mod N with a 256-bit x, and base^(a+u·x) mod N.
func BenchmarkModExpFloor(b *testing.B) {
	a, _ := randomPrivate(nil)
	x := new(big.Int).SetBytes(hashBytes([]byte("x")))
	u := new(big.Int).SetBytes(hashBytes([]byte("u")))
	base, _ := randomPrivate(nil)
	exp := new(big.Int).Add(a, new(big.Int).Mul(u, x))
	var r big.Int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Exp(groupG, a, groupN)
		r.Exp(groupG, x, groupN)
		r.Exp(base, exp, groupN)
	}
}

// BenchmarkServerVerify is the server's PASSWORD_VERIFIER step: resume the
// login from the session, then check the proof. "recompute-B" resumes with
// RestoreServer (g^b again), "stored-B" with RestoreServerWithB.
func BenchmarkServerVerify(b *testing.B) {
	salt, _ := NewSalt(nil)
	v := ComputeVerifier("Abc", "alice", "pw", salt)
	srv, _ := NewServer(v, nil)
	B, _ := ParseInt(srv.SRPB())
	c, _ := NewClient(nil)
	block := base64.StdEncoding.EncodeToString(make([]byte, 1024))
	sig, ts, err := c.PasswordClaim("Abc", "alice", "pw", srv.SRPB(), salt.Text(16), block, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		restore func() (*Server, error)
	}{
		{"recompute-B", func() (*Server, error) { return RestoreServer(v, srv.Private()) }},
		{"stored-B", func() (*Server, error) { return RestoreServerWithB(v, srv.Private(), B) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s, err := bc.restore()
				if err != nil {
					b.Fatal(err)
				}
				if err := s.VerifyClaim("Abc", "alice", c.SRPA(), salt, block, ts, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
