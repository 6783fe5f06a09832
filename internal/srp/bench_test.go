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
