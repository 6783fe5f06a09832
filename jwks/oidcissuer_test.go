package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// oidcIssuer is an in-process OpenID Connect issuer for tests: discovery
// at /.well-known/openid-configuration, a JWKS with an RSA key ("rsa1")
// and EC keys ("ec256", "ec384"), and ID tokens minted with them. Its
// minting helpers panic on error (test-only).
type oidcIssuer struct {
	*httptest.Server
	rsa   *testKey
	ec256 *ecdsa.PrivateKey
	ec384 *ecdsa.PrivateKey

	mu              sync.Mutex
	discoveryIssuer string // the issuer the discovery document claims ("" = the real one)
	jwksURI         string // "" = this server's /keys
	status          int    // of both documents
	discoveryHits   atomic.Int64
	jwksHits        atomic.Int64
}

var (
	ecOnce       sync.Once
	ec256, ec384 *ecdsa.PrivateKey
)

func newOIDCIssuer(t testing.TB) *oidcIssuer {
	ecOnce.Do(func() {
		ec256, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ec384, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	})
	is := &oidcIssuer{rsa: newKey(1, "rsa1"), ec256: ec256, ec384: ec384, status: http.StatusOK}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.discoveryHits.Add(1)
		is.mu.Lock()
		iss, uri, status := is.discoveryIssuer, is.jwksURI, is.status
		is.mu.Unlock()
		if iss == "" {
			iss = is.URL
		}
		if uri == "" {
			uri = is.URL + "/keys"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": iss, "jwks_uri": uri,
			"authorization_endpoint":                iss + "/authorize",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		is.jwksHits.Add(1)
		is.mu.Lock()
		status := is.status
		is.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(is.jwks())
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	return is
}

func ecJWK(kid, crv, alg string, k *ecdsa.PrivateKey) map[string]any {
	n := (k.Curve.Params().BitSize + 7) / 8
	return map[string]any{
		"kty": "EC", "kid": kid, "crv": crv, "alg": alg, "use": "sig",
		"x": b64e(k.X.FillBytes(make([]byte, n))), "y": b64e(k.Y.FillBytes(make([]byte, n))),
	}
}

// jwks is the issuer's key set. The RSA JWK has no alg, so that the one
// key signs RS256, RS384, RS512 and PS256 tokens.
func (is *oidcIssuer) jwks() []byte {
	return jwksJSON(is.rsa.jwk(map[string]any{"alg": nil}),
		ecJWK("ec256", "P-256", "ES256", is.ec256), ecJWK("ec384", "P-384", "ES384", is.ec384))
}

func (is *oidcIssuer) set(fn func(is *oidcIssuer)) {
	is.mu.Lock()
	defer is.mu.Unlock()
	fn(is)
}

// claims are typical ID-token claims of this issuer for client aud,
// valid at now.
func (is *oidcIssuer) claims(now time.Time, aud string) map[string]any {
	return map[string]any{
		"iss": is.URL, "sub": "110169484474386276334", "aud": aud, "azp": aud,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(),
		"auth_time": now.Add(-2 * time.Minute).Unix(), "nonce": "n-0S6_WzA2Mj",
		"email": "alice@example.com", "email_verified": true, "name": "Alice Liddell",
		"picture": "https://example.com/alice.png", "jti": "6f1c0d2e",
	}
}

// mint signs claims with alg (RS*, PS* with the RSA key, ES256/ES384 with
// the EC keys) under {"kid","alg","typ":"JWT"} plus extra header members.
func (is *oidcIssuer) mint(alg string, claims map[string]any, extra ...any) string {
	kid := map[string]string{"ES256": "ec256", "ES384": "ec384"}[alg]
	if kid == "" {
		kid = is.rsa.kid
	}
	h := map[string]any{"kid": kid, "alg": alg, "typ": "JWT"}
	for i := 0; i < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(h, extra[i].(string))
		} else {
			h[extra[i].(string)] = extra[i+1]
		}
	}
	hb, _ := json.Marshal(h)
	pb, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return signJWS(alg, is.rsa.priv, map[string]*ecdsa.PrivateKey{"ES256": is.ec256, "ES384": is.ec384}[alg], hb, pb)
}

// signJWS signs header.payload with alg, using rk for RS*/PS* and ek for
// ES*.
func signJWS(alg string, rk *rsa.PrivateKey, ek *ecdsa.PrivateKey, header, payload []byte) string {
	in := b64e(header) + "." + b64e(payload)
	h := map[byte]crypto.Hash{'2': crypto.SHA256, '3': crypto.SHA384, '5': crypto.SHA512}[alg[2]]
	hh := h.New()
	hh.Write([]byte(in))
	d := hh.Sum(nil)
	var sig []byte
	var err error
	switch alg[:2] {
	case "RS":
		sig, err = rsa.SignPKCS1v15(rand.Reader, rk, h, d)
	case "PS":
		sig, err = rsa.SignPSS(rand.Reader, rk, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		var r, s interface{ FillBytes([]byte) []byte }
		r, s, err = ecdsa.Sign(rand.Reader, ek, d)
		n := (ek.Curve.Params().BitSize + 7) / 8
		sig = append(r.FillBytes(make([]byte, n)), s.FillBytes(make([]byte, n))...)
	default:
		panic("signJWS: alg " + alg)
	}
	if err != nil {
		panic(err)
	}
	return in + "." + b64e(sig)
}
