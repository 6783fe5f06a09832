package jwks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
)

// TestNewVerifierEndpoint points NewVerifier at the emulator by
// Options.Endpoint and by the SDKs' endpoint variables.
func TestNewVerifierEndpoint(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	auth, err := cip.NewFromConfig(srv.Config()).AdminInitiateAuth(context.Background(), &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(pool), ClientId: aws.String(app.ID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
	})
	require.NoError(t, err)
	access := aws.ToString(auth.AuthenticationResult.AccessToken)

	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name    string
		opts    func(*jwks.Options)
		wantErr error
	}{
		{"Options.Endpoint", func(o *jwks.Options) { o.Endpoint = srv.URL + "/" }, nil},
		{"AWS_ENDPOINT_URL", func(o *jwks.Options) { o.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": srv.URL}) }, nil},
		{"service variable wins", func(o *jwks.Options) {
			o.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": srv.URL})
		}, nil},
		{"ignored by AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", func(o *jwks.Options) {
			o.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": srv.URL, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})
		}, jwks.ErrIssuer},
		{"ignored by IgnoreEndpointEnv", func(o *jwks.Options) {
			o.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": srv.URL})
			o.IgnoreEndpointEnv = true
		}, jwks.ErrIssuer},
		{"no endpoint: Cognito's issuer only", func(o *jwks.Options) { o.Getenv = env(nil) }, jwks.ErrIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := jwks.NewVerifier(pool, func(o *jwks.Options) {
				o.ClientIDs = []string{app.ID}
				o.Clock = srv.Now
				tc.opts(o)
			})
			require.NoError(t, err)
			c, err := v.Verify(context.Background(), access)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "set Options.Endpoint or AWS_ENDPOINT_URL", "the issuer error hints at the endpoint option")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, srv.Issuer(pool), c.Issuer)
		})
	}

	t.Run("an endpoint verifier takes the endpoint's issuer and Cognito's, with the endpoint's keys", func(t *testing.T) {
		v, err := jwks.NewVerifier(pool, func(o *jwks.Options) { o.ClientIDs = []string{app.ID}; o.Endpoint = srv.URL })
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{srv.Issuer(pool), "https://cognito-idp.us-east-1.amazonaws.com/" + pool,
			"https://issuer-cognito-idp.us-east-1.amazonaws.com/" + pool}, v.Issuers())
		require.NoError(t, v.Hydrate(context.Background()))
		require.NotNil(t, v.KeySet(srv.Issuer(pool)))
		assert.Same(t, v.KeySet(srv.Issuer(pool)), v.KeySet("https://cognito-idp.us-east-1.amazonaws.com/"+pool), "one key set, the endpoint's")
	})
	t.Run("malformed endpoint", func(t *testing.T) {
		for _, ep := range []string{"ftp://x", "127.0.0.1:9229", "http://", "http://h/?q=1"} {
			_, err := jwks.NewVerifier(pool, func(o *jwks.Options) { o.ClientIDs = []string{app.ID}; o.Endpoint = ep })
			require.Error(t, err, ep)
			assert.False(t, errors.Is(err, jwks.ErrIssuer))
			assert.Contains(t, err.Error(), "Options.Endpoint")
		}
		_, err := jwks.NewVerifier(pool, func(o *jwks.Options) {
			o.ClientIDs = []string{app.ID}
			o.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": "not a url"})
		})
		require.ErrorContains(t, err, "AWS_ENDPOINT_URL")
	})
}
