package jwks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecurityReview6_Base64urlAlphabetOnly: encoding/base64 skips '\r'
// and '\n' even in strict mode, so a token with a trailing newline or with
// line breaks inside a segment verified. Every byte outside the base64url
// alphabet is ErrMalformed, in every segment.
func TestSecurityReview6_Base64urlAlphabetOnly(t *testing.T) {
	f := newTokenFixture(t)
	tok := f.k1.mint(accessClaims(time.Now()))
	p := strings.Split(tok, ".")
	mid := func(s, ins string) string { return s[:len(s)/2] + ins + s[len(s)/2:] }
	join := func(h, pl, s string) string { return h + "." + pl + "." + s }

	cases := []struct {
		name, token string
		want        error // nil: must verify
	}{
		{"untouched token", tok, nil},
		{"trailing LF", tok + "\n", ErrMalformed},
		{"trailing CRLF", tok + "\r\n", ErrMalformed},
		{"trailing CR", tok + "\r", ErrMalformed},
		{"leading LF", "\n" + tok, ErrMalformed},
		{"LF inside the signature", join(p[0], p[1], mid(p[2], "\n")), ErrMalformed},
		{"1000 CR inside the signature", join(p[0], p[1], mid(p[2], strings.Repeat("\r", 1000))), ErrMalformed},
		{"CRLF inside the header", join(mid(p[0], "\r\n"), p[1], p[2]), ErrMalformed},
		{"LF inside the payload", join(p[0], mid(p[1], "\n"), p[2]), ErrMalformed},
		{"space inside the payload", join(p[0], mid(p[1], " "), p[2]), ErrMalformed},
		{"tab inside the signature", join(p[0], p[1], mid(p[2], "\t")), ErrMalformed},
		{"NUL inside the signature", join(p[0], p[1], mid(p[2], "\x00")), ErrMalformed},
		{"padding on the signature", tok + "=", ErrMalformed},
		{"standard alphabet '+' in the header", join(p[0][:4]+"+"+p[0][5:], p[1], p[2]), ErrMalformed},
		{"high byte in the signature", join(p[0], p[1], mid(p[2], "\xff")), ErrMalformed},
	}
	v := f.verifier(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, c)
		})
	}
}

// TestSecurityReview6_StrictB64 checks the decoder itself, including the
// JWK n and e path that shares it.
func TestSecurityReview6_StrictB64(t *testing.T) {
	for _, s := range []string{"", "AQAB", "AQ", "-_-_"} {
		_, err := b64.DecodeString(s)
		assert.NoError(t, err, "%q", s)
		n, err := b64.Decode(make([]byte, b64.DecodedLen(len(s))), []byte(s))
		assert.NoError(t, err, "%q", s)
		assert.Equal(t, b64.DecodedLen(len(s)), n)
	}
	for _, s := range []string{"AQAB\n", "AQ\r\nAB", "\rAQAB", "AQ AB", "AQAB=", "AQ+/", "AQ\x00B", "A"} {
		_, err := b64.DecodeString(s)
		assert.Error(t, err, "%q", s)
		_, err = b64.Decode(make([]byte, 16), []byte(s))
		assert.Error(t, err, "%q", s)
	}
	// A JWKS whose modulus has a line break in it is refused, key by key.
	k := newKey(0, "k1")
	j := k.jwk(nil)
	n := j["n"].(string)
	j["n"] = n[:40] + "\n" + n[40:]
	_, err := ParseSet(jwksJSON(j))
	require.Error(t, err)
}

