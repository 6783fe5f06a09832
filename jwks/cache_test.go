package jwks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cacheFixture is a verifier on a fake clock against a JWKS server that
// can fail on demand.
type cacheFixture struct {
	k1, k2 *testKey
	srv    *jwksServer
	clock  *fakeClock
	v      *Verifier
}

func newCacheFixture(t *testing.T, optFns ...func(*Options)) *cacheFixture {
	f := &cacheFixture{k1: newKey(0, "k1"), k2: newKey(1, "k2"), clock: newFakeClock(time.Now())}
	f.srv = newJWKSServer(t, jwksJSON(f.k1.jwk(nil)))
	fns := append([]func(*Options){func(o *Options) {
		o.ClientIDs = []string{testClient}
		o.HTTPClient = f.srv.Client()
		o.Clock = f.clock.Now
		o.RefetchCooldown = 10 * time.Second
		o.NegativeCacheTTL = time.Minute
		o.MaxKeyAge = 2 * time.Hour
		o.FetchTimeout = 2 * time.Second
	}}, optFns...)
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKSURL: f.srv.url()}}, fns...)
	require.NoError(t, err)
	f.v = v
	return f
}

func (f *cacheFixture) token(k *testKey) string {
	c := accessClaims(f.clock.Now())
	c["exp"] = f.clock.Now().Add(24 * time.Hour).Unix()
	return k.mint(c)
}

func (f *cacheFixture) verify(tok string) error {
	_, err := f.v.Verify(context.Background(), tok)
	return err
}

// waitIdle waits for a background fetch to finish.
func (f *cacheFixture) waitIdle(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		kc := f.v.caches[0]
		kc.mu.Lock()
		defer kc.mu.Unlock()
		return kc.call == nil
	}, 5*time.Second, time.Millisecond)
}

func TestJWKSServerErrors(t *testing.T) {
	bodies := []struct {
		name   string
		status int
		body   []byte
		reason string
	}{
		{"HTTP 500", 500, []byte(`{"message":"internal"}`), "HTTP status 500"},
		{"HTTP 404", 404, []byte(`not found`), "HTTP status 404"},
		{"garbage", 200, []byte("\x00\x01<html>garbage"), "not valid JSON"},
		{"no keys array", 200, []byte(`{"kids":[]}`), `no "keys" array`},
		{"empty key set", 200, []byte(`{"keys":[]}`), "no usable RSA signing key"},
		{"only unusable keys", 200, []byte(`{"keys":[{"kty":"EC","kid":"e"},{"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"}]}`), "no usable RSA signing key"},
		{"huge body", 200, []byte(`{"keys":[` + strings.Repeat(`{"kty":"oct","k":"AAAA"},`, 20000) + `{}]}`), "too large"},
	}
	for _, tc := range bodies {
		t.Run(tc.name, func(t *testing.T) {
			f := newCacheFixture(t)
			tok := f.token(f.k1)
			f.srv.set(tc.status, tc.body)

			// A burst of callers while the JWKS is broken: one fetch.
			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range errs {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = f.verify(tok) }()
			}
			wg.Wait()
			for _, err := range errs {
				require.ErrorIs(t, err, ErrJWKSUnavailable)
			}
			assert.Contains(t, errs[0].Error(), tc.reason)
			assert.Equal(t, int64(1), f.srv.fetches.Load(), "a burst must share one fetch")

			// Inside the cooldown: fail fast, no fetch.
			for range 100 {
				require.ErrorIs(t, f.verify(tok), ErrJWKSUnavailable)
			}
			assert.Equal(t, int64(1), f.srv.fetches.Load())

			// After the cooldown, with the server healthy again: recovered.
			f.srv.set(200, jwksJSON(f.k1.jwk(nil)))
			f.clock.Add(11 * time.Second)
			require.NoError(t, f.verify(tok))
			assert.Equal(t, int64(2), f.srv.fetches.Load())
		})
	}
}

