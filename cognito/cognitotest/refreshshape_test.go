package cognitotest

import (
	"encoding/base64"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefreshTokenIsJWEShaped: refresh tokens look like Cognito's (a JWE
// compact serialization: five base64url parts, the header naming
// RSA-OAEP and A256GCM), differ from one sign-in to the next, and still
// work; a token with one part changed is refused.
func TestRefreshTokenIsJWEShaped(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	a, b := *mustTokens(t, f, "alice").RefreshToken, *mustTokens(t, f, "alice").RefreshToken
	assert.NotEqual(t, a, b)
	parts := strings.Split(a, ".")
	require.Len(t, parts, 5, a)
	for i, p := range parts {
		_, err := base64.RawURLEncoding.DecodeString(p)
		require.NoError(t, err, "part %d is base64url", i)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	assert.JSONEq(t, `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`, string(hdr))

	refresh := func(tok string) error {
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: &f.client.ID, AuthFlow: "REFRESH_TOKEN_AUTH",
			AuthParameters: map[string]string{"REFRESH_TOKEN": tok}})
		return err
	}
	require.NoError(t, refresh(a))
	parts[3] = "AAAA" + parts[3][4:]
	requireCode(t, refresh(strings.Join(parts, ".")), "NotAuthorizedException")
}
