package benchmarks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/jwks"
)

const oidcClientID = "1234567890-web.apps.example.com"

// oidcIssuer is an in-process OpenID Connect provider: discovery, a JWKS
// with an RSA-2048 key ("rsa1") and a P-256 key ("ec1"), and ID tokens
// signed with either. Both verifiers under test find the keys by
// discovery, as they would Google's.
type oidcIssuer struct {
	srv  *httptest.Server
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	jwks []byte
}

var (
	oidcOnce sync.Once
	oidcFix  *oidcIssuer
)

func getOIDCIssuer(tb testing.TB) *oidcIssuer {
	oidcOnce.Do(func() {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		enc := base64.RawURLEncoding.EncodeToString
		is := &oidcIssuer{rsa: rk, ec: ek}
		is.jwks, _ = json.Marshal(map[string]any{"keys": []any{
			map[string]any{"kty": "RSA", "kid": "rsa1", "alg": "RS256", "use": "sig", "n": enc(rk.N.Bytes()), "e": "AQAB"},
			map[string]any{"kty": "EC", "kid": "ec1", "alg": "ES256", "use": "sig", "crv": "P-256",
				"x": enc(ek.X.FillBytes(make([]byte, 32))), "y": enc(ek.Y.FillBytes(make([]byte, 32)))},
		}})
		mux := http.NewServeMux()
		is.srv = httptest.NewServer(mux)
		mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys",
				"authorization_endpoint": is.srv.URL + "/auth", "token_endpoint": is.srv.URL + "/token",
				"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
			})
		})
		mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=3600")
			_, _ = w.Write(is.jwks)
		})
		oidcFix = is
	})
	return oidcFix
}

