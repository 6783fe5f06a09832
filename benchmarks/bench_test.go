package benchmarks

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v2/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/jwks"
)

const (
	poolID   = "us-east-1_BenchPool"
	clientID = "benchclient0123456789abcd"
)

// fixture is one RSA-2048 key, its JWKS served over HTTP as an emulator or
// Cognito would (<issuer>/.well-known/jwks.json), and a typical Cognito
// access token signed with it. Every verifier checks the same token.
type fixture struct {
	key     *rsa.PrivateKey
	srv     *httptest.Server
	issuer  string
	jwksURL string
	jwks    []byte
	token   string
	sig     []byte
}

var (
	fixOnce sync.Once
	fix     *fixture
)

func getFixture(tb testing.TB) *fixture {
	fixOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		f := &fixture{key: k}
		enc := base64.RawURLEncoding.EncodeToString
		f.jwks, _ = json.Marshal(map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "kid": "bench-kid-1", "alg": "RS256", "use": "sig",
			"n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes()),
		}}})
		mux := http.NewServeMux()
		mux.HandleFunc("/"+poolID+"/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=3600")
			w.Write(f.jwks)
		})
		f.srv = httptest.NewServer(mux)
		f.issuer = f.srv.URL + "/" + poolID
		f.jwksURL = f.issuer + "/.well-known/jwks.json"
		now := time.Now()
		h, _ := json.Marshal(map[string]any{"kid": "bench-kid-1", "alg": "RS256"})
		p, _ := json.Marshal(map[string]any{
			"sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "cognito:groups": []string{"admin", "dev"},
			"iss": f.issuer, "version": 2, "client_id": clientID,
			"origin_jti": "11111111-2222-3333-4444-555555555555", "event_id": "66666666-7777-8888-9999-000000000000",
			"token_use": "access", "scope": "aws.cognito.signin.user.admin openid profile",
			"auth_time": now.Unix(), "exp": now.Add(24 * time.Hour).Unix(), "iat": now.Unix(),
			"jti": "abcdefab-1234-5678-9abc-def012345678", "username": "alice",
		})
		in := enc(h) + "." + enc(p)
		d := sha256.Sum256([]byte(in))
		f.sig, _ = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
		f.token = in + "." + enc(f.sig)
		fix = f
	})
	return fix
}

// checkAccess is the Cognito check the generic libraries leave to the
// caller: token_use and client_id.
func checkAccess(tokenUse, client any) error {
	if tokenUse != "access" {
		return errors.New("token_use")
	}
	if client != clientID {
		return errors.New("client_id")
	}
	return nil
}

type verifyFunc func(ctx context.Context, token string) error

func cognitokit(tb testing.TB, f *fixture, cacheSize int) verifyFunc {
	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{f.issuer}}}, func(o *jwks.Options) {
		o.ClientIDs = []string{clientID}
		o.TokenCacheSize = cacheSize
	})
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, tok string) error { _, err := v.Verify(ctx, tok); return err }
}

func goOIDC(tb testing.TB, f *fixture) verifyFunc {
	ks := oidc.NewRemoteKeySet(context.Background(), f.jwksURL)
	// Access tokens have no aud, so go-oidc's client check must be skipped
	// and done by hand.
	v := oidc.NewVerifier(f.issuer, ks, &oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: []string{"RS256"}})
	return func(ctx context.Context, tok string) error {
		idt, err := v.Verify(ctx, tok)
		if err != nil {
			return err
		}
		var c struct {
			TokenUse string `json:"token_use"`
			ClientID string `json:"client_id"`
		}
		if err := idt.Claims(&c); err != nil {
			return err
		}
		return checkAccess(c.TokenUse, c.ClientID)
	}
}

func keyfuncJWT(tb testing.TB, f *fixture) verifyFunc {
	kf, err := keyfunc.NewDefaultCtx(context.Background(), []string{f.jwksURL})
	if err != nil {
		tb.Fatal(err)
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(f.issuer), jwt.WithExpirationRequired())
	return func(ctx context.Context, tok string) error {
		t, err := parser.Parse(tok, kf.Keyfunc)
		if err != nil {
			return err
		}
		c := t.Claims.(jwt.MapClaims)
		return checkAccess(c["token_use"], c["client_id"])
	}
}