func TestStaleKeysKeptUntilMaxAge(t *testing.T) {
	faults := []struct {
		name  string
		apply func(*jwksServer)
	}{
		{"HTTP 500", func(s *jwksServer) { s.set(500, []byte("oops")) }},
		{"HTTP 503 empty", func(s *jwksServer) { s.set(503, nil) }},
		{"timeout", func(s *jwksServer) { s.setDelay(2 * time.Second) }},
		{"garbage", func(s *jwksServer) { s.set(200, []byte("<html>")) }},
		{"huge body", func(s *jwksServer) { s.set(200, make([]byte, DefaultMaxJWKSBytes+1)) }},
		{"no usable keys", func(s *jwksServer) { s.set(200, []byte(`{"keys":[{"kty":"oct","kid":"k1","k":"c2VjcmV0"}]}`)) }},
	}
	for _, fault := range faults {
		t.Run(fault.name, func(t *testing.T) {
			f := newCacheFixture(t, func(o *Options) { o.FetchTimeout = 100 * time.Millisecond })
			tok := f.token(f.k1)
			require.NoError(t, f.verify(tok))
			fault.apply(f.srv)

			// Refresh due (default 1h): the refresh fails in the background,
			// the cached keys keep serving.
			f.clock.Add(61 * time.Minute)
			require.NoError(t, f.verify(tok))
			f.waitIdle(t)
			assert.Equal(t, int64(2), f.srv.fetches.Load())
			for range 100 {
				require.NoError(t, f.verify(tok))
			}
			assert.Equal(t, int64(2), f.srv.fetches.Load(), "failed refreshes are retried only after the cooldown")
			// One retry per cooldown while it stays broken.
			f.clock.Add(11 * time.Second)
			for range 100 {
				require.NoError(t, f.verify(tok))
			}
			f.waitIdle(t)
			assert.Equal(t, int64(3), f.srv.fetches.Load())

			// Past MaxKeyAge (2h) since the last good fetch: fail closed.
			f.clock.Add(60 * time.Minute)
			err := f.verify(tok)
			require.ErrorIs(t, err, ErrJWKSUnavailable)

			// The server comes back: the next fetch (after the cooldown) restores.
			f.srv.setDelay(0)
			f.srv.set(200, jwksJSON(f.k1.jwk(nil)))
			f.clock.Add(11 * time.Second)
			require.NoError(t, f.verify(tok))
		})
	}
}

func TestFetchTimeoutAndCallerContext(t *testing.T) {
	f := newCacheFixture(t, func(o *Options) { o.FetchTimeout = 200 * time.Millisecond })
	tok := f.token(f.k1)
	f.srv.setDelay(5 * time.Second)
	start := time.Now()
	err := f.verify(tok)
	require.ErrorIs(t, err, ErrJWKSUnavailable)
	assert.Less(t, time.Since(start), 3*time.Second, "the fetch timeout bounds the wait")

	// A caller's own deadline ends its wait, not the shared fetch.
	f.srv.setDelay(300 * time.Millisecond)
	f.clock.Add(11 * time.Second)
	f2 := newCacheFixture(t)
	f2.srv.setDelay(300 * time.Millisecond)
	tok2 := f2.token(f2.k1)
	var wg sync.WaitGroup
	var patientErr error
	wg.Add(1)
	go func() { defer wg.Done(); patientErr = f2.verify(tok2) }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = f2.v.Verify(ctx, tok2)
	require.ErrorIs(t, err, ErrJWKSUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	wg.Wait()
	require.NoError(t, patientErr, "the shared fetch outlives an impatient caller")
	assert.Equal(t, int64(1), f2.srv.fetches.Load())
}

func TestUnknownKidStormIsBounded(t *testing.T) {
	f := newCacheFixture(t)
	require.NoError(t, f.verify(f.token(f.k1)))
	require.Equal(t, int64(1), f.srv.fetches.Load())

	// 500 concurrent tokens with forged, distinct kids.
	var wg sync.WaitGroup
	var unknown atomic.Int64
	for i := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.verify(f.token(&testKey{priv: f.k2.priv, kid: fmt.Sprintf("forged-%d", i)}))
			if errors.Is(err, ErrUnknownKey) {
				unknown.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(500), unknown.Load())
	assert.LessOrEqual(t, f.srv.fetches.Load(), int64(2), "one refetch at most for the whole storm")

	// After the cooldown, a forged kid costs one refetch; once found
	// missing, it costs nothing more, even after the cooldown (negative cache).
	forged := f.token(&testKey{priv: f.k2.priv, kid: "forged-again"})
	before := f.srv.fetches.Load()
	f.clock.Add(11 * time.Second)
	require.ErrorIs(t, f.verify(forged), ErrUnknownKey)
	assert.Equal(t, before+1, f.srv.fetches.Load())
	f.clock.Add(11 * time.Second)
	for range 100 {
		require.ErrorIs(t, f.verify(forged), ErrUnknownKey)
	}
	assert.Equal(t, before+1, f.srv.fetches.Load())
	// When the negative entry expires, the kid may be looked up again.
	f.clock.Add(time.Minute)
	require.ErrorIs(t, f.verify(forged), ErrUnknownKey)
	assert.Equal(t, before+2, f.srv.fetches.Load())
	// ...and the legitimate key keeps working throughout.
	require.NoError(t, f.verify(f.token(f.k1)))
}

func TestRotationMidTraffic(t *testing.T) {
	f := newCacheFixture(t)
	tok1 := f.token(f.k1)
	tok2 := f.token(f.k2)
	require.NoError(t, f.verify(tok1))

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if f.verify(tok1) != nil {
					failures.Add(1)
				}
			}
		}()
	}
	// Cognito publishes the new key next to the old one, then signs with it.
	f.srv.set(200, jwksJSON(f.k1.jwk(nil), f.k2.jwk(nil)))
	f.clock.Add(11 * time.Second)
	var wg2 sync.WaitGroup
	for range 50 {
		wg2.Add(1)
		go func() { defer wg2.Done(); assert.NoError(t, f.verify(tok2)) }()
	}
	wg2.Wait()
	stop()
	wg.Wait()
	assert.Zero(t, failures.Load(), "old-key traffic never fails during rotation")
	assert.Equal(t, int64(2), f.srv.fetches.Load(), "50 callers with the new kid share one refetch")

	// The old key is withdrawn: after the next refresh it drops out.
	f.srv.set(200, jwksJSON(f.k2.jwk(nil)))
	f.clock.Add(61 * time.Minute)
	require.NoError(t, f.verify(tok1)) // still cached; starts the refresh
	f.waitIdle(t)
	require.ErrorIs(t, f.verify(tok1), ErrUnknownKey)
	require.NoError(t, f.verify(tok2))
	assert.Equal(t, []string{"k2"}, f.v.KeySet(testIss).KeyIDs())
}

