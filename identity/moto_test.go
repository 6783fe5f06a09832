package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/internal/interop"
)

// TestMoto runs the provider's flows against moto_server with the real
// aws-sdk-go-v2 clients: the wire shape of GetId, GetCredentialsForIdentity,
// GetOpenIdToken and AssumeRoleWithWebIdentity. moto accepts any login token
// and returns fixed credentials, so this checks the requests and answers
// parse, not that tokens are verified (the emulator's tests do that). An
// unknown pool is not tried: moto answers it with an HTML 500 that SDKs retry.
func TestMoto(t *testing.T) {
	url := interop.Moto(t)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", ""),
	}
	ci := cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) { o.BaseEndpoint = aws.String(url) })
	st := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(url) })

	userPool := "us-east-1_AbCdEf123"
	pool, err := ci.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("cognitokit_identity_test"),
		AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders:        map[string]string{identity.KeyFacebook: "1234567890"},
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{
			ProviderName: aws.String(identity.UserPoolKey("", userPool)),
			ClientId:     aws.String("client1"),
		}},
	})
	require.NoError(t, err)
	poolID := aws.ToString(pool.IdentityPoolId)
	require.NotEmpty(t, poolID)

	check := func(t *testing.T, c aws.Credentials, source string) {
		t.Helper()
		assert.NotEmpty(t, c.AccessKeyID)
		assert.NotEmpty(t, c.SecretAccessKey)
		assert.NotEmpty(t, c.SessionToken)
		assert.Equal(t, source, c.Source)
		assert.True(t, c.CanExpire)
		assert.WithinDuration(t, time.Now(), c.Expires, 2*time.Hour)
		assert.True(t, c.Expires.After(time.Now()))
	}

	t.Run("guest", func(t *testing.T) {
		p := identity.NewProvider(ci, poolID)
		c, err := aws.NewCredentialsCache(p).Retrieve(ctx)
		require.NoError(t, err)
		check(t, c, identity.ProviderName)
		assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, p.IdentityID())
	})
	t.Run("enhanced with a user-pool login", func(t *testing.T) {
		src := identity.IDTokenFunc(func(ctx2 context.Context) (string, error) { return "any.jwt.token", nil })
		p := identity.NewProvider(ci, poolID, func(o *identity.Options) {
			o.Logins = identity.Logins(identity.UserPoolLogin("", userPool, src))
		})
		c, err := p.Retrieve(ctx)
		require.NoError(t, err)
		check(t, c, identity.ProviderName)
		id := p.IdentityID()
		_, err = p.Retrieve(ctx)
		require.NoError(t, err)
		assert.Equal(t, id, p.IdentityID())
	})
	t.Run("basic", func(t *testing.T) {
		p := identity.NewBasicProvider(ci, st, poolID, "arn:aws:iam::123456789012:role/Cognito_Auth", func(o *identity.Options) {
			o.Logins = identity.Logins(identity.FacebookLogin("fb-token"))
			o.Duration = 15 * time.Minute
		})
		c, err := p.Retrieve(ctx)
		require.NoError(t, err)
		check(t, c, identity.BasicProviderName)
	})
}
