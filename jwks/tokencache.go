package jwks

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// tokenCache is the optional verified-token cache: a bounded map from a
// keyed hash of the token to its verified claims, valid until exp and only
// while the key sets are unchanged.
//
// The hash is maphash with a per-cache random seed (an attacker cannot
// aim for collisions without it), and a hit also compares the whole token
// in constant time, so a collision can never return another token's claims.
type tokenCache[C any] struct {
	seed   maphash.Seed
	shards [tokenCacheShards]tokenShard[C]
	per    int
}

const tokenCacheShards = 16

type tokenShard[C any] struct {
	mu sync.RWMutex
	m  map[uint64]*tokenEntry[C]
	_  [40]byte // keep shards on separate cache lines
}

// tokenEntry holds one verified token's claims (*Claims for a [Verifier],
// *OIDCClaims for an [OIDCVerifier]).
type tokenEntry[C any] struct {
	token  string
	claims C
	exp    time.Time // exp without leeway: hits stop at exp
	gen    uint64
	keys   *keyCache
}

func newTokenCache[C any](size int) *tokenCache[C] {
	per := (size + tokenCacheShards - 1) / tokenCacheShards
	if per < 1 {
		per = 1
	}
	tc := &tokenCache[C]{seed: maphash.MakeSeed(), per: per}
	for i := range tc.shards {
		tc.shards[i].m = make(map[uint64]*tokenEntry[C], min(per, 1024))
	}
	return tc
}

func (tc *tokenCache[C]) get(token string, now time.Time, gen uint64) (*tokenEntry[C], bool) {
	h := maphash.String(tc.seed, token)
	sh := &tc.shards[h%tokenCacheShards]
	sh.mu.RLock()
	e, ok := sh.m[h]
	sh.mu.RUnlock()
	if !ok || e.gen != gen || !now.Before(e.exp) || !constantTimeEqual(e.token, token) {
		return nil, false
	}
	if e.keys.usable(now) == nil {
		return nil, false
	}
	return e, true
}

func (tc *tokenCache[C]) put(token string, e *tokenEntry[C], now time.Time) {
	e.token = token
	h := maphash.String(tc.seed, token)
	sh := &tc.shards[h%tokenCacheShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[h]; !ok && len(sh.m) >= tc.per {
		// Full: drop expired or outdated entries first, then arbitrary ones
		// (map iteration order is random) until there is room.
		for k, old := range sh.m {
			if !now.Before(old.exp) || old.gen != e.gen {
				delete(sh.m, k)
			}
		}
		for k := range sh.m {
			if len(sh.m) < tc.per {
				break
			}
			delete(sh.m, k)
		}
	}
	sh.m[h] = e
}

// constantTimeEqual compares two strings in time that depends only on their
// lengths, eight bytes at a time (crypto/subtle's byte loop costs ~1 ns a
// byte, too much beside a sub-microsecond cache hit).
func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var acc uint64
	i := 0
	for ; i+8 <= len(a); i += 8 {
		acc |= binary.LittleEndian.Uint64([]byte(a[i:i+8])) ^ binary.LittleEndian.Uint64([]byte(b[i:i+8]))
	}
	for ; i < len(a); i++ {
		acc |= uint64(a[i] ^ b[i])
	}
	return acc == 0
}