func TestCacheControlMaxAge(t *testing.T) {
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", DefaultRefreshInterval},
		{"public, max-age=1800", 30 * time.Minute},
		{"max-age=1", DefaultMinRefreshInterval},
		{"no-cache", DefaultMinRefreshInterval},
		{"max-age=99999999999", DefaultMaxRefreshInterval},
		{"max-age=abc", DefaultRefreshInterval},
	}
	for _, tc := range cases {
		t.Run(tc.header, func(t *testing.T) {
			f := newCacheFixture(t, func(o *Options) { o.MaxKeyAge = 12 * time.Hour })
			f.srv.mu.Lock()
			f.srv.header = http.Header{"Cache-Control": {tc.header}}
			f.srv.mu.Unlock()
			require.NoError(t, f.v.Hydrate(context.Background()))
			s := f.v.caches[0].snap.Load()
			assert.Equal(t, tc.want, s.refreshAt.Sub(s.fetched))

			// Before it is due: no refetch. After: one background refetch.
			tok := f.token(f.k1)
			f.clock.Add(tc.want - time.Second)
			require.NoError(t, f.verify(tok))
			assert.Equal(t, int64(1), f.srv.fetches.Load())
			f.clock.Add(2 * time.Second)
			require.NoError(t, f.verify(tok))
			f.waitIdle(t)
			assert.Equal(t, int64(2), f.srv.fetches.Load())
		})
	}
}