func jwxParse(tb testing.TB, f *fixture) verifyFunc {
	ctx := context.Background()
	cache := jwk.NewCache(ctx)
	if err := cache.Register(f.jwksURL); err != nil {
		tb.Fatal(err)
	}
	if _, err := cache.Refresh(ctx, f.jwksURL); err != nil {
		tb.Fatal(err)
	}
	set := jwk.NewCachedSet(cache, f.jwksURL)
	return func(ctx context.Context, tok string) error {
		t, err := jwxjwt.ParseString(tok, jwxjwt.WithKeySet(set), jwxjwt.WithIssuer(f.issuer), jwxjwt.WithValidate(true))
		if err != nil {
			return err
		}
		tu, _ := t.Get("token_use")
		cid, _ := t.Get("client_id")
		return checkAccess(tu, cid)
	}
}

func peers(tb testing.TB, f *fixture) []struct {
	name string
	fn   verifyFunc
} {
	return []struct {
		name string
		fn   verifyFunc
	}{
		{"cognitokit", cognitokit(tb, f, 0)},
		{"cognitokit-tokencache", cognitokit(tb, f, 1024)},
		{"go-oidc", goOIDC(tb, f)},
		{"keyfunc+golang-jwt", keyfuncJWT(tb, f)},
		{"jwx-v2", jwxParse(tb, f)},
	}
}

// TestPeersAgree makes sure every peer accepts the benchmark token and
// refuses a tampered one, so the benchmarks compare like with like.
func TestPeersAgree(t *testing.T) {
	f := getFixture(t)
	tampered := f.token[:len(f.token)-6] + "AAAAAA"
	for _, p := range peers(t, f) {
		t.Run(p.name, func(t *testing.T) {
			if err := p.fn(context.Background(), f.token); err != nil {
				t.Fatalf("refused the benchmark token: %v", err)
			}
			if err := p.fn(context.Background(), tampered); err == nil {
				t.Fatal("accepted a tampered token")
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	signed := f.token[:strings.LastIndexByte(f.token, '.')]
	b.Run("bare-rsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256([]byte(signed))
			if err := rsa.VerifyPKCS1v15(&f.key.PublicKey, crypto.SHA256, d[:], f.sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, p := range peers(b, f) {
		if err := p.fn(ctx, f.token); err != nil { // warm the caches
			b.Fatal(p.name, err)
		}
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := p.fn(ctx, f.token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("aws-jwt-verify-node", func(b *testing.B) {
		if os.Getenv("BENCH_NODE") != "1" {
			b.Skip("set BENCH_NODE=1 to run aws-jwt-verify (npm install of aws-jwt-verify@5)")
		}
		dir := interop.NPMInstall(b, "aws-jwt-verify@5")
		script, err := os.ReadFile(filepath.Join("node", "bench.mjs"))
		if err != nil {
			b.Fatal(err)
		}
		out, err := interop.Node(b, dir, string(script), "TOKEN="+f.token, "JWKS="+string(f.jwks),
			"ISSUER="+f.issuer, "CLIENT="+clientID, fmt.Sprintf("ITERATIONS=%d", max(b.N, 2000)))
		if err != nil {
			b.Fatal(err)
		}
		var r struct {
			NsPerOp float64 `json:"ns_per_op"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
			b.Fatal(err, out)
		}
		// The loop ran in node; report its own measurement.
		b.ReportMetric(r.NsPerOp, "node-ns/op")
	})
}

// BenchmarkInterleaved runs every verifier once per iteration, round-robin,
// and reports each one's median time in nanoseconds and its ratio to the
// bare RSA floor. On a shared machine this is steadier than comparing
// separate benchmarks: every verifier sees the same load.
func BenchmarkInterleaved(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	signed := f.token[:strings.LastIndexByte(f.token, '.')]
	type entry struct {
		name string
		fn   verifyFunc
	}
	entries := []entry{{"bare-rsa", func(context.Context, string) error {
		d := sha256.Sum256([]byte(signed))
		return rsa.VerifyPKCS1v15(&f.key.PublicKey, crypto.SHA256, d[:], f.sig)
	}}}
	for _, p := range peers(b, f) {
		if err := p.fn(ctx, f.token); err != nil {
			b.Fatal(p.name, err)
		}
		entries = append(entries, entry{p.name, p.fn})
	}
	samples := make([][]time.Duration, len(entries))
	i := 0
	for b.Loop() {
		for j := range entries {
			e := entries[(i+j)%len(entries)]
			t0 := time.Now()
			if err := e.fn(ctx, f.token); err != nil {
				b.Fatal(e.name, err)
			}
			samples[(i+j)%len(entries)] = append(samples[(i+j)%len(entries)], time.Since(t0))
		}
		i++
	}
	floor := median(samples[0])
	for j, e := range entries {
		m := median(samples[j])
		b.ReportMetric(float64(m.Nanoseconds()), e.name+"-ns")
		if j > 0 {
			b.ReportMetric(float64(m)/float64(floor), e.name+"-x")
		}
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