// claims are Google-style ID-token claims for aud, valid now.
func (is *oidcIssuer) claims(aud string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": is.srv.URL, "azp": aud, "aud": aud, "sub": "110169484474386276334",
		"email": "alice@example.com", "email_verified": true, "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
		"nonce": "n-0S6_WzA2Mj", "name": "Alice Liddell", "picture": "https://example.com/a.jpg",
		"given_name": "Alice", "family_name": "Liddell", "locale": "en",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// sign signs header.payload: RS256 with the RSA key, ES256 with the EC
// key (raw R||S), HS256 with hsKey (the alg-confusion forgery), none with
// nothing.
func (is *oidcIssuer) sign(header, claims map[string]any, hsKey []byte) string {
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(claims)
	in := enc(h) + "." + enc(p)
	d := sha256.Sum256([]byte(in))
	var sig []byte
	switch header["alg"] {
	case "RS256":
		sig, _ = rsa.SignPKCS1v15(rand.Reader, is.rsa, crypto.SHA256, d[:])
	case "ES256":
		r, s, _ := ecdsa.Sign(rand.Reader, is.ec, d[:])
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case "HS256":
		m := hmac.New(sha256.New, hsKey)
		m.Write([]byte(in))
		sig = m.Sum(nil)
	}
	return in + "." + enc(sig)
}

func (is *oidcIssuer) mint(alg string, claims map[string]any) string {
	kid := map[string]string{"RS256": "rsa1", "ES256": "ec1"}[alg]
	return is.sign(map[string]any{"alg": alg, "kid": kid, "typ": "JWT"}, claims, nil)
}

func newOIDCPair(tb testing.TB, is *oidcIssuer) (ours *jwks.OIDCVerifier, theirs *oidc.IDTokenVerifier) {
	ctx := context.Background()
	ours, err := jwks.NewOIDCVerifier(is.srv.URL, func(o *jwks.OIDCOptions) {
		o.ClientIDs = []string{oidcClientID}
		o.Algorithms = []string{"RS256", "ES256"}
	})
	require.NoError(tb, err)
	p, err := oidc.NewProvider(ctx, is.srv.URL)
	require.NoError(tb, err)
	theirs = p.Verifier(&oidc.Config{ClientID: oidcClientID, SupportedSigningAlgs: []string{"RS256", "ES256"}})
	return ours, theirs
}

// TestOIDCAgreesWithGoOIDC: coreos/go-oidc and jwks.OIDCVerifier, both
// configured by discovery of the same issuer, accept the same ID tokens
// and refuse the same forged, tampered, expired or misdirected ones. The
// cases where cognitokit is deliberately stricter (or has clock leeway)
// are pinned separately below, so that a change on either side shows.
func TestOIDCAgreesWithGoOIDC(t *testing.T) {
	is := getOIDCIssuer(t)
	ours, theirs := newOIDCPair(t, is)
	ctx := context.Background()
	good := is.claims(oidcClientID)
	rs := is.mint("RS256", good)
	parts := strings.Split(rs, ".")
	tamperedClaims, _ := json.Marshal(with(good, "email", "mallory@example.com"))
	pubDER := is.rsa.N.Bytes()

	accept := map[string]string{
		"RS256":                                rs,
		"ES256":                                is.mint("ES256", good),
		"one audience, azp another client":     is.mint("RS256", with(good, "azp", "1234567890-android.apps.example.com")),
		"several audiences, azp ours":          is.mint("RS256", with(good, "aud", []string{"other", oidcClientID})),
		"nbf now":                              is.mint("RS256", with(good, "nbf", time.Now().Unix())),
		"email_verified as a string (Apple)":   is.mint("RS256", with(good, "email_verified", "true")),
		"jku header is ignored, key from JWKS": is.sign(map[string]any{"alg": "RS256", "kid": "rsa1", "jku": "https://evil.example/keys"}, good, nil),
	}
	refuse := map[string]string{
		"payload tampered":              parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedClaims) + "." + parts[2],
		"signature tampered":            rs[:len(rs)-6] + "AAAAAA",
		"signature of another token":    parts[0] + "." + parts[1] + "." + strings.Split(is.mint("RS256", with(good, "sub", "x")), ".")[2],
		"expired an hour ago":           is.mint("RS256", with(good, "exp", time.Now().Add(-time.Hour).Unix())),
		"no exp":                        is.mint("RS256", with(good, "exp", nil)),
		"nbf in an hour":                is.mint("RS256", with(good, "nbf", time.Now().Add(time.Hour).Unix())),
		"wrong aud":                     is.mint("RS256", with(good, "aud", "attacker-client", "azp", "attacker-client")),
		"wrong iss":                     is.mint("RS256", with(good, "iss", "https://accounts.evil.example")),
		"scheme-less iss (not Google)":  is.mint("RS256", with(good, "iss", strings.TrimPrefix(is.srv.URL, "http://"))),
		"alg none":                      is.sign(map[string]any{"alg": "none", "kid": "rsa1"}, good, nil),
		"alg confusion: HS256 with n":   is.sign(map[string]any{"alg": "HS256", "kid": "rsa1"}, good, pubDER),
		"ES256 header on the RSA key":   is.sign(map[string]any{"alg": "ES256", "kid": "rsa1"}, good, nil),
		"unknown kid":                   is.sign(map[string]any{"alg": "RS256", "kid": "rotated-away"}, good, nil),
		"RS256 signed, ES256 key's kid": is.sign(map[string]any{"alg": "RS256", "kid": "ec1"}, good, nil),
		"five segments (JWE)":           rs + ".a.b",
		"not a JWT":                     "not-a-jwt",
		"crit header":                   is.sign(map[string]any{"alg": "RS256", "kid": "rsa1", "crit": []string{"exp"}, "exp": 1}, good, nil),
	}
	for name, tok := range accept {
		t.Run("both accept: "+name, func(t *testing.T) {
			c, err := ours.Verify(ctx, tok)
			require.NoError(t, err)
			idt, err := theirs.Verify(ctx, tok)
			require.NoError(t, err)
			assert.Equal(t, idt.Subject, c.Subject)
			assert.Equal(t, idt.Issuer, c.Issuer)
			assert.Equal(t, idt.Audience, c.Audience)
			assert.Equal(t, idt.Expiry.Unix(), c.Expiry.Unix())
			assert.Equal(t, idt.Nonce, c.Nonce)
		})
	}
	for name, tok := range refuse {
		t.Run("both refuse: "+name, func(t *testing.T) {
			_, err := ours.Verify(ctx, tok)
			require.Error(t, err)
			var ve *jwks.ValidationError
			require.ErrorAs(t, err, &ve)
			_, err = theirs.Verify(ctx, tok)
			require.Error(t, err)
		})
	}
}

