package jwks

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseECJWK(t *testing.T) {
	newOIDCIssuer(t) // generates the EC keys
	good := ecJWK("ec", "P-256", "ES256", ec256)
	tests := []struct {
		name    string
		jwk     map[string]any
		wantErr string
	}{
		{"P-256", good, ""},
		{"P-384", ecJWK("ec", "P-384", "ES384", ec384), ""},
		{"no alg, no use", with(good, "alg", nil, "use", nil), ""},
		{"no kid", with(good, "kid", nil), "no kid"},
		{"unknown curve", with(good, "crv", "secp256k1"), "crv"},
		{"curve of another size", with(good, "crv", "P-384"), "want 48"},
		{"alg of another curve", with(good, "alg", "ES384"), "not ES256"},
		{"alg RS256", with(good, "alg", "RS256"), "not ES256"},
		{"x too short", with(good, "x", b64e(ec256.X.Bytes()[1:])), "x is"},
		{"x padded base64", with(good, "x", good["x"].(string)+"="), "x is not base64url"},
		{"point not on the curve", with(good, "y", good["x"]), "not a point on the curve"},
		{"private key", with(good, "d", b64e(ec256.D.FillBytes(make([]byte, 32)))), "private key"},
		{"key_ops sign only", with(good, "key_ops", []string{"sign"}), "key_ops"},
		{"use other", with(good, "use", "wrap"), "use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(tc.jwk)
			require.NoError(t, err)
			k, _, err := parseECJWK(raw)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Nil(t, k.PublicKey)
			require.NotNil(t, k.ECDSA)
		})
	}
}

// TestParseSetKeepsECOnlyWhenAsked: ParseSet (and so the Cognito
// verifier) skips EC keys; OIDC verifiers keep them.
func TestParseSetKeepsECOnlyWhenAsked(t *testing.T) {
	is := newOIDCIssuer(t)
	s, err := ParseSet(is.jwks())
	require.NoError(t, err)
	assert.Equal(t, []string{"rsa1"}, s.KeyIDs())
	s, err = parseSet(is.jwks(), true)
	require.NoError(t, err)
	assert.Equal(t, []string{"ec256", "ec384", "rsa1"}, s.KeyIDs())
	_, err = parseSet(jwksJSON(ecJWK("ec", "P-256", "ES256", ec256)), false)
	require.ErrorIs(t, err, ErrNoUsableKeys)
}
