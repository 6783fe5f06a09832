// The OIDC verifier against cognitokit's emulator: a user pool is an
// OpenID Connect issuer too, with discovery, so its ID tokens are a second,
// independent source of tokens for NewOIDCVerifier.

package jwks_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
)

func TestOIDCVerifierOnEmulatorIDTokens(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com", "email_verified": "true"})
	ctx := context.Background()
	access, id := adminSignIn(t, srv, pool, app.ID, "alice", "Passw0rd!")

	v, err := jwks.NewOIDCVerifier(srv.Issuer(pool), func(o *jwks.OIDCOptions) {
		o.ClientIDs = []string{app.ID}
		o.Clock = srv.Now
	})
	require.NoError(t, err)
	c, err := v.Verify(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", c.Email)
	assert.True(t, c.EmailVerified)
	username, _ := c.StringClaim("cognito:username")
	assert.Equal(t, "alice", username)

	// An access token has no aud: it is not an ID token.
	_, err = v.Verify(ctx, access)
	require.ErrorIs(t, err, jwks.ErrMissingClaim)
	// Another app client of the pool is another audience.
	other, err := jwks.NewOIDCVerifier(srv.Issuer(pool), func(o *jwks.OIDCOptions) {
		o.ClientIDs = []string{"someotherclient"}
		o.Clock = srv.Now
	})
	require.NoError(t, err)
	_, err = other.Verify(ctx, id)
	require.ErrorIs(t, err, jwks.ErrClientID)
}
