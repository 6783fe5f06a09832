package jwks

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenFixture is the key material of the forged-token table.
type tokenFixture struct {
	k1, unpublished, enc, rs512 *testKey
	srv                         *jwksServer
}

func newTokenFixture(t testing.TB) *tokenFixture {
	f := &tokenFixture{
		k1:          newKey(0, "k1"),
		unpublished: newKey(1, "k2"),
		enc:         newKey(1, "enc1"),
		rs512:       newKey(2, "rs512"),
	}
	f.srv = newJWKSServer(t, jwksJSON(
		f.k1.jwk(nil),
		f.enc.jwk(map[string]any{"use": "enc"}),
		f.rs512.jwk(map[string]any{"alg": "RS512"}),
	))
	return f
}

func (f *tokenFixture) verifier(t testing.TB, optFns ...func(*Options)) *Verifier {
	fns := append([]func(*Options){func(o *Options) {
		o.ClientIDs = []string{testClient}
		o.HTTPClient = f.srv.Client()
	}}, optFns...)
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKSURL: f.srv.url()}}, fns...)
	require.NoError(t, err)
	return v
}

func rawToken(header, payload string, sig string) string {
	return b64e([]byte(header)) + "." + b64e([]byte(payload)) + "." + sig
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func signAlg(k *testKey, header, payload []byte, h crypto.Hash) string {
	in := b64e(header) + "." + b64e(payload)
	var d []byte
	switch h {
	case crypto.SHA384:
		s := sha512.Sum384([]byte(in))
		d = s[:]
	case crypto.SHA512:
		s := sha512.Sum512([]byte(in))
		d = s[:]
	default:
		s := sha256.Sum256([]byte(in))
		d = s[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, h, d)
	if err != nil {
		panic(err)
	}
	return in + "." + b64e(sig)
}

func TestVerifyForgedAndMalformedTokens(t *testing.T) {
	f := newTokenFixture(t)
	now := time.Now()
	ac := accessClaims(now)
	ic := idClaims(now)
	valid := f.k1.mint(ac)
	parts := strings.Split(valid, ".")
	other := f.k1.mint(with(ac, "username", "mallory"))
	hdr := func(m map[string]any) []byte { return mustJSON(m) }

	// HS256 keyed with the public key (the classic RS/HS confusion).
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&f.k1.priv.PublicKey))})
	hsIn := b64e(hdr(map[string]any{"alg": "HS256", "kid": "k1"})) + "." + b64e(mustJSON(ac))
	mac := hmac.New(sha256.New, pubPEM)
	mac.Write([]byte(hsIn))
	hs256 := hsIn + "." + b64e(mac.Sum(nil))

	// An attacker key embedded in the header (jwk/jku) must be ignored.
	attacker := newKey(2, "k1")
	jwkHdr := hdr(map[string]any{"alg": "RS256", "kid": "k1", "jwk": attacker.jwk(nil), "jku": "https://evil.example/jwks.json"})

	idVerifier := func(o *Options) { o.TokenUse = TokenUseID }
	longKID := strings.Repeat("k", 300)

	cases := []struct {
		name  string
		token string
		opts  func(*Options)
		want  error // nil: must verify
	}{
		{"valid access token", valid, nil, nil},
		{"valid ID token", f.k1.mint(ic), idVerifier, nil},
		{"valid ID token, any use", f.k1.mint(ic), func(o *Options) { o.TokenUse = TokenUseAny }, nil},
		{"alg none, empty signature", rawToken(`{"alg":"none","kid":"k1"}`, string(mustJSON(ac)), ""), nil, ErrUnsupportedAlg},
		{"alg None with original signature", rawToken(`{"alg":"None","kid":"k1"}`, string(mustJSON(ac)), parts[2]), nil, ErrUnsupportedAlg},
		{"HS256 keyed with the public key", hs256, nil, ErrUnsupportedAlg},
		{"RS384 not on the allow-list", signAlg(f.k1, hdr(map[string]any{"alg": "RS384", "kid": "k1"}), mustJSON(ac), crypto.SHA384), nil, ErrUnsupportedAlg},
		{"ES256 header", rawToken(`{"alg":"ES256","kid":"k1"}`, string(mustJSON(ac)), parts[2]), nil, ErrUnsupportedAlg},
		{"PS256 header", rawToken(`{"alg":"PS256","kid":"k1"}`, string(mustJSON(ac)), parts[2]), nil, ErrUnsupportedAlg},
		{"no alg", f.k1.signParts([]byte(`{"kid":"k1"}`), mustJSON(ac)), nil, ErrUnsupportedAlg},
		{"no kid", f.k1.signParts([]byte(`{"alg":"RS256"}`), mustJSON(ac)), nil, ErrMissingKeyID},
		{"empty kid", f.k1.signParts([]byte(`{"alg":"RS256","kid":""}`), mustJSON(ac)), nil, ErrMissingKeyID},
		{"kid path injection", f.k1.signParts(hdr(map[string]any{"alg": "RS256", "kid": "../../../../dev/null"}), mustJSON(ac)), nil, ErrUnknownKey},
		{"kid SQL injection", f.k1.signParts(hdr(map[string]any{"alg": "RS256", "kid": "k1' OR '1'='1"}), mustJSON(ac)), nil, ErrUnknownKey},
		{"kid too long", f.k1.signParts(hdr(map[string]any{"alg": "RS256", "kid": longKID}), mustJSON(ac)), nil, ErrMalformed},
		{"unknown kid", f.unpublished.mint(ac), nil, ErrUnknownKey},
		{"right kid, wrong key", (&testKey{priv: f.unpublished.priv, kid: "k1"}).mint(ac), nil, ErrSignature},
		{"embedded jwk/jku header ignored", attacker.signParts(jwkHdr, mustJSON(ac)), nil, ErrSignature},
		{"tampered payload", parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2], nil, ErrSignature},
		{"tampered header", b64e(hdr(map[string]any{"alg": "RS256", "kid": "k1", "typ": "JWT"})) + "." + parts[1] + "." + parts[2], nil, ErrSignature},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(other, ".")[2], nil, ErrSignature},
		{"truncated signature", valid[:len(valid)-10], nil, ErrSignature},
		{"empty signature", parts[0] + "." + parts[1] + ".", nil, ErrSignature},
		{"expired", f.k1.mint(with(ac, "exp", now.Add(-time.Hour).Unix())), nil, ErrExpired},
		{"expired within leeway", f.k1.mint(with(ac, "exp", now.Add(-10*time.Second).Unix())), nil, nil},
		{"expired, no leeway", f.k1.mint(with(ac, "exp", now.Add(-10*time.Second).Unix())), func(o *Options) { o.Leeway = -1 }, ErrExpired},
		{"nbf in the future", f.k1.mint(with(ac, "nbf", now.Add(10*time.Minute).Unix())), nil, ErrNotYetValid},
		{"iat in the future", f.k1.mint(with(ac, "iat", now.Add(10*time.Minute).Unix())), nil, ErrNotYetValid},
		{"nbf overflowing time", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1"}`), []byte(strings.Replace(string(mustJSON(ac)), `"sub"`, `"nbf":9223372036854775807,"sub"`, 1))), nil, ErrMalformed},
		{"exp as a float", f.k1.mint(with(ac, "exp", float64(now.Add(time.Hour).Unix())+0.5)), nil, nil},
		{"missing exp", f.k1.mint(with(ac, "exp", nil)), nil, ErrMissingClaim},
		{"exp as a string", f.k1.mint(with(ac, "exp", fmt.Sprint(now.Add(time.Hour).Unix()))), nil, ErrMalformed},
		{"missing sub", f.k1.mint(with(ac, "sub", nil)), nil, ErrMissingClaim},
		{"wrong iss (other pool)", f.k1.mint(with(ac, "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool")), nil, ErrIssuer},
		{"lookalike iss, trailing slash", f.k1.mint(with(ac, "iss", testIss+"/")), nil, ErrIssuer},
		{"lookalike iss, http", f.k1.mint(with(ac, "iss", strings.Replace(testIss, "https", "http", 1))), nil, ErrIssuer},
		{"lookalike iss, case", f.k1.mint(with(ac, "iss", strings.ToLower(testIss))), nil, ErrIssuer},
		{"lookalike iss, other host", f.k1.mint(with(ac, "iss", "https://cognito-idp.us-east-1.amazonaws.com.evil.example/"+testPool)), nil, ErrIssuer},
		{"missing iss", f.k1.mint(with(ac, "iss", nil)), nil, ErrIssuer},
		{"alternate issuer form accepted", f.k1.mint(with(ac, "iss", "https://issuer-cognito-idp.us-east-1.amazonaws.com/"+testPool)), nil, nil},
		{"ID token to an access verifier", f.k1.mint(ic), nil, ErrTokenUse},
		{"access token to an ID verifier", valid, idVerifier, ErrTokenUse},
		{"token_use refresh", f.k1.mint(with(ac, "token_use", "refresh")), nil, ErrTokenUse},
		{"missing token_use", f.k1.mint(with(ac, "token_use", nil)), nil, ErrMissingClaim},
		{"wrong client_id", f.k1.mint(with(ac, "client_id", "otherclient")), nil, ErrClientID},
		{"missing client_id", f.k1.mint(with(ac, "client_id", nil)), nil, ErrMissingClaim},
		{"ID token with client_id instead of aud", f.k1.mint(with(ic, "aud", nil, "client_id", testClient)), idVerifier, ErrMissingClaim},
		{"ID token with wrong aud", f.k1.mint(with(ic, "aud", "otherclient")), idVerifier, ErrClientID},
		{"key with use enc", f.enc.mint(ac), nil, ErrInvalidKey},
		{"key for RS512, token RS256", f.rs512.mint(ac), nil, ErrInvalidKey},
		{"two segments", parts[0] + "." + parts[1], nil, ErrMalformed},
		{"one segment", parts[0], nil, ErrMalformed},
		{"four segments", valid + "." + parts[2], nil, ErrMalformed},
		{"five segments (JWE shape)", parts[0] + ".." + parts[1] + "." + parts[2] + "." + parts[2], nil, ErrMalformed},
		{"empty token", "", nil, ErrMalformed},
		{"empty payload", parts[0] + ".." + parts[2], nil, ErrMalformed},
		{"bad base64 in payload", parts[0] + "." + parts[1][:10] + "+/" + parts[1][12:] + "." + parts[2], nil, ErrMalformed},
		{"padded base64 header", b64e([]byte(`{"alg":"RS256","kid":"k1"}`)) + "==." + parts[1] + "." + parts[2], nil, ErrMalformed},
		{"non-canonical base64 signature", parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + noncanonical(parts[2]), nil, ErrMalformed},
		{"huge header", rawToken(`{"alg":"RS256","kid":"k1","x":"`+strings.Repeat("A", 5000)+`"}`, string(mustJSON(ac)), parts[2]), nil, ErrMalformed},
		{"token over the size limit", rawToken(`{"alg":"RS256","kid":"k1"}`, string(mustJSON(with(ac, "pad", strings.Repeat("x", 20000)))), parts[2]), nil, ErrMalformed},
		{"header not JSON", rawToken(`alg=RS256`, string(mustJSON(ac)), parts[2]), nil, ErrMalformed},
		{"header JSON with trailing data", rawToken(`{"alg":"RS256","kid":"k1"}x`, string(mustJSON(ac)), parts[2]), nil, ErrMalformed},
		{"payload JSON array", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1"}`), []byte(`["iss"]`)), nil, ErrMalformed},
		{"duplicate iss", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1"}`), []byte(`{"iss":"`+testIss+`","iss":"https://evil"}`)), nil, ErrMalformed},
		{"escaped duplicate iss", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1"}`), []byte(`{"iss":"`+testIss+`","\u0069ss":"https://evil"}`)), nil, ErrMalformed},
		{"duplicate alg in header", rawToken(`{"alg":"RS256","kid":"k1","alg":"none"}`, string(mustJSON(ac)), parts[2]), nil, ErrMalformed},
		{"crit header", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}`), mustJSON(ac)), nil, ErrMalformed},
		{"invalid UTF-8 in claim", f.k1.signParts([]byte(`{"alg":"RS256","kid":"k1"}`), []byte("{\"sub\":\"\xff\"}")), nil, ErrMalformed},
		{"required group present", valid, func(o *Options) { o.RequiredGroups = []string{"nope", "dev"} }, nil},
		{"required group missing", valid, func(o *Options) { o.RequiredGroups = []string{"ops"} }, ErrGroups},
		{"required scopes present", valid, func(o *Options) { o.RequiredScopes = []string{"openid", "profile"} }, nil},
		{"required scope missing", valid, func(o *Options) { o.RequiredScopes = []string{"openid", "email"} }, ErrScopes},
		{"scope prefix is not the scope", valid, func(o *Options) { o.RequiredScopes = []string{"open"} }, ErrScopes},
		{"custom check refuses", valid, func(o *Options) {
			o.CustomCheck = func(context.Context, *Claims) error { return errors.New("tenant suspended") }
		}, ErrCustomCheck},
		{"custom check accepts", valid, func(o *Options) {
			o.CustomCheck = func(_ context.Context, c *Claims) error {
				if c.Username != "alice" {
					return errors.New("not alice")
				}
				return nil
			}
		}, nil},
	}
	require.GreaterOrEqual(t, len(cases), 30)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fns []func(*Options)
			if tc.opts != nil {
				fns = append(fns, tc.opts)
			}
			v := f.verifier(t, fns...)
			c, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				assert.Equal(t, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", c.Subject)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, tc.want, "got %v", err)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.want, ve.Kind)
			// The raw token (or a segment of it) never leaks into the text.
			for _, seg := range strings.Split(tc.token, ".") {
				if len(seg) > 20 {
					assert.NotContains(t, err.Error(), seg)
				}
			}
		})
	}
}

// noncanonical returns the last base64url character of s with its unused
// low bits set, which strict decoding must refuse.
func noncanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	// 256 bytes → 342 chars, the last holding 4 significant bits + 2 unused.
	return string(alphabet[last|1])
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestVerifyClaims(t *testing.T) {
	f := newTokenFixture(t)
	now := time.Now().Truncate(time.Second)
	v := f.verifier(t, func(o *Options) { o.TokenUse = TokenUseAny })

	t.Run("access token", func(t *testing.T) {
		c, err := v.Verify(context.Background(), f.k1.mint(accessClaims(now)))
		require.NoError(t, err)
		assert.Equal(t, testIss, c.Issuer)
		assert.Equal(t, "alice", c.Username)
		assert.Equal(t, TokenUseAccess, c.TokenUse)
		assert.Equal(t, testClient, c.ClientID)
		assert.Equal(t, []string{"admin", "dev"}, c.Groups)
		assert.True(t, c.HasGroup("dev"))
		assert.False(t, c.HasGroup("ops"))
		assert.True(t, c.HasScope("openid"))
		assert.False(t, c.HasScope("email"))
		assert.Equal(t, []string{"aws.cognito.signin.user.admin", "openid", "profile"}, c.Scopes())
		assert.Equal(t, now.Add(time.Hour), c.ExpiresAt)
		assert.Equal(t, now.Add(-time.Minute), c.IssuedAt)
		assert.Equal(t, now.Add(-time.Minute), c.AuthTime)
		assert.True(t, c.NotBefore.IsZero())
		assert.Equal(t, "k1", c.KeyID)
		assert.Equal(t, "abcdefab-1234-5678-9abc-def012345678", c.JWTID)
		assert.Equal(t, "11111111-2222-3333-4444-555555555555", c.OriginJTI)
		assert.Equal(t, "66666666-7777-8888-9999-000000000000", c.EventID)
		_, ok := c.Custom("tenant")
		assert.False(t, ok)
		var version int
		found, err := c.Decode("version", &version)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, 2, version)
		found, err = c.Decode("nope", &version)
		require.NoError(t, err)
		assert.False(t, found)
	})
	t.Run("ID token", func(t *testing.T) {
		claims := with(idClaims(now), "custom:escaped", "caf\u00e9 \"quoted\"", "custom:num", 5)
		c, err := v.Verify(context.Background(), f.k1.mint(claims))
		require.NoError(t, err)
		assert.Equal(t, TokenUseID, c.TokenUse)
		assert.Equal(t, "alice", c.Username)
		assert.Equal(t, "alice@example.com", c.Email)
		assert.True(t, c.EmailVerified)
		assert.Equal(t, []string{testClient}, c.Audience)
		assert.Equal(t, testClient, c.ClientID)
		tenant, ok := c.Custom("tenant")
		assert.True(t, ok)
		assert.Equal(t, "acme", tenant)
		esc, ok := c.Custom("escaped")
		assert.True(t, ok)
		assert.Equal(t, "café \"quoted\"", esc)
		_, ok = c.Custom("num")
		assert.False(t, ok, "a non-string custom attribute is not returned as a string")
		_, ok = c.Custom("missing")
		assert.False(t, ok)
		assert.JSONEq(t, string(mustJSON(claims)), string(c.Payload()))
	})
	t.Run("email_verified as a string", func(t *testing.T) {
		c, err := v.Verify(context.Background(), f.k1.mint(with(idClaims(now), "email_verified", "false")))
		require.NoError(t, err)
		assert.False(t, c.EmailVerified)
		_, err = v.Verify(context.Background(), f.k1.mint(with(idClaims(now), "email_verified", "yes")))
		assert.ErrorIs(t, err, ErrMalformed)
	})
}

func TestNewVerifierConfiguration(t *testing.T) {
	ok := func(o *Options) { o.ClientIDs = []string{"c"} }
	t.Run("derives both issuer forms", func(t *testing.T) {
		v, err := NewVerifier("eu-west-2_AbCdEf123", ok)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{
			"https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123",
			"https://issuer-cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123",
		}, v.Issuers())
		assert.Equal(t, "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123/.well-known/jwks.json", v.caches[0].url)
	})
	t.Run("gov region", func(t *testing.T) {
		_, err := NewVerifier("us-gov-west-1_AbCdEf123", ok)
		require.NoError(t, err)
	})
	t.Run("explicit issuer derives the JWKS URL", func(t *testing.T) {
		v, err := NewMultiPoolVerifier([]Pool{{Issuers: []string{"http://127.0.0.1:9229/us-east-1_X"}}}, ok)
		require.NoError(t, err)
		assert.Equal(t, "http://127.0.0.1:9229/us-east-1_X/.well-known/jwks.json", v.caches[0].url)
	})
	bad := []struct {
		name  string
		pools []Pool
		opt   func(*Options)
	}{
		{"bad pool ID", []Pool{{UserPoolID: "nope"}}, ok},
		{"pool ID with path", []Pool{{UserPoolID: "us-east-1_abc/../x"}}, ok},
		{"no pools", nil, ok},
		{"no client IDs", []Pool{{UserPoolID: testPool}}, nil},
		{"HS256 allowed", []Pool{{UserPoolID: testPool}}, func(o *Options) { ok(o); o.Algorithms = []string{"HS256"} }},
		{"none allowed", []Pool{{UserPoolID: testPool}}, func(o *Options) { ok(o); o.Algorithms = []string{"none"} }},
		{"bad token use", []Pool{{UserPoolID: testPool}}, func(o *Options) { ok(o); o.TokenUse = "refresh" }},
		{"duplicate issuer", []Pool{{UserPoolID: testPool}, {UserPoolID: testPool}}, ok},
		{"bad static JWKS", []Pool{{UserPoolID: testPool, JWKS: []byte("{")}}, ok},
		{"non-http JWKS URL", []Pool{{UserPoolID: testPool, JWKSURL: "file:///etc/passwd"}}, ok},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var fns []func(*Options)
			if tc.opt != nil {
				fns = append(fns, tc.opt)
			}
			_, err := NewMultiPoolVerifier(tc.pools, fns...)
			assert.Error(t, err)
		})
	}
	t.Run("skip client check is explicit", func(t *testing.T) {
		_, err := NewVerifier(testPool, func(o *Options) { o.InsecureSkipClientIDCheck = true })
		assert.NoError(t, err)
	})
}

func TestMultiPool(t *testing.T) {
	kA, kB := newKey(0, "kA"), newKey(1, "kB")
	srvA := newJWKSServer(t, jwksJSON(kA.jwk(nil)))
	srvB := newJWKSServer(t, jwksJSON(kB.jwk(nil)))
	issA := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolAAAAA"
	issB := "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_PoolBBBBB"
	v, err := NewMultiPoolVerifier([]Pool{
		{UserPoolID: "us-east-1_PoolAAAAA", JWKSURL: srvA.URL, ClientIDs: []string{"clientA"}},
		{UserPoolID: "eu-west-1_PoolBBBBB", JWKSURL: srvB.URL, ClientIDs: []string{"clientB"}},
	})
	require.NoError(t, err)
	now := time.Now()
	a := with(accessClaims(now), "iss", issA, "client_id", "clientA")
	b := with(accessClaims(now), "iss", issB, "client_id", "clientB")
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"pool A token", kA.mint(a), nil},
		{"pool B token", kB.mint(b), nil},
		{"pool A token with pool B's client", kA.mint(with(a, "client_id", "clientB")), ErrClientID},
		{"pool B key claiming pool A", kB.mint(with(b, "iss", issA, "client_id", "clientA")), ErrUnknownKey},
		{"pool B key reusing pool A's kid", (&testKey{priv: kB.priv, kid: "kA"}).mint(a), ErrSignature},
		{"unconfigured pool", kA.mint(with(a, "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolCCCCC")), ErrIssuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestDebugIncludeTokenInErrors(t *testing.T) {
	f := newTokenFixture(t)
	tok := f.k1.mint(with(accessClaims(time.Now()), "exp", time.Now().Add(-time.Hour).Unix()))
	_, err := f.verifier(t).Verify(context.Background(), tok)
	require.ErrorIs(t, err, ErrExpired)
	assert.NotContains(t, err.Error(), tok)
	_, err = f.verifier(t, func(o *Options) { o.DebugIncludeTokenInErrors = true }).Verify(context.Background(), tok)
	require.ErrorIs(t, err, ErrExpired)
	assert.Contains(t, err.Error(), tok)
}

func TestCustomCheckErrorIsWrapped(t *testing.T) {
	f := newTokenFixture(t)
	errSuspended := errors.New("tenant suspended")
	v := f.verifier(t, func(o *Options) {
		o.CustomCheck = func(context.Context, *Claims) error { return errSuspended }
	})
	_, err := v.Verify(context.Background(), f.k1.mint(accessClaims(time.Now())))
	assert.ErrorIs(t, err, ErrCustomCheck)
	assert.ErrorIs(t, err, errSuspended)
}

func TestNoKeyFetchBeforeCheapChecks(t *testing.T) {
	f := newTokenFixture(t)
	v := f.verifier(t)
	now := time.Now()
	for _, tok := range []string{
		f.k1.mint(with(accessClaims(now), "exp", now.Add(-time.Hour).Unix())),
		f.k1.mint(with(accessClaims(now), "iss", "https://evil.example")),
		f.k1.mint(with(accessClaims(now), "client_id", "other")),
		f.k1.mint(with(accessClaims(now), "token_use", "id")),
		rawToken(`{"alg":"none","kid":"k1"}`, string(mustJSON(accessClaims(now))), ""),
	} {
		_, err := v.Verify(context.Background(), tok)
		require.Error(t, err)
	}
	assert.Equal(t, int64(0), f.srv.fetches.Load(), "cheap checks must fail before any JWKS fetch")
}
