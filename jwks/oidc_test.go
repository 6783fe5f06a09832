package jwks

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const oidcClient = "1234567890-web.apps.example.com"

func newOIDC(t testing.TB, issuer string, optFns ...func(*OIDCOptions)) *OIDCVerifier {
	t.Helper()
	fns := append([]func(*OIDCOptions){func(o *OIDCOptions) { o.ClientIDs = []string{oidcClient} }}, optFns...)
	v, err := NewOIDCVerifier(issuer, fns...)
	require.NoError(t, err)
	return v
}

func TestOIDCVerifyWithDiscovery(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	v := newOIDC(t, is.URL)
	ctx := context.Background()

	c, err := v.Verify(ctx, is.mint("RS256", is.claims(now, oidcClient)))
	require.NoError(t, err)
	assert.Equal(t, is.URL, c.Issuer)
	assert.Equal(t, "110169484474386276334", c.Subject)
	assert.Equal(t, []string{oidcClient}, c.Audience)
	assert.Equal(t, oidcClient, c.AuthorizedParty)
	assert.Equal(t, "alice@example.com", c.Email)
	assert.True(t, c.EmailVerified)
	assert.Equal(t, "Alice Liddell", c.Name)
	assert.Equal(t, "n-0S6_WzA2Mj", c.Nonce)
	assert.Equal(t, "6f1c0d2e", c.JWTID)
	assert.Equal(t, "rsa1", c.KeyID)
	assert.Equal(t, "RS256", c.Algorithm)
	assert.Equal(t, now.Add(time.Hour).Unix(), c.Expiry.Unix())
	assert.Equal(t, now.Add(-time.Minute).Unix(), c.IssuedAt.Unix())
	assert.Equal(t, now.Add(-2*time.Minute).Unix(), c.AuthTime.Unix())
	pic, ok := c.StringClaim("picture")
	assert.True(t, ok)
	assert.Equal(t, "https://example.com/alice.png", pic)
	var all struct {
		Picture string `json:"picture"`
		Exp     int64  `json:"exp"`
	}
	require.NoError(t, c.Claims(&all))
	assert.Equal(t, "https://example.com/alice.png", all.Picture)
	_, ok = c.StringClaim("hd")
	assert.False(t, ok)
	assert.Nil(t, c.AuthMethods())

	// Discovery and keys were fetched once, and are not fetched again.
	_, err = v.Verify(ctx, is.mint("RS256", is.claims(now, oidcClient)))
	require.NoError(t, err)
	assert.EqualValues(t, 1, is.discoveryHits.Load())
	assert.EqualValues(t, 1, is.jwksHits.Load())
	assert.Equal(t, []string{"ec256", "ec384", "rsa1"}, v.KeySet().KeyIDs())
	assert.Equal(t, is.URL, v.Issuer())
}

// TestOIDCCheapChecksBeforeDiscovery: a forged token costs no network
// traffic, not even discovery.
func TestOIDCCheapChecksBeforeDiscovery(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	v := newOIDC(t, is.URL)
	for _, tok := range []string{
		is.mint("RS256", with(is.claims(now, oidcClient), "iss", "https://evil.example.com")),
		is.mint("RS256", with(is.claims(now, oidcClient), "aud", "other-client")),
		is.mint("RS256", with(is.claims(now, oidcClient), "exp", now.Add(-time.Hour).Unix())),
		rawToken(`{"alg":"HS256","kid":"rsa1"}`, string(mustJSON(is.claims(now, oidcClient))), "AAAA"),
	} {
		_, err := v.Verify(context.Background(), tok)
		require.Error(t, err)
	}
	assert.Zero(t, is.discoveryHits.Load())
	assert.Zero(t, is.jwksHits.Load())
}

