package jwks

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseJWKChecks covers the checks around jwx's JWK parsing, one JWK
// per case, each accepted or skipped with a reason.
func TestParseJWKChecks(t *testing.T) {
	k := newKey(0, "k1")
	n := k.priv.N.Bytes()
	stdN := base64.StdEncoding.EncodeToString(n)
	priv := k.jwk(map[string]any{"d": b64e(k.priv.D.Bytes()), "p": b64e(k.priv.Primes[0].Bytes()), "q": b64e(k.priv.Primes[1].Bytes())})
	require.True(t, strings.ContainsAny(stdN, "+/"), "the test key's n must differ in the standard alphabet")
	cases := []struct {
		name   string
		jwk    any
		reason string // "" means accepted
		alg    string
		use    string
	}{
		{"RS256 sig", k.jwk(nil), "", "RS256", "sig"},
		{"no alg no use", k.jwk(map[string]any{"alg": nil, "use": nil}), "", "", ""},
		{"empty alg", k.jwk(map[string]any{"alg": ""}), "", "", "sig"},
		{"PS256", k.jwk(map[string]any{"alg": "PS256"}), "", "PS256", "sig"},
		{"enc key kept for a typed refusal at verify time", k.jwk(map[string]any{"alg": "RSA-OAEP", "use": "enc"}), "", "RSA-OAEP", "enc"},
		{"x5t and extra members ignored", k.jwk(map[string]any{"x5t": "abc", "ext": true}), "", "RS256", "sig"},
		{"private key published", priv, "private key material", "", ""},
		{"EC key", map[string]any{"kty": "EC", "kid": "k1", "crv": "P-256"}, "not RSA", "", ""},
		{"oct key", map[string]any{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}, "not RSA", "", ""},
		{"kty case", k.jwk(map[string]any{"kty": "rsa"}), "not RSA", "", ""},
		{"KTY member is not kty", k.jwk(map[string]any{"kty": nil, "KTY": "RSA"}), "not RSA", "", ""},
		{"KID member is not kid", k.jwk(map[string]any{"kid": nil, "KID": "k1"}), "no kid", "", ""},
		{"kid not a string", k.jwk(map[string]any{"kid": 7}), "kid is not a string", "", ""},
		{"kid too long", k.jwk(map[string]any{"kid": strings.Repeat("k", maxKIDLen+1)}), "kid too long", "", ""},
		{"HS256 alg on an RSA key", k.jwk(map[string]any{"alg": "HS256"}), "not an RSA algorithm", "", ""},
		{"unknown alg", k.jwk(map[string]any{"alg": "RS1"}), "not an RSA algorithm", "", ""},
		{"alg not a string", k.jwk(map[string]any{"alg": 256}), "not a valid JWK", "", ""},
		{"use wrap", k.jwk(map[string]any{"use": "wrap"}), "not sig or enc", "", ""},
		{"key_ops verify", k.jwk(map[string]any{"key_ops": []string{"verify"}}), "", "RS256", "sig"},
		{"key_ops sign only", k.jwk(map[string]any{"key_ops": []string{"sign"}}), `does not include "verify"`, "", ""},
		{"key_ops unknown op", k.jwk(map[string]any{"key_ops": []string{"frobnicate"}}), `does not include "verify"`, "", ""},
		{"key_ops not a list", k.jwk(map[string]any{"key_ops": "verify"}), "not a valid JWK", "", ""},
		{"x5c is ignored: keys come from n and e", k.jwk(map[string]any{"x5c": []string{"!!"}}), "", "RS256", "sig"},
		{"n missing", k.jwk(map[string]any{"n": nil}), "not a valid JWK", "", ""},
		{"e missing", k.jwk(map[string]any{"e": nil}), "not a valid JWK", "", ""},
		{"n padded", k.jwk(map[string]any{"n": b64e(n) + "=="}), "n is not base64url", "", ""},
		{"n standard alphabet", k.jwk(map[string]any{"n": stdN}), "n is not base64url", "", ""},
		{"n with leading zero", k.jwk(map[string]any{"n": b64e(append([]byte{0}, n...))}), "leading zero", "", ""},
		{"n 1024 bits", k.jwk(map[string]any{"n": b64e(n[:128])}), "fewer than 2048", "", ""},
		{"n over 8192 bits", k.jwk(map[string]any{"n": b64e(append([]byte{1}, make([]byte, 1024)...))}), "more than 8192", "", ""},
		{"n even", k.jwk(map[string]any{"n": b64e(append(append([]byte{}, n[:255]...), n[255]&^1))}), "modulus is even", "", ""},
		{"e = 1", k.jwk(map[string]any{"e": "AQ"}), "exponent 1", "", ""},
		{"e even", k.jwk(map[string]any{"e": "AAI"}), "exponent 2", "", ""},
		{"e five bytes", k.jwk(map[string]any{"e": b64e([]byte{1, 0, 0, 0, 1})}), "exponent too large", "", ""},
		{"e padded", k.jwk(map[string]any{"e": "AQAB" + "AQ=="}), "e is not base64url", "", ""},
		{"e not base64", k.jwk(map[string]any{"e": "A*B"}), "not a valid JWK", "", ""},
		{"not an object", []int{1}, "not a JSON object", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(tc.jwk)
			require.NoError(t, err)
			key, _, err := parseJWK(raw)
			if tc.reason != "" {
				require.Error(t, err)
				assert.Nil(t, key)
				assert.Contains(t, err.Error(), tc.reason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "k1", key.KeyID)
			assert.Equal(t, tc.alg, key.Algorithm)
			assert.Equal(t, tc.use, key.Use)
			assert.Equal(t, 0, key.PublicKey.N.Cmp(k.priv.N))
			assert.Equal(t, k.priv.E, key.PublicKey.E)
		})
	}
}

