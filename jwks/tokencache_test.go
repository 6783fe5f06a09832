package jwks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenCache(t *testing.T) {
	t.Run("hit returns an independent copy", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 100 })
		tok := f.token(f.k1)
		c1, err := f.v.Verify(context.Background(), tok)
		require.NoError(t, err)
		c2, err := f.v.Verify(context.Background(), tok)
		require.NoError(t, err)
		assert.Equal(t, c1, c2)
		c2.Groups[0] = "root"
		c3, err := f.v.Verify(context.Background(), tok)
		require.NoError(t, err)
		assert.Equal(t, "admin", c3.Groups[0])
	})
	t.Run("hit skips the signature check, miss does not", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 100 })
		tok := f.token(f.k1)
		require.NoError(t, f.verify(tok))
		tampered := tok[:len(tok)-4] + "AAAA"
		require.ErrorIs(t, f.verify(tampered), ErrSignature)
	})
	t.Run("expires at exp", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 100; o.Leeway = -1 })
		c := accessClaims(f.clock.Now())
		c["exp"] = f.clock.Now().Add(time.Minute).Unix()
		tok := f.k1.mint(c)
		require.NoError(t, f.verify(tok))
		f.clock.Add(2 * time.Minute)
		require.ErrorIs(t, f.verify(tok), ErrExpired)
	})
	t.Run("invalidated when the key set changes", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 100 })
		tok := f.token(f.k1)
		require.NoError(t, f.verify(tok))
		gen := f.v.gen.Load()
		// Same keys refetched: no change, cache stays.
		require.NoError(t, f.v.Hydrate(context.Background()))
		assert.Equal(t, gen, f.v.gen.Load())
		// k1 withdrawn: the cached claims must not outlive it.
		f.srv.set(200, jwksJSON(f.k2.jwk(nil)))
		require.NoError(t, f.v.Hydrate(context.Background()))
		assert.Equal(t, gen+1, f.v.gen.Load())
		require.ErrorIs(t, f.verify(tok), ErrUnknownKey)
	})
	t.Run("not served once keys are too old", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 100 })
		tok := f.token(f.k1)
		require.NoError(t, f.verify(tok))
		f.srv.set(500, nil)
		f.clock.Add(3 * time.Hour)
		require.ErrorIs(t, f.verify(tok), ErrJWKSUnavailable)
	})
	t.Run("custom check runs on hits", func(t *testing.T) {
		deny := false
		var mu sync.Mutex
		f := newCacheFixture(t, func(o *Options) {
			o.TokenCacheSize = 100
			o.CustomCheck = func(context.Context, *Claims) error {
				mu.Lock()
				defer mu.Unlock()
				if deny {
					return errors.New("denied")
				}
				return nil
			}
		})
		tok := f.token(f.k1)
		require.NoError(t, f.verify(tok))
		mu.Lock()
		deny = true
		mu.Unlock()
		require.ErrorIs(t, f.verify(tok), ErrCustomCheck)
	})
	t.Run("bounded", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 32 })
		for i := range 200 {
			c := accessClaims(f.clock.Now())
			c["jti"] = fmt.Sprint(i)
			require.NoError(t, f.verify(f.k1.mint(c)))
		}
		n := 0
		for i := range f.v.tokens.shards {
			n += len(f.v.tokens.shards[i].m)
		}
		assert.LessOrEqual(t, n, 32)
		assert.Greater(t, n, 0)
	})
	t.Run("concurrent", func(t *testing.T) {
		f := newCacheFixture(t, func(o *Options) { o.TokenCacheSize = 8 })
		toks := make([]string, 16)
		for i := range toks {
			c := accessClaims(f.clock.Now())
			c["jti"] = fmt.Sprint(i)
			toks[i] = f.k1.mint(c)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					c, err := f.v.Verify(context.Background(), toks[(g+i)%len(toks)])
					assert.NoError(t, err)
					assert.Equal(t, fmt.Sprint((g+i)%len(toks)), c.JWTID)
				}
			}()
		}
		wg.Wait()
	})
}

func TestConstantTimeEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abcdefghijklmnop", "abcdefghijklmnop", true},
		{"abcdefghijklmnop", "abcdefghXjklmnop", false},
		{"abcdefghijklmnopq", "abcdefghijklmnopr", false},
		{"abc", "abcd", false},
	} {
		assert.Equal(t, tc.want, constantTimeEqual(tc.a, tc.b), "%q %q", tc.a, tc.b)
	}
}

func TestConcurrentVerifyRaceClean(t *testing.T) {
	f := newTokenFixture(t)
	v := f.verifier(t, func(o *Options) { o.TokenUse = TokenUseAny; o.TokenCacheSize = 64 })
	now := time.Now()
	good := []string{f.k1.mint(accessClaims(now)), f.k1.mint(idClaims(now))}
	bad := []string{f.unpublished.mint(accessClaims(now)), "x.y.z", f.k1.mint(with(accessClaims(now), "exp", 1))}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				_, err := v.Verify(context.Background(), good[(g+i)%2])
				assert.NoError(t, err)
				_, err = v.Verify(context.Background(), bad[(g+i)%3])
				assert.Error(t, err)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, f.srv.fetches.Load(), int64(2))
}