func TestOIDCAlgorithms(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	all := func(o *OIDCOptions) {
		o.Algorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
	}
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			tok := is.mint(alg, is.claims(now, oidcClient))
			c, err := newOIDC(t, is.URL, all).Verify(context.Background(), tok)
			require.NoError(t, err)
			assert.Equal(t, alg, c.Algorithm)
			// Not on the default allow-list (RS256 only).
			if alg != "RS256" {
				_, err = newOIDC(t, is.URL).Verify(context.Background(), tok)
				require.ErrorIs(t, err, ErrUnsupportedAlg)
			}
			// The payload tampered: the signature no longer verifies.
			h, p, s := split3(tok)
			p = b64e([]byte(strings.Replace(string(mustB64(p)), "Alice", "Mallory", 1)))
			_, err = newOIDC(t, is.URL, all).Verify(context.Background(), h+"."+p+"."+s)
			require.ErrorIs(t, err, ErrSignature)
		})
	}
	t.Run("ES256 signature of the wrong length", func(t *testing.T) {
		h, p, s := split3(is.mint("ES256", is.claims(now, oidcClient)))
		_, err := newOIDC(t, is.URL, all).Verify(context.Background(), h+"."+p+"."+b64e(append(mustB64(s), 0)))
		require.ErrorIs(t, err, ErrSignature)
	})
	t.Run("ES256 header naming the P-384 key", func(t *testing.T) {
		tok := is.mint("ES256", is.claims(now, oidcClient), "kid", "ec384")
		_, err := newOIDC(t, is.URL, all).Verify(context.Background(), tok)
		require.ErrorIs(t, err, ErrInvalidKey)
	})
	t.Run("ES256 header naming the RSA key", func(t *testing.T) {
		tok := is.mint("ES256", is.claims(now, oidcClient), "kid", "rsa1")
		_, err := newOIDC(t, is.URL, all).Verify(context.Background(), tok)
		require.ErrorIs(t, err, ErrInvalidKey)
	})
	t.Run("RS256 header naming the EC key", func(t *testing.T) {
		tok := is.mint("RS256", is.claims(now, oidcClient), "kid", "ec256")
		_, err := newOIDC(t, is.URL, all).Verify(context.Background(), tok)
		require.ErrorIs(t, err, ErrInvalidKey)
	})
}

func split3(tok string) (string, string, string) {
	p := strings.Split(tok, ".")
	return p[0], p[1], p[2]
}