// TestParseSetSkipsOneBadJWK shows one invalid JWK (here one jwx itself
// refuses) costing only that key, with its index, kid and reason.
func TestParseSetSkipsOneBadJWK(t *testing.T) {
	k1, k2 := newKey(0, "k1"), newKey(1, "k2")
	doc := fmt.Sprintf(`{"keys":[%s,{"kty":"RSA","kid":"bad","n":"AQAB","e":"AQAB","key_ops":"nope"},%s,17]}`,
		mustJSON(k1.jwk(nil)), mustJSON(k2.jwk(nil)))
	s, err := ParseSet([]byte(doc))
	require.NoError(t, err)
	assert.Equal(t, []string{"k1", "k2"}, s.KeyIDs())
	sk := s.Skipped()
	require.Len(t, sk, 2)
	assert.Equal(t, 1, sk[0].Index)
	assert.Equal(t, "bad", sk[0].KeyID)
	assert.Contains(t, sk[0].Reason, "not a valid JWK")
	assert.Equal(t, 3, sk[1].Index)
	assert.Contains(t, sk[1].Reason, "not a JSON object")

	// All bad: an error wrapping ErrNoUsableKeys naming every reason.
	_, err = ParseSet([]byte(`{"keys":[{"kty":"EC","kid":"a"},{"kty":"RSA","kid":"b","n":"AQAB","e":"AQAB"}]}`))
	require.ErrorIs(t, err, ErrNoUsableKeys)
	assert.Contains(t, err.Error(), "key 0: kty \"EC\" is not RSA")
	assert.Contains(t, err.Error(), "key 1: modulus is 17 bits")
	_, err = ParseSet([]byte(`{"keys":[]}`))
	require.ErrorIs(t, err, ErrNoUsableKeys)
}

// FuzzParseSet feeds arbitrary documents to the JWKS parser: it never
// panics, fails only with an error, and every key it keeps passes the
// checks.
func FuzzParseSet(f *testing.F) {
	k := fuzzKey(f)
	f.Add(string(jwksJSON(k.jwk(nil))))
	f.Add(string(jwksJSON(k.jwk(map[string]any{"alg": nil, "use": nil, "key_ops": []string{"verify", "sign"}}))))
	f.Add(string(jwksJSON(k.jwk(map[string]any{"d": "AQAB"}), map[string]any{"kty": "EC", "kid": "e"}, k.jwk(map[string]any{"kid": "x", "e": "AAE"}))))
	f.Add(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","x5c":["AA=="]}]}`)
	f.Add(`{"keys":[{"kty":"RSA","kid":"a","kid":"b","n":"","e":""}],"keys":null}`)
	f.Add(`{"keys":[null,1,"x",[],{}]}`)
	f.Add(`{"keys":{}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := ParseSet([]byte(doc))
		if err != nil {
			if s != nil {
				t.Fatal("set returned with an error")
			}
			return
		}
		if s.Len() == 0 {
			t.Fatal("empty set without an error")
		}
		for _, kid := range s.KeyIDs() {
			key, ok := s.Key(kid)
			if !ok || key.KeyID != kid || kid == "" {
				t.Fatalf("key %q inconsistent", kid)
			}
			pub := key.PublicKey
			if pub.N.BitLen() < MinRSAKeyBits || pub.N.BitLen() > 8192 || pub.N.Bit(0) == 0 || pub.E < 3 || pub.E%2 == 0 {
				t.Fatalf("kept a weak key: %d bits, e=%d", pub.N.BitLen(), pub.E)
			}
			if key.Use != "" && key.Use != "sig" && key.Use != "enc" {
				t.Fatalf("kept use %q", key.Use)
			}
		}
	})
}
