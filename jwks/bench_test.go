package jwks

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchSetup returns a warm verifier and a typical Cognito access token
// (RS256, 2048-bit key) with its decoded signature.
func benchSetup(b *testing.B, optFns ...func(*Options)) (*Verifier, string, []byte, *rsa.PublicKey) {
	k := newKey(0, "k1")
	fns := append([]func(*Options){func(o *Options) { o.ClientIDs = []string{testClient} }}, optFns...)
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKS: jwksJSON(k.jwk(nil))}}, fns...)
	if err != nil {
		b.Fatal(err)
	}
	tok := k.mint(accessClaims(time.Now()))
	if _, err := v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return v, tok, benchSig(b, tok), &k.priv.PublicKey
}

// BenchmarkVerify compares a warm-cache Verify with the physical floor:
// SHA-256 of the signing input plus rsa.VerifyPKCS1v15, on the same token.
func BenchmarkVerify(b *testing.B) {
	v, tok, sig, pub := benchSetup(b)
	ctx := context.Background()
	cv, ctok, _, _ := benchSetup(b, func(o *Options) { o.TokenCacheSize = 1024 })
	verifyBenches(b, tok, sig, pub, func() error { _, err := v.Verify(ctx, tok); return err },
		func() error { _, err := cv.Verify(ctx, ctok); return err })
	b.Run("parallel-warm", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// verifyBenches runs three sub-benchmarks: bare-rsa (SHA-256 of tok's
// signing input plus rsa.VerifyPKCS1v15 of sig with pub, the floor), warm
// (a warm-cache verification of tok) and token-cache-hit.
func verifyBenches(b *testing.B, tok string, sig []byte, pub *rsa.PublicKey, warm, cacheHit func() error) {
	signed := tok[:strings.LastIndexByte(tok, '.')]
	for _, sb := range []struct {
		name string
		fn   func() error
	}{
		{"bare-rsa", func() error {
			d := sha256.Sum256([]byte(signed))
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
		}},
		{"warm", warm},
		{"token-cache-hit", cacheHit},
	} {
		b.Run(sb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := sb.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyRatio interleaves a bare verification and a full Verify of
// the same token in each iteration (alternating which goes first), so that
// both see the same machine load, and reports the ratio of their medians
// (the target is ≤ 1.15). Medians keep a preempted sample on a shared
// machine from skewing the result.
func BenchmarkVerifyRatio(b *testing.B) {
	v, tok, sig, pub := benchSetup(b)
	ctx := context.Background()
	interleaveRatio(b, tok, sig, pub, func() error { _, err := v.Verify(ctx, tok); return err })
}

// interleaveRatio runs the bare verification of tok (SHA-256 plus
// rsa.VerifyPKCS1v15 of sig with pub) and verify in each iteration,
// alternating which goes first, and reports the medians and their ratio.
func interleaveRatio(b *testing.B, tok string, sig []byte, pub *rsa.PublicKey, verify func() error) {
	signed := tok[:strings.LastIndexByte(tok, '.')]
	bareOnce := func() {
		d := sha256.Sum256([]byte(signed))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	fullOnce := func() {
		if err := verify(); err != nil {
			b.Fatal(err)
		}
	}
	var bare, full []time.Duration
	i := 0
	for b.Loop() {
		first, second := bareOnce, fullOnce
		if i%2 == 1 {
			first, second = fullOnce, bareOnce
		}
		t0 := time.Now()
		first()
		t1 := time.Now()
		second()
		t2 := time.Now()
		if i%2 == 0 {
			bare, full = append(bare, t1.Sub(t0)), append(full, t2.Sub(t1))
		} else {
			full, bare = append(full, t1.Sub(t0)), append(bare, t2.Sub(t1))
		}
		i++
	}
	mb, mf := median(bare), median(full)
	b.ReportMetric(float64(mb.Nanoseconds()), "bare-median-ns")
	b.ReportMetric(float64(mf.Nanoseconds()), "verify-median-ns")
	b.ReportMetric(float64(mf)/float64(mb), "ratio")
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkRefusals measures how cheaply forged tokens are refused.
func BenchmarkRefusals(b *testing.B) {
	v, tok, _, _ := benchSetup(b)
	ctx := context.Background()
	parts := strings.Split(tok, ".")
	for _, bc := range []struct{ name, token string }{
		{"malformed", "abc.def"},
		{"alg-none", rawToken(`{"alg":"none","kid":"k1"}`, "{}", "")},
		{"wrong-issuer", newKey(0, "k1").mint(with(accessClaims(time.Now()), "iss", "https://evil"))},
		{"bad-signature", parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4] + "AAAA"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, bc.token); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// oidcBenchSetup returns a warm OIDC verifier and a Google-style ID token
// (RS256, 2048-bit key) with its decoded signature and key.
func oidcBenchSetup(b *testing.B, optFns ...func(*OIDCOptions)) (*OIDCVerifier, string, []byte, *rsa.PublicKey) {
	k := newKey(0, "k1")
	fns := append([]func(*OIDCOptions){func(o *OIDCOptions) {
		o.ClientIDs = []string{oidcClient}
		o.JWKS = jwksJSON(k.jwk(nil))
	}}, optFns...)
	v, err := NewOIDCVerifier(GoogleIssuer, fns...)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	tok := k.mint(map[string]any{
		"iss": GoogleIssuer, "azp": "1234567890-android.apps.example.com", "aud": oidcClient,
		"sub": "110169484474386276334", "email": "alice@example.com", "email_verified": true,
		"at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q", "nonce": "n-0S6_WzA2Mj", "name": "Alice Liddell",
		"picture": "https://lh3.googleusercontent.com/a/photo.jpg", "given_name": "Alice", "family_name": "Liddell",
		"locale": "en", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	if _, err := v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return v, tok, benchSig(b, tok), &k.priv.PublicKey
}

// benchSig decodes tok's signature.
func benchSig(b *testing.B, tok string) []byte {
	sig, err := b64.DecodeString(tok[strings.LastIndexByte(tok, '.')+1:])
	if err != nil {
		b.Fatal(err)
	}
	return sig
}

// BenchmarkOIDCVerify is BenchmarkVerify for an OIDC ID token: a warm
// OIDCVerifier beside the bare SHA-256 plus rsa.VerifyPKCS1v15 of the same
// token, and the verified-token-cache hit.
func BenchmarkOIDCVerify(b *testing.B) {
	v, tok, sig, pub := oidcBenchSetup(b)
	ctx := context.Background()
	cv, ctok, _, _ := oidcBenchSetup(b, func(o *OIDCOptions) { o.TokenCacheSize = 1024 })
	verifyBenches(b, tok, sig, pub, func() error { _, err := v.Verify(ctx, tok); return err },
		func() error { _, err := cv.Verify(ctx, ctok); return err })
}

// BenchmarkOIDCVerifyRatio is BenchmarkVerifyRatio for OIDCVerifier
// (target ≤ 1.15).
func BenchmarkOIDCVerifyRatio(b *testing.B) {
	v, tok, sig, pub := oidcBenchSetup(b)
	ctx := context.Background()
	interleaveRatio(b, tok, sig, pub, func() error { _, err := v.Verify(ctx, tok); return err })
}
