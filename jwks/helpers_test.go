package jwks

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testPool   = "us-east-1_TestPool1"
	testIss    = "https://cognito-idp.us-east-1.amazonaws.com/" + testPool
	testClient = "client1234567890abcdefghij"
)

// testKey is an RSA key with its kid. Generating 2048-bit keys is slow,
// so a few are made once per test binary.
type testKey struct {
	priv *rsa.PrivateKey
	kid  string
}

var (
	keysOnce sync.Once
	keyPool  []*rsa.PrivateKey
)

func rsaKey(i int) *rsa.PrivateKey {
	keysOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keyPool = append(keyPool, k)
		}
	})
	return keyPool[i]
}

func newKey(i int, kid string) *testKey { return &testKey{priv: rsaKey(i), kid: kid} }

func b64e(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk renders the public JWK of k.
func (k *testKey) jwk(extra map[string]any) map[string]any {
	m := map[string]any{
		"kty": "RSA", "kid": k.kid, "alg": "RS256", "use": "sig",
		"n": b64e(k.priv.N.Bytes()),
		"e": b64e(big.NewInt(int64(k.priv.E)).Bytes()),
	}
	for name, v := range extra {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	return m
}

func jwksJSON(keys ...map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

// signParts signs header.payload (already JSON) with RS256 and returns the
// compact token.
func (k *testKey) signParts(header, payload []byte) string {
	in := b64e(header) + "." + b64e(payload)
	d := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	return in + "." + b64e(sig)
}

// mint signs claims with k under a {"kid","alg":"RS256"} header.
func (k *testKey) mint(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"kid": k.kid, "alg": "RS256"})
	p, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return k.signParts(h, p)
}

// accessClaims are typical Cognito access-token claims valid at now.
func accessClaims(now time.Time) map[string]any {
	return map[string]any{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"cognito:groups": []string{"admin", "dev"},
		"iss":            testIss,
		"version":        2,
		"client_id":      testClient,
		"origin_jti":     "11111111-2222-3333-4444-555555555555",
		"event_id":       "66666666-7777-8888-9999-000000000000",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin openid profile",
		"auth_time":      now.Add(-time.Minute).Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"iat":            now.Add(-time.Minute).Unix(),
		"jti":            "abcdefab-1234-5678-9abc-def012345678",
		"username":       "alice",
	}
}

// idClaims are typical Cognito ID-token claims valid at now.
func idClaims(now time.Time) map[string]any {
	return map[string]any{
		"sub":              "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"cognito:groups":   []string{"admin"},
		"email_verified":   true,
		"iss":              testIss,
		"cognito:username": "alice",
		"origin_jti":       "11111111-2222-3333-4444-555555555555",
		"aud":              testClient,
		"event_id":         "66666666-7777-8888-9999-000000000000",
		"token_use":        "id",
		"auth_time":        now.Add(-time.Minute).Unix(),
		"exp":              now.Add(time.Hour).Unix(),
		"iat":              now.Add(-time.Minute).Unix(),
		"jti":              "abcdefab-1234-5678-9abc-def012345679",
		"email":            "alice@example.com",
		"custom:tenant":    "acme",
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
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

// jwksServer serves a JWKS document that tests can swap and break, and
// counts requests.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	status  int
	header  http.Header
	delay   time.Duration
	fetches atomic.Int64
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	s := &jwksServer{body: body, status: 200}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		body, status, delay := s.body, s.status, s.delay
		for k, v := range s.header {
			w.Header()[k] = v
		}
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func (s *jwksServer) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *jwksServer) url() string { return s.URL + "/" + testPool + "/.well-known/jwks.json" }

// fakeClock is a settable clock.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
