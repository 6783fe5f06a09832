// This test runs against cognitokit's own emulator (cognito/cognitotest).
// It is an external test package so that cognitotest may import jwks.

package jwks_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
)

func TestEmulatorTokens(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com"})
	srv.MustCreateGroup(pool, "admins", "", 0)
	srv.MustAddUserToGroup(pool, "alice", "admins")
	other := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	otherApp := srv.MustCreateUserPoolClient(other, cognitotest.ClientOptions{})

	ctx := context.Background()
	access, id := adminSignIn(t, srv, pool, app.ID, "alice", "Passw0rd!")

	verifier := func(poolID, clientID string, use jwks.TokenUse) *jwks.Verifier {
		v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{srv.Issuer(poolID)}}}, func(o *jwks.Options) {
			o.ClientIDs = []string{clientID}
			o.TokenUse = use
			o.Clock = srv.Now
		})
		require.NoError(t, err)
		return v
	}
	t.Run("access token", func(t *testing.T) {
		c, err := verifier(pool, app.ID, jwks.TokenUseAccess).Verify(ctx, access)
		require.NoError(t, err)
		assert.Equal(t, srv.Issuer(pool), c.Issuer)
		assert.Equal(t, "alice", c.Username)
		assert.Equal(t, []string{"admins"}, c.Groups)
	})
	t.Run("ID token", func(t *testing.T) {
		c, err := verifier(pool, app.ID, jwks.TokenUseID).Verify(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "alice@example.com", c.Email)
		assert.Equal(t, app.ID, c.ClientID)
	})
	t.Run("another pool refuses it", func(t *testing.T) {
		_, err := verifier(other, otherApp.ID, jwks.TokenUseAccess).Verify(ctx, access)
		require.ErrorIs(t, err, jwks.ErrIssuer)
		// Even told to accept the first pool's issuer, the other pool's keys
		// do not verify its tokens.
		v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{srv.Issuer(pool)}, JWKSURL: srv.JWKSURL(other)}}, func(o *jwks.Options) {
			o.ClientIDs = []string{app.ID}
			o.Clock = srv.Now
		})
		require.NoError(t, err)
		_, err = v.Verify(ctx, access)
		require.Error(t, err)
		assert.True(t, errorsIsAny(err, jwks.ErrUnknownKey, jwks.ErrSignature), "got %v", err)
	})
	t.Run("expires with the emulator's clock", func(t *testing.T) {
		srv.Advance(2 * time.Hour)
		_, err := verifier(pool, app.ID, jwks.TokenUseAccess).Verify(ctx, access)
		require.ErrorIs(t, err, jwks.ErrExpired)
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// adminSignIn signs user in to the emulator's pool with
// ADMIN_USER_PASSWORD_AUTH and returns the access and ID tokens.
func adminSignIn(t *testing.T, srv *cognitotest.Server, pool, clientID, user, password string) (access, id string) {
	t.Helper()
	auth, err := cip.NewFromConfig(srv.Config()).AdminInitiateAuth(context.Background(), &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(pool), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password},
	})
	require.NoError(t, err)
	return aws.ToString(auth.AuthenticationResult.AccessToken), aws.ToString(auth.AuthenticationResult.IdToken)
}