// TestOIDCDifferencesFromGoOIDC pins where the two verifiers differ, each
// on purpose.
func TestOIDCDifferencesFromGoOIDC(t *testing.T) {
	is := getOIDCIssuer(t)
	ours, theirs := newOIDCPair(t, is)
	ctx := context.Background()
	good := is.claims(oidcClientID)
	tests := []struct {
		name          string
		token         string
		oursErr       error // nil: we accept
		goOIDCAccepts bool
	}{
		// OpenID Connect Core §3.1.3.7: with several audiences, azp must
		// name the client. go-oidc leaves azp to the caller.
		{"several audiences, no azp", is.mint("RS256", with(good, "aud", []string{oidcClientID, "other"}, "azp", nil)), jwks.ErrClientID, true},
		{"several audiences, azp another client", is.mint("RS256", with(good, "aud", []string{oidcClientID, "other"}, "azp", "other")), jwks.ErrClientID, true},
		// We require a kid; go-oidc tries every key of the set.
		{"no kid", is.sign(map[string]any{"alg": "RS256"}, good, nil), jwks.ErrMissingKeyID, true},
		// We allow 30 s of clock skew on exp (as on nbf and iat); go-oidc
		// none on exp (and 5 minutes on nbf).
		{"expired 10 s ago", is.mint("RS256", with(good, "exp", time.Now().Add(-10*time.Second).Unix())), nil, false},
		{"nbf in 2 minutes", is.mint("RS256", with(good, "nbf", time.Now().Add(2*time.Minute).Unix())), jwks.ErrNotYetValid, true},
		// No sub: OpenID Connect Core §2 makes it required.
		{"no sub", is.mint("RS256", with(good, "sub", nil)), jwks.ErrMissingClaim, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ours.Verify(ctx, tc.token)
			if tc.oursErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.oursErr)
			}
			_, err = theirs.Verify(ctx, tc.token)
			assert.Equal(t, tc.goOIDCAccepts, err == nil, "go-oidc: %v", err)
		})
	}
}

// oidcEntries are the bare RSA floor, jwks.OIDCVerifier and go-oidc on
// the same Google-style ID token (RS256, 2048-bit key), caches warm.
func oidcEntries(b *testing.B) []struct {
	name string
	fn   func() error
} {
	is := getOIDCIssuer(b)
	ours, theirs := newOIDCPair(b, is)
	ctx := context.Background()
	tok := is.mint("RS256", is.claims(oidcClientID))
	signed := tok[:strings.LastIndexByte(tok, '.')]
	sig, _ := base64.RawURLEncoding.DecodeString(tok[strings.LastIndexByte(tok, '.')+1:])
	entries := []struct {
		name string
		fn   func() error
	}{
		{"bare-rsa", func() error {
			d := sha256.Sum256([]byte(signed))
			return rsa.VerifyPKCS1v15(&is.rsa.PublicKey, crypto.SHA256, d[:], sig)
		}},
		{"cognitokit-oidc", func() error { _, err := ours.Verify(ctx, tok); return err }},
		{"go-oidc", func() error { _, err := theirs.Verify(ctx, tok); return err }},
	}
	for _, e := range entries {
		if err := e.fn(); err != nil { // warm the caches
			b.Fatal(e.name, err)
		}
	}
	return entries
}

// BenchmarkOIDCVerify measures each of oidcEntries on its own, with
// allocations.
func BenchmarkOIDCVerify(b *testing.B) {
	for _, e := range oidcEntries(b) {
		b.Run(e.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := e.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOIDCInterleaved runs oidcEntries round-robin in one loop, so
// that all see the same machine load, and reports each one's median and
// its ratio to the floor.
func BenchmarkOIDCInterleaved(b *testing.B) {
	entries := oidcEntries(b)
	samples := make([][]time.Duration, len(entries))
	i := 0
	for b.Loop() {
		for j := range entries {
			k := (i + j) % len(entries)
			t0 := time.Now()
			if err := entries[k].fn(); err != nil {
				b.Fatal(err)
			}
			samples[k] = append(samples[k], time.Since(t0))
		}
		i++
	}
	floor := median(samples[0])
	for k, e := range entries {
		m := median(samples[k])
		b.ReportMetric(float64(m.Nanoseconds()), e.name+"-median-ns")
		if k > 0 {
			b.ReportMetric(float64(m)/float64(floor), e.name+"-ratio")
		}
	}
}