func mustB64(s string) []byte {
	b, err := b64.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestOIDCForgeries is the forgery corpus: every token here is refused
// with the named sentinel.
func TestOIDCForgeries(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	good := is.claims(now, oidcClient)
	pubDER, err := x509.MarshalPKIXPublicKey(&is.rsa.priv.PublicKey)
	require.NoError(t, err)
	hs256 := func(key []byte) string {
		in := b64e([]byte(`{"alg":"HS256","kid":"rsa1","typ":"JWT"}`)) + "." + b64e(mustJSON(good))
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return in + "." + b64e(m.Sum(nil))
	}
	h, p, s := split3(is.mint("RS256", good))
	attacker := newKey(2, "rsa1")

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", b64e([]byte(`{"alg":"none","kid":"rsa1"}`)) + "." + p + ".", ErrUnsupportedAlg},
		{"alg none with a signature", b64e([]byte(`{"alg":"none","kid":"rsa1"}`)) + "." + p + "." + s, ErrUnsupportedAlg},
		{"alg confusion: HS256 keyed with the public key (DER)", hs256(pubDER), ErrUnsupportedAlg},
		{"alg confusion: HS256 keyed with the JWK's n", hs256(is.rsa.priv.N.Bytes()), ErrUnsupportedAlg},
		{"kid missing", is.mint("RS256", good, "kid", nil), ErrMissingKeyID},
		{"wrong iss", is.mint("RS256", with(good, "iss", "https://accounts.evil.example")), ErrIssuer},
		{"iss with a trailing slash", is.mint("RS256", with(good, "iss", is.URL+"/")), ErrIssuer},
		{"no iss", is.mint("RS256", with(good, "iss", nil)), ErrIssuer},
		{"scheme-less iss for a non-Google issuer", is.mint("RS256", with(good, "iss", strings.TrimPrefix(is.URL, "http://"))), ErrIssuer},
		{"wrong aud", is.mint("RS256", with(good, "aud", "attacker-client")), ErrClientID},
		{"no aud", is.mint("RS256", with(good, "aud", nil)), ErrMissingClaim},
		{"empty aud array", is.mint("RS256", with(good, "aud", []string{})), ErrMissingClaim},
		{"several audiences, no azp", is.mint("RS256", with(good, "aud", []string{oidcClient, "other"}, "azp", nil)), ErrClientID},
		{"several audiences, foreign azp", is.mint("RS256", with(good, "aud", []string{oidcClient, "other"}, "azp", "other")), ErrClientID},
		{"expired", is.mint("RS256", with(good, "exp", now.Add(-time.Hour).Unix())), ErrExpired},
		{"expired beyond the leeway", is.mint("RS256", with(good, "exp", now.Add(-31*time.Second).Unix())), ErrExpired},
		{"no exp", is.mint("RS256", with(good, "exp", nil)), ErrMissingClaim},
		{"exp a string", is.mint("RS256", with(good, "exp", "9999999999")), ErrMalformed},
		{"nbf in the future", is.mint("RS256", with(good, "nbf", now.Add(time.Hour).Unix())), ErrNotYetValid},
		{"iat in the future", is.mint("RS256", with(good, "iat", now.Add(time.Hour).Unix())), ErrNotYetValid},
		{"no sub", is.mint("RS256", with(good, "sub", nil)), ErrMissingClaim},
		{"duplicate aud", b64e([]byte(`{"alg":"RS256","kid":"rsa1"}`)) + "." + b64e([]byte(`{"aud":"x","aud":"`+oidcClient+`"}`)) + "." + s, ErrMalformed},
		{"padded base64", h + "." + p + "=." + s, ErrMalformed},
		{"standard base64 alphabet", h + "." + strings.NewReplacer("-", "+", "_", "/").Replace(p) + "x." + s, ErrMalformed},
		{"newline inside a segment", h + "." + p[:10] + "\n" + p[10:] + "." + s, ErrMalformed},
		{"JWE (five segments)", h + "." + p + "." + s + ".a.b", ErrMalformed},
		{"two segments", h + "." + p, ErrMalformed},
		{"huge token", h + "." + strings.Repeat("A", 20000) + "." + s, ErrMalformed},
		{"crit header", is.mint("RS256", good, "crit", []string{"exp"}), ErrMalformed},
		{"signature from another key, same kid", attacker.signParts(mustB64(h), mustB64(p)), ErrSignature},
		{"jku names the attacker's keys", attacker.signParts(mustJSON(map[string]any{"alg": "RS256", "kid": "rsa1", "jku": "https://evil.example/keys"}), mustB64(p)), ErrSignature},
		{"x5u names the attacker's certificate", attacker.signParts(mustJSON(map[string]any{"alg": "RS256", "kid": "rsa1", "x5u": "https://evil.example/cert"}), mustB64(p)), ErrSignature},
		{"embedded jwk of the attacker", attacker.signParts(mustJSON(map[string]any{"alg": "RS256", "kid": "rsa1", "jwk": attacker.jwk(nil)}), mustB64(p)), ErrSignature},
		{"signature truncated", h + "." + p + "." + b64e(mustB64(s)[:255]), ErrSignature},
		// 342 characters end in 4 unused bits, which a canonical encoding
		// leaves zero: 'B' sets one of them, whatever the signature.
		{"signature not canonical base64url", h + "." + p + "." + s[:len(s)-1] + "B", ErrMalformed},
		{"signature empty", h + "." + p + ".", ErrSignature},
	}
	v := newOIDC(t, is.URL)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.token)
			require.ErrorIs(t, err, tc.want)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.NotContains(t, err.Error(), tc.token)
		})
	}
	// Beside the refusals, the positive cases they are variations of.
	for name, claims := range map[string]map[string]any{
		"good":                                 good,
		"several audiences with ours in azp":   with(good, "aud", []string{"other", oidcClient}),
		"one audience, azp another (Android)":  with(good, "azp", "1234567890-android.apps.example.com"),
		"expired within the leeway":            with(good, "exp", now.Add(-10*time.Second).Unix()),
		"email_verified as a string, as Apple": with(good, "email_verified", "true"),
	} {
		t.Run("accepted: "+name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), is.mint("RS256", claims))
			require.NoError(t, err)
		})
	}
}