func TestRunRefreshesInBackground(t *testing.T) {
	f := newCacheFixture(t)
	require.NoError(t, f.v.Hydrate(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.v.Run(ctx); close(done) }()
	f.clock.Add(2 * time.Hour)
	require.Eventually(t, func() bool { return f.srv.fetches.Load() >= 2 }, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
}

func TestBadJWKSkippedWithReason(t *testing.T) {
	f := newCacheFixture(t)
	f.srv.set(200, jwksJSON(
		map[string]any{"kty": "RSA", "kid": "tiny", "n": "AQAB", "e": "AQAB"},
		f.k1.jwk(map[string]any{"kid": "dup"}),
		f.k2.jwk(map[string]any{"kid": "dup"}),
		map[string]any{"kty": "EC", "kid": "ec", "crv": "P-256"},
		f.k1.jwk(map[string]any{"e": "AAE"}),
		f.k1.jwk(nil),
	))
	require.NoError(t, f.v.Hydrate(context.Background()))
	require.NoError(t, f.verify(f.token(f.k1)))
	set := f.v.KeySet(testIss)
	require.NotNil(t, set)
	assert.Equal(t, []string{"dup", "k1"}, set.KeyIDs())
	sk := set.Skipped()
	require.Len(t, sk, 4)
	assert.Contains(t, sk[0].Reason, "fewer than 2048")
	assert.Equal(t, "duplicate kid", sk[1].Reason)
	assert.Contains(t, sk[2].Reason, "not RSA")
	assert.Contains(t, sk[3].Reason, "exponent 1")
}

func TestStaticJWKSNeverFetches(t *testing.T) {
	k := newKey(0, "k1")
	var calls atomic.Int64
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, errors.New("no network")
	})}
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKS: jwksJSON(k.jwk(nil))}}, func(o *Options) {
		o.ClientIDs = []string{testClient}
		o.HTTPClient = client
	})
	require.NoError(t, err)
	require.NoError(t, v.Hydrate(context.Background()))
	_, err = v.Verify(context.Background(), k.mint(accessClaims(time.Now())))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), newKey(1, "k2").mint(accessClaims(time.Now())))
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Zero(t, calls.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestInjectedHTTPClientIsUsed(t *testing.T) {
	k := newKey(0, "k1")
	var calls atomic.Int64
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		assert.Equal(t, "https://keys.example/jwks.json", r.URL.String())
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: ioNopCloser(string(jwksJSON(k.jwk(nil)))), Request: r}, nil
	})}
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKSURL: "https://keys.example/jwks.json"}}, func(o *Options) {
		o.ClientIDs = []string{testClient}
		o.HTTPClient = client
	})
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), k.mint(accessClaims(time.Now())))
	require.NoError(t, err)
	assert.Equal(t, int64(1), calls.Load())
}

func TestKeyLookupIsAllocationFree(t *testing.T) {
	f := newCacheFixture(t)
	require.NoError(t, f.v.Hydrate(context.Background()))
	kc := f.v.caches[0]
	now := f.clock.Now()
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, e := kc.lookup(ctx, "k1", now); e != nil {
			t.Fatal(e)
		}
	})
	assert.Zero(t, allocs)
}

func TestParseSet(t *testing.T) {
	k := newKey(0, "k1")
	cases := []struct {
		name    string
		doc     string
		wantErr bool
		keys    int
	}{
		{"one key", string(jwksJSON(k.jwk(nil))), false, 1},
		{"no alg or use", string(jwksJSON(k.jwk(map[string]any{"alg": nil, "use": nil}))), false, 1},
		{"key_ops verify", string(jwksJSON(k.jwk(map[string]any{"key_ops": []string{"verify"}}))), false, 1},
		{"key_ops sign only", string(jwksJSON(k.jwk(map[string]any{"key_ops": []string{"sign"}}))), true, 0},
		{"even exponent", string(jwksJSON(k.jwk(map[string]any{"e": "AAI"}))), true, 0},
		{"padded n", string(jwksJSON(k.jwk(map[string]any{"n": b64e(k.priv.N.Bytes()) + "=="}))), true, 0},
		{"HS key", `{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}`, true, 0},
		{"no kid", string(jwksJSON(k.jwk(map[string]any{"kid": nil}))), true, 0},
		{"use weird", string(jwksJSON(k.jwk(map[string]any{"use": "wrap"}))), true, 0},
		{"not JSON", `keys`, true, 0},
		{"keys not array", `{"keys":{}}`, true, 0},
		{"numbers for strings", `{"keys":[{"kty":1}]}`, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSet([]byte(tc.doc))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.keys, s.Len())
			key, ok := s.Key("k1")
			require.True(t, ok)
			assert.Equal(t, k.priv.N, key.PublicKey.N)
		})
	}
}

func TestMaxAgeParsing(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"max-age=60":                 time.Minute,
		"public, MAX-AGE=120":        2 * time.Minute,
		`max-age="30"`:               30 * time.Second,
		"private, max-age=0":         0,
		"no-store":                   0,
		"s-maxage=60, max-age=10":    10 * time.Second,
		"max-age=-1, max-age=5":      5 * time.Second,
		"must-revalidate, max-age=7": 7 * time.Second,
	} {
		got, ok := maxAge(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "public", "max-age=", "max-age=x"} {
		_, ok := maxAge(in)
		assert.False(t, ok, in)
	}
}
