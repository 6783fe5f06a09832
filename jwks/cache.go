package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// snapshot is one immutable generation of a JWKS cache.
type snapshot struct {
	set       *Set
	fetched   time.Time // when this set was last fetched (or confirmed)
	refreshAt time.Time // when a background refresh is due
}

// fetchCall is one in-flight JWKS fetch shared by every caller that needs it.
type fetchCall struct {
	done chan struct{}
	err  error
}

// keyCache holds the keys of one JWKS URL (or one static JWKS). The read
// path is an atomic load of an immutable snapshot and a map lookup: no
// lock, no allocation. Fetches are shared, rate limited (cooldown) and run
// on a context detached from any one caller.
type keyCache struct {
	url    string
	static bool
	o      *Options
	gen    *atomic.Uint64 // verifier-wide key-set generation
	// allowEC keeps EC keys in the set (OIDC verifiers).
	allowEC bool
	// discover, if set, finds the JWKS URL (OpenID Connect discovery) on
	// the first fetch, while url is empty. Only the fetch goroutine, one at
	// a time, reads and writes url.
	discover func(ctx context.Context) (string, error)

	snap        atomic.Pointer[snapshot]
	nextRefresh atomic.Int64 // unix nanos before which no background refresh starts

	mu        sync.Mutex
	call      *fetchCall
	lastFetch time.Time
	lastErr   error
	neg       map[string]time.Time // unknown kids → negative-cache expiry
	fetches   atomic.Int64
}

func newStaticCache(set *Set, o *Options, gen *atomic.Uint64) *keyCache {
	c := &keyCache{static: true, o: o, gen: gen}
	c.snap.Store(&snapshot{set: set})
	return c
}

func newRemoteCache(url string, o *Options, gen *atomic.Uint64) *keyCache {
	return &keyCache{url: url, o: o, gen: gen, neg: map[string]time.Time{}}
}

// usable returns the current snapshot when its keys may still be used.
func (c *keyCache) usable(now time.Time) *snapshot {
	s := c.snap.Load()
	if s == nil {
		return nil
	}
	if !c.static && now.Sub(s.fetched) > c.o.MaxKeyAge {
		return nil // too old: fail closed until a fetch succeeds
	}
	return s
}

// lookup returns the key for kid, fetching the JWKS when it is not cached.
func (c *keyCache) lookup(ctx context.Context, kid string, now time.Time) (*Key, *ValidationError) {
	if s := c.usable(now); s != nil {
		if k, ok := s.set.keys[kid]; ok {
			if !c.static && !now.Before(s.refreshAt) {
				c.refreshInBackground(ctx, now)
			}
			return k, nil
		}
	}
	return c.lookupSlow(ctx, kid, now)
}

func (c *keyCache) lookupSlow(ctx context.Context, kid string, now time.Time) (*Key, *ValidationError) {
	if c.static {
		return nil, verr(ErrUnknownKey, "kid "+quote(kid)+" is not in the static JWKS")
	}
	c.mu.Lock()
	// Another caller's fetch may have finished since the fast path.
	s := c.usable(now)
	if s != nil {
		if k, ok := s.set.keys[kid]; ok {
			c.mu.Unlock()
			return k, nil
		}
		if until, ok := c.neg[kid]; ok && now.Before(until) {
			c.mu.Unlock()
			return nil, verr(ErrUnknownKey, "kid "+quote(kid)+" was not in the JWKS when last fetched")
		}
	}
	call := c.call
	if call == nil {
		if !c.lastFetch.IsZero() && now.Sub(c.lastFetch) < c.o.RefetchCooldown {
			lastErr := c.lastErr
			c.mu.Unlock()
			if s != nil {
				return nil, verr(ErrUnknownKey, "kid "+quote(kid)+" is not in the JWKS (refetch cooldown)")
			}
			e := verr(ErrJWKSUnavailable, "recent fetch failed, retrying after cooldown")
			e.Cause = lastErr
			return nil, e
		}
		call = c.startLocked(ctx, now)
	}
	c.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		e := verr(ErrJWKSUnavailable, "gave up waiting for the JWKS")
		e.Cause = ctx.Err()
		return nil, e
	}
	now = c.o.Clock()
	s = c.usable(now)
	if s != nil {
		if k, ok := s.set.keys[kid]; ok {
			return k, nil
		}
	}
	if call.err != nil {
		e := verr(ErrJWKSUnavailable, "")
		e.Cause = call.err
		if s != nil {
			// Keys are still cached; the kid is unknown to them and the
			// refetch failed.
			e.Detail = "kid " + quote(kid) + " is not cached and the refetch failed"
		}
		return nil, e
	}
	c.mu.Lock()
	if len(c.neg) >= maxNegativeEntries {
		for k, until := range c.neg {
			if !now.Before(until) {
				delete(c.neg, k)
			}
		}
		if len(c.neg) >= maxNegativeEntries {
			clear(c.neg)
		}
	}
	c.neg[kid] = now.Add(c.o.NegativeCacheTTL)
	c.mu.Unlock()
	return nil, verr(ErrUnknownKey, "kid "+quote(kid)+" is not in the JWKS")
}