// TestOIDCUnknownKidOneRefetch: an unknown kid costs one shared refetch,
// then nothing for the cooldown.
func TestOIDCUnknownKidOneRefetch(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	clock := newFakeClock(now)
	v := newOIDC(t, is.URL, func(o *OIDCOptions) { o.Clock = clock.Now })
	require.NoError(t, v.Hydrate(context.Background()))
	require.EqualValues(t, 1, is.jwksHits.Load())
	clock.Add(DefaultRefetchCooldown)
	for range 5 {
		_, err := v.Verify(context.Background(), is.mint("RS256", is.claims(now, oidcClient), "kid", "rotated-away"))
		require.ErrorIs(t, err, ErrUnknownKey)
	}
	assert.EqualValues(t, 2, is.jwksHits.Load())
	assert.EqualValues(t, 1, is.discoveryHits.Load())
}

func TestOIDCDiscoveryFailures(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name string
		set  func(is *oidcIssuer)
		want string
	}{
		{"issuer differs", func(is *oidcIssuer) { is.discoveryIssuer = "https://accounts.evil.example" }, "is not the configured"},
		{"server error", func(is *oidcIssuer) { is.status = http.StatusInternalServerError }, "HTTP status 500"},
		{"jwks_uri not a URL", func(is *oidcIssuer) { is.jwksURI = "/keys" }, "not an absolute http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is := newOIDCIssuer(t)
			is.set(tc.set)
			clock := newFakeClock(now)
			v := newOIDC(t, is.URL, func(o *OIDCOptions) { o.Clock = clock.Now })
			tok := is.mint("RS256", is.claims(now, oidcClient))
			_, err := v.Verify(context.Background(), tok)
			require.ErrorIs(t, err, ErrJWKSUnavailable)
			assert.Contains(t, err.Error(), tc.want)
			assert.Zero(t, is.jwksHits.Load())
			// Inside the cooldown, no new attempt.
			_, err = v.Verify(context.Background(), tok)
			require.ErrorIs(t, err, ErrJWKSUnavailable)
			assert.EqualValues(t, 1, is.discoveryHits.Load())
			// Repaired, it works after the cooldown.
			is.set(func(is *oidcIssuer) { is.discoveryIssuer, is.status, is.jwksURI = "", http.StatusOK, "" })
			clock.Add(DefaultRefetchCooldown)
			_, err = v.Verify(context.Background(), tok)
			require.NoError(t, err)
		})
	}
}

func TestOIDCJWKSURLHTTPSRequired(t *testing.T) {
	require.NoError(t, checkFetchURL("https://example.com/keys", "https"))
	require.NoError(t, checkFetchURL("http://127.0.0.1/keys", "http"))
	require.Error(t, checkFetchURL("http://example.com/keys", "https"))
	require.Error(t, checkFetchURL("file:///etc/passwd", "http"))
	_, err := NewOIDCVerifier("https://issuer.example", func(o *OIDCOptions) {
		o.ClientIDs = []string{"c"}
		o.JWKSURL = "http://issuer.example/keys"
	})
	require.Error(t, err)
}

func TestNewOIDCVerifierErrors(t *testing.T) {
	tests := []struct {
		name   string
		issuer string
		opt    func(*OIDCOptions)
	}{
		{"no client IDs", "https://issuer.example", func(o *OIDCOptions) {}},
		{"empty client ID", "https://issuer.example", func(o *OIDCOptions) { o.ClientIDs = []string{""} }},
		{"not a URL", "accounts.google.com", func(o *OIDCOptions) { o.ClientIDs = []string{"c"} }},
		{"query", "https://issuer.example/?a=b", func(o *OIDCOptions) { o.ClientIDs = []string{"c"} }},
		{"alg none", "https://issuer.example", func(o *OIDCOptions) { o.ClientIDs, o.Algorithms = []string{"c"}, []string{"none"} }},
		{"alg HS256", "https://issuer.example", func(o *OIDCOptions) { o.ClientIDs, o.Algorithms = []string{"c"}, []string{"HS256"} }},
		{"bad static JWKS", "https://issuer.example", func(o *OIDCOptions) { o.ClientIDs, o.JWKS = []string{"c"}, []byte(`{}`) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewOIDCVerifier(tc.issuer, tc.opt)
			require.Error(t, err)
		})
	}
	_, err := NewOIDCVerifier("https://issuer.example", func(o *OIDCOptions) { o.InsecureSkipClientIDCheck = true })
	require.NoError(t, err)
}