// TestMutation_ExpNbfIatBoundaries pins the time checks to the second with
// an injected clock. A token is valid while now < exp + leeway (RFC 7519
// §4.1.4: the current time must be before exp), so it is refused at exactly
// exp without leeway and at exactly exp+leeway with it. nbf and iat are
// accepted while now + leeway >= them (RFC 7519 §4.1.5: on or after nbf).
// Moving any comparison by one second fails a case here.
func TestMutation_ExpNbfIatBoundaries(t *testing.T) {
	f := newTokenFixture(t)
	base := time.Unix(1_800_000_000, 0)
	const leeway = 30 * time.Second
	ac := accessClaims(base.Add(-time.Hour))
	tokExp := f.k1.mint(with(ac, "exp", base.Unix(), "iat", base.Add(-time.Hour).Unix()))
	tokNbf := f.k1.mint(with(ac, "exp", base.Add(2*time.Hour).Unix(), "nbf", base.Unix(), "iat", nil))
	tokIat := f.k1.mint(with(ac, "exp", base.Add(2*time.Hour).Unix(), "iat", base.Unix()))

	cases := []struct {
		name   string
		token  string
		now    time.Time
		leeway time.Duration // as in Options: negative means none
		want   error         // nil: must verify
	}{
		{"exp, no leeway, 1s before", tokExp, base.Add(-time.Second), -1, nil},
		{"exp, no leeway, 1ns before", tokExp, base.Add(-time.Nanosecond), -1, nil},
		{"exp, no leeway, at exp", tokExp, base, -1, ErrExpired},
		{"exp, no leeway, 1s after", tokExp, base.Add(time.Second), -1, ErrExpired},
		{"exp, leeway, at exp", tokExp, base, leeway, nil},
		{"exp, leeway, 1s before exp+leeway", tokExp, base.Add(leeway - time.Second), leeway, nil},
		{"exp, leeway, at exp+leeway", tokExp, base.Add(leeway), leeway, ErrExpired},
		{"exp, leeway, at exp+leeway+1s", tokExp, base.Add(leeway + time.Second), leeway, ErrExpired},
		{"exp, default leeway is 30s, 1s before", tokExp, base.Add(DefaultLeeway - time.Second), 0, nil},
		{"exp, default leeway is 30s, at the end", tokExp, base.Add(DefaultLeeway), 0, ErrExpired},

		{"nbf, no leeway, at nbf", tokNbf, base, -1, nil},
		{"nbf, no leeway, 1s before", tokNbf, base.Add(-time.Second), -1, ErrNotYetValid},
		{"nbf, no leeway, 1ns before", tokNbf, base.Add(-time.Nanosecond), -1, ErrNotYetValid},
		{"nbf, leeway, at nbf-leeway", tokNbf, base.Add(-leeway), leeway, nil},
		{"nbf, leeway, at nbf-leeway-1s", tokNbf, base.Add(-leeway - time.Second), leeway, ErrNotYetValid},

		{"iat, no leeway, at iat", tokIat, base, -1, nil},
		{"iat, no leeway, 1s before", tokIat, base.Add(-time.Second), -1, ErrNotYetValid},
		{"iat, leeway, at iat-leeway", tokIat, base.Add(-leeway), leeway, nil},
		{"iat, leeway, at iat-leeway-1s", tokIat, base.Add(-leeway - time.Second), leeway, ErrNotYetValid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, cacheSize := range []int{0, 16} {
				v := f.verifier(t, func(o *Options) {
					o.Leeway = tc.leeway
					o.Clock = func() time.Time { return tc.now }
					o.TokenCacheSize = cacheSize
				})
				// Twice: the second call is a token-cache hit when enabled.
				for range 2 {
					c, err := v.Verify(context.Background(), tc.token)
					if tc.want == nil {
						require.NoError(t, err, "cache %d", cacheSize)
						require.NotNil(t, c)
						continue
					}
					require.ErrorIs(t, err, tc.want, "cache %d", cacheSize)
					assert.Nil(t, c)
				}
			}
		})
	}
}

// TestMutation_TokenCacheHonoursExp: a verified-token-cache hit stops at
// exp, even though the clock moved past it after the token was cached.
func TestMutation_TokenCacheHonoursExp(t *testing.T) {
	f := newTokenFixture(t)
	base := time.Unix(1_800_000_000, 0)
	clk := newFakeClock(base.Add(-time.Minute))
	tok := f.k1.mint(with(accessClaims(base.Add(-time.Hour)), "exp", base.Unix(), "iat", base.Add(-time.Hour).Unix()))
	v := f.verifier(t, func(o *Options) {
		o.Leeway = -1
		o.Clock = clk.Now
		o.TokenCacheSize = 16
	})
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	clk.Add(time.Minute - time.Second) // exp-1s: a cache hit, still valid
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	clk.Add(time.Second) // exactly exp
	_, err = v.Verify(context.Background(), tok)
	require.ErrorIs(t, err, ErrExpired)
}