const maxNegativeEntries = 4096

// refreshInBackground starts a refresh when one is due and allowed; the
// caller does not wait for it.
func (c *keyCache) refreshInBackground(ctx context.Context, now time.Time) {
	if now.UnixNano() < c.nextRefresh.Load() {
		return
	}
	c.mu.Lock()
	if c.call == nil && (c.lastFetch.IsZero() || now.Sub(c.lastFetch) >= c.o.RefetchCooldown) {
		c.startLocked(ctx, now)
	}
	c.mu.Unlock()
}

// fetchNow fetches (or joins the fetch in flight), waiting on ctx.
func (c *keyCache) fetchNow(ctx context.Context) error {
	if c.static {
		return nil
	}
	c.mu.Lock()
	call := c.call
	if call == nil {
		call = c.startLocked(ctx, c.o.Clock())
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startLocked starts a shared fetch. c.mu must be held.
func (c *keyCache) startLocked(ctx context.Context, now time.Time) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	c.call = call
	c.lastFetch = now
	c.nextRefresh.Store(now.Add(c.o.RefetchCooldown).UnixNano())
	// Detached from the caller's cancellation (other callers share this
	// fetch), bounded by the fetch timeout.
	fctx := context.WithoutCancel(ctx)
	go func() {
		set, ttl, err := c.fetch(fctx)
		now := c.o.Clock()
		c.mu.Lock()
		if err == nil {
			old := c.snap.Load()
			c.snap.Store(&snapshot{set: set, fetched: now, refreshAt: now.Add(ttl)})
			if old != nil && old.set.fingerprint != set.fingerprint {
				c.gen.Add(1)
			}
			// The negative cache stays: lookups consult the key set first,
			// so it never hides a key that is now published.
			c.lastErr = nil
		} else {
			c.lastErr = err
		}
		call.err = err
		c.call = nil
		c.mu.Unlock()
		close(call.done)
		if lg := c.o.Logger; lg != nil {
			if err != nil {
				lg.Warn("jwks: fetch failed", "url", c.url, "err", err)
			} else {
				for _, sk := range set.skipped {
					lg.Warn("jwks: JWK skipped", "url", c.url, "index", sk.Index, "kid", sk.KeyID, "reason", sk.Reason)
				}
			}
		}
	}()
	return call
}

// fetch downloads and parses the JWKS and works out when to refresh it.
func (c *keyCache) fetch(ctx context.Context) (*Set, time.Duration, error) {
	c.fetches.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.o.FetchTimeout)
	defer cancel()
	if c.url == "" && c.discover != nil {
		u, err := c.discover(ctx)
		if err != nil {
			return nil, 0, err
		}
		c.url = u
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w", c.url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w", c.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, 0, fmt.Errorf("jwks: fetch %s: HTTP status %d", c.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxJWKSBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w", c.url, err)
	}
	if int64(len(body)) > c.o.MaxJWKSBytes {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w (limit %d bytes)", c.url, errTooLarge, c.o.MaxJWKSBytes)
	}
	set, err := parseSet(body, c.allowEC)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w", c.url, err)
	}
	return set, c.refreshInterval(resp.Header), nil
}

var errTooLarge = errors.New("JWKS response too large")

// refreshInterval reads Cache-Control max-age and clamps it to the
// configured bounds.
func (c *keyCache) refreshInterval(h http.Header) time.Duration {
	d := c.o.DefaultRefreshInterval
	if age, ok := maxAge(h.Get("Cache-Control")); ok {
		d = age
	}
	if d < c.o.MinRefreshInterval {
		d = c.o.MinRefreshInterval
	}
	if d > c.o.MaxRefreshInterval {
		d = c.o.MaxRefreshInterval
	}
	// Refresh well before the keys would stop being usable.
	if d > c.o.MaxKeyAge/2 {
		d = c.o.MaxKeyAge / 2
	}
	return d
}

// maxAge parses the max-age directive of a Cache-Control header (RFC 9111
// §5.2.2.1). no-cache, no-store and max-age=0 mean "as soon as allowed".
func maxAge(cc string) (time.Duration, bool) {
	for _, dir := range strings.Split(cc, ",") {
		dir = strings.TrimSpace(strings.ToLower(dir))
		if dir == "no-cache" || dir == "no-store" {
			return 0, true
		}
		if v, ok := strings.CutPrefix(dir, "max-age="); ok {
			n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			if n > 1<<31 {
				n = 1 << 31
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}