func TestOIDCInsecureSkipClientIDCheck(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	v, err := NewOIDCVerifier(is.URL, func(o *OIDCOptions) { o.InsecureSkipClientIDCheck = true })
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), is.mint("RS256", with(is.claims(now, "any-client"), "aud", []string{"a", "b"}, "azp", nil)))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), is.mint("RS256", with(is.claims(now, "any-client"), "aud", nil)))
	require.ErrorIs(t, err, ErrMissingClaim)
}

// TestOIDCGoogleIssuerWithoutScheme: Google's "accounts.google.com" is
// accepted for GoogleIssuer only.
func TestOIDCGoogleIssuerWithoutScheme(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	static := func(o *OIDCOptions) { o.JWKS = is.jwks() }
	g := newOIDC(t, GoogleIssuer, static)
	for _, iss := range []string{"https://accounts.google.com", "accounts.google.com"} {
		c, err := g.Verify(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "iss", iss)))
		require.NoError(t, err, iss)
		assert.Equal(t, iss, c.Issuer)
	}
	for _, iss := range []string{"http://accounts.google.com", "accounts.google.com/", "https://accounts.google.com/"} {
		_, err := g.Verify(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "iss", iss)))
		require.ErrorIs(t, err, ErrIssuer, iss)
	}
	a := newOIDC(t, AppleIssuer, static)
	_, err := a.Verify(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "iss", "appleid.apple.com")))
	require.ErrorIs(t, err, ErrIssuer)
	_, err = a.Verify(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "iss", AppleIssuer, "email_verified", "true")))
	require.NoError(t, err)
}

func TestOIDCVerifyNonce(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	for _, cached := range []bool{false, true} {
		v := newOIDC(t, is.URL, func(o *OIDCOptions) {
			if cached {
				o.TokenCacheSize = 16
			}
		})
		tok := is.mint("RS256", is.claims(now, oidcClient))
		for range 2 { // the second round hits the token cache when enabled
			c, err := v.VerifyNonce(context.Background(), tok, "n-0S6_WzA2Mj")
			require.NoError(t, err)
			assert.Equal(t, "n-0S6_WzA2Mj", c.Nonce)
			_, err = v.VerifyNonce(context.Background(), tok, "n-0S6_WzA2Mk")
			require.ErrorIs(t, err, ErrNonce)
			_, err = v.VerifyNonce(context.Background(), tok, "")
			require.ErrorIs(t, err, ErrNonce)
			_, err = v.Verify(context.Background(), tok)
			require.NoError(t, err)
		}
		_, err := v.VerifyNonce(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "nonce", nil)), "n-0S6_WzA2Mj")
		require.ErrorIs(t, err, ErrNonce)
	}
}

func TestOIDCTokenCacheAndCustomCheck(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	denied := errors.New("user is banned")
	var calls int
	v := newOIDC(t, is.URL, func(o *OIDCOptions) {
		o.TokenCacheSize = 16
		o.CustomCheck = func(ctx context.Context, c *OIDCClaims) error {
			calls++
			if c.Subject == "banned" {
				return denied
			}
			return nil
		}
	})
	tok := is.mint("RS256", is.claims(now, oidcClient))
	c1, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	c1.Audience[0] = "mutated"
	c2, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Equal(t, []string{oidcClient}, c2.Audience, "a cache hit returns a fresh copy")
	assert.Equal(t, 2, calls)
	assert.EqualValues(t, 1, is.jwksHits.Load())

	_, err = v.Verify(context.Background(), is.mint("RS256", with(is.claims(now, oidcClient), "sub", "banned")))
	require.ErrorIs(t, err, ErrCustomCheck)
	require.ErrorIs(t, err, denied)
}

func TestOIDCDebugIncludeTokenInErrors(t *testing.T) {
	is := newOIDCIssuer(t)
	tok := is.mint("RS256", with(is.claims(time.Now(), oidcClient), "aud", "x"))
	_, err := newOIDC(t, is.URL).Verify(context.Background(), tok)
	assert.NotContains(t, err.Error(), tok)
	_, err = newOIDC(t, is.URL, func(o *OIDCOptions) { o.DebugIncludeTokenInErrors = true }).Verify(context.Background(), tok)
	assert.Contains(t, err.Error(), tok)
}

// TestCognitoIdentityVerifier checks tokens shaped as GetOpenIdToken's:
// RS512, typ JWS, aud the identity pool, amr.
func TestCognitoIdentityVerifier(t *testing.T) {
	is := newOIDCIssuer(t)
	now := time.Now()
	const pool = "us-east-1:11111111-2222-3333-4444-555555555555"
	claims := map[string]any{
		"iss": CognitoIdentityIssuer, "sub": "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "aud": pool,
		"amr": []string{"authenticated", "accounts.google.com", "accounts.google.com:110169484474386276334"},
		"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(),
	}
	v, err := NewCognitoIdentityVerifier([]string{pool}, func(o *OIDCOptions) { o.JWKS = is.jwks() })
	require.NoError(t, err)
	c, err := v.Verify(context.Background(), is.mint("RS512", claims, "typ", "JWS"))
	require.NoError(t, err)
	assert.Equal(t, []string{"authenticated", "accounts.google.com", "accounts.google.com:110169484474386276334"}, c.AuthMethods())
	assert.Equal(t, "RS512", c.Algorithm)

	_, err = v.Verify(context.Background(), is.mint("RS256", claims))
	require.ErrorIs(t, err, ErrUnsupportedAlg)
	_, err = v.Verify(context.Background(), is.mint("RS512", with(claims, "aud", "us-east-1:99999999-2222-3333-4444-555555555555")))
	require.ErrorIs(t, err, ErrClientID)
	_, err = NewCognitoIdentityVerifier(nil)
	require.Error(t, err)
}

func TestOIDCMiddleware(t *testing.T) {
	is := newOIDCIssuer(t)
	v := newOIDC(t, is.URL)
	h := v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := OIDCClaimsFromContext(r.Context())
		require.True(t, ok)
		_, _ = w.Write([]byte(c.Email))
	}))
	for name, tc := range map[string]struct {
		token  string
		status int
	}{
		"valid":     {is.mint("RS256", is.claims(time.Now(), oidcClient)), http.StatusOK},
		"wrong aud": {is.mint("RS256", is.claims(time.Now(), "other")), http.StatusUnauthorized},
		"none":      {"", http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			if tc.status == http.StatusOK {
				assert.Equal(t, "alice@example.com", rec.Body.String())
			}
		})
	}
	_, ok := OIDCClaimsFromContext(context.Background())
	assert.False(t, ok)
}

// TestSignatureBufferStaysOnStack is the regression test for a finding
// of this change: once the signature check moved into jws.verifySignature,
// escape analysis saw the stack signature buffer leak (through the PSS
// and ECDSA calls, and through the jws struct), and every verification
// paid two more allocations (1 KiB). Both verifiers must stay within the
// three allocations beyond the bare RSA verification of the same token
// (the decoded header, payload and claims).
func TestSignatureBufferStaysOnStack(t *testing.T) {
	ctx := context.Background()
	k := newKey(0, "k1")
	tok := k.mint(accessClaims(time.Now()))
	sig := mustB64(tok[strings.LastIndexByte(tok, '.')+1:])
	signed := tok[:strings.LastIndexByte(tok, '.')]
	floor := testing.AllocsPerRun(50, func() {
		d := sha256.Sum256([]byte(signed))
		require.NoError(t, rsa.VerifyPKCS1v15(&k.priv.PublicKey, crypto.SHA256, d[:], sig))
	})
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKS: jwksJSON(k.jwk(nil))}}, func(o *Options) { o.ClientIDs = []string{testClient} })
	require.NoError(t, err)
	cognito := testing.AllocsPerRun(50, func() {
		_, err := v.Verify(ctx, tok)
		require.NoError(t, err)
	})
	assert.LessOrEqual(t, cognito, floor+3, "Verifier.Verify")

	ov, err := NewOIDCVerifier(testIss, func(o *OIDCOptions) {
		o.ClientIDs = []string{oidcClient}
		o.JWKS = jwksJSON(k.jwk(nil))
	})
	require.NoError(t, err)
	// aud a string, no cognito:groups: one decoded slice (aud), as in Google's tokens.
	otok := k.mint(with(accessClaims(time.Now()), "aud", oidcClient, "cognito:groups", nil))
	oidc := testing.AllocsPerRun(50, func() {
		_, err := ov.Verify(ctx, otok)
		require.NoError(t, err)
	})
	assert.LessOrEqual(t, oidc, floor+3, "OIDCVerifier.Verify")
}
