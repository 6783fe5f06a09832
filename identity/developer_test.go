package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

func TestDeveloperIssuer(t *testing.T) {
	t.Run("new identity", func(t *testing.T) {
		f := newFakeCognito()
		iss := identity.NewDeveloperIssuer(f, testPool, "login.example.com", func(o *identity.DeveloperIssuerOptions) {
			o.TokenDuration = 30 * time.Minute
		})
		tok, err := iss.Issue(ctx, "user-42")
		require.NoError(t, err)
		assert.Equal(t, "us-east-1:00000000-0000-0000-0000-000000000001", tok.IdentityID)
		assert.Equal(t, "dev-openid-token", tok.Token)
		in := f.inputs()[0].(*cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput)
		assert.Equal(t, testPool, aws.ToString(in.IdentityPoolId))
		assert.Equal(t, map[string]string{"login.example.com": "user-42"}, in.Logins)
		assert.Equal(t, int64(1800), aws.ToInt64(in.TokenDuration))
		assert.Nil(t, in.IdentityId)
	})
	t.Run("link to an identity, more logins, tags", func(t *testing.T) {
		f := newFakeCognito()
		iss := identity.NewDeveloperIssuer(f, testPool, "login.example.com")
		tok, err := iss.Issue(ctx, "user-42", func(o *identity.IssueOptions) {
			o.IdentityID = "us-east-1:guest"
			o.Logins = map[string]string{identity.KeyFacebook: "fb"}
			o.PrincipalTags = map[string]string{"team": "blue"}
		})
		require.NoError(t, err)
		assert.Equal(t, "us-east-1:guest", tok.IdentityID)
		in := f.inputs()[0].(*cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput)
		assert.Equal(t, "us-east-1:guest", aws.ToString(in.IdentityId))
		assert.Equal(t, map[string]string{"login.example.com": "user-42", identity.KeyFacebook: "fb"}, in.Logins)
		assert.Equal(t, map[string]string{"team": "blue"}, in.PrincipalTags)
		assert.Nil(t, in.TokenDuration)
	})
	t.Run("errors", func(t *testing.T) {
		f := newFakeCognito()
		_, err := identity.NewDeveloperIssuer(f, testPool, "login.example.com").Issue(ctx, "")
		require.ErrorIs(t, err, identity.ErrLogins)
		_, err = identity.NewDeveloperIssuer(f, "", "login.example.com").Issue(ctx, "u")
		require.ErrorIs(t, err, identity.ErrConfig)
		_, err = identity.NewDeveloperIssuer(f, testPool, "").Issue(ctx, "u")
		require.ErrorIs(t, err, identity.ErrConfig)
		_, err = identity.NewDeveloperIssuer(nil, testPool, "p").Issue(ctx, "u")
		require.ErrorIs(t, err, identity.ErrConfig)
		_, err = identity.NewDeveloperIssuer(f, testPool, "p").Issue(ctx, "u", func(o *identity.IssueOptions) {
			o.Logins = map[string]string{identity.KeyGoogle: ""}
		})
		require.ErrorIs(t, err, identity.ErrLogins)
		assert.Zero(t, f.nGetDev.Load())

		f.getDev = func(*cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput) (*cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput, error) {
			return nil, apiErr("DeveloperUserAlreadyRegisteredException", "already")
		}
		_, err = identity.NewDeveloperIssuer(f, testPool, "p").Issue(ctx, "u")
		require.ErrorIs(t, err, identity.ErrResourceConflict)
		f.getDev = func(*cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput) (*cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput, error) {
			return &cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput{IdentityId: aws.String("x")}, nil
		}
		_, err = identity.NewDeveloperIssuer(f, testPool, "p").Issue(ctx, "u")
		require.ErrorIs(t, err, identity.ErrNoCredentials)
	})
	t.Run("JSON for the client", func(t *testing.T) {
		b, err := json.Marshal(identity.OpenIDToken{IdentityID: "us-east-1:x", Token: "t"})
		require.NoError(t, err)
		assert.JSONEq(t, `{"IdentityId":"us-east-1:x","Token":"t"}`, string(b))
	})
}

func TestDeveloperProvider(t *testing.T) {
	t.Run("enhanced", func(t *testing.T) {
		f := newFakeCognito()
		iss := identity.NewDeveloperIssuer(f, testPool, "login.example.com")
		p := identity.NewDeveloperProvider(f, iss.TokenSource("user-42"), func(o *identity.DeveloperOptions) { o.CustomRoleARN = testRole })
		creds, err := p.Retrieve(ctx)
		require.NoError(t, err)
		assert.Equal(t, identity.DeveloperProviderName, creds.Source)
		assert.True(t, creds.CanExpire)
		assert.Equal(t, "us-east-1:00000000-0000-0000-0000-000000000001", p.IdentityID())
		in := f.inputs()
		require.Len(t, in, 2)
		gc := in[1].(*cognitoidentity.GetCredentialsForIdentityInput)
		assert.Equal(t, p.IdentityID(), aws.ToString(gc.IdentityId))
		assert.Equal(t, map[string]string{identity.KeyDeveloper: "dev-openid-token"}, gc.Logins)
		assert.Equal(t, testRole, aws.ToString(gc.CustomRoleArn))
		assert.Zero(t, f.nGetID.Load(), "the back end's identity ID is used as is")
	})
	t.Run("basic", func(t *testing.T) {
		s := newFakeSTS()
		p := identity.NewDeveloperBasicProvider(s, testRole, staticDev(), func(o *identity.DeveloperOptions) {
			o.RoleSessionName, o.Duration, o.Policy = "dev", 15*time.Minute, "{}"
		})
		creds, err := p.Retrieve(ctx)
		require.NoError(t, err)
		assert.Equal(t, identity.DeveloperProviderName, creds.Source)
		assert.Equal(t, "us-east-1:dev", p.IdentityID())
		in := s.inputs()[0]
		assert.Equal(t, "dev-openid-token", aws.ToString(in.WebIdentityToken))
		assert.Equal(t, "dev", aws.ToString(in.RoleSessionName))
		assert.Equal(t, int32(900), aws.ToInt32(in.DurationSeconds))
		assert.Equal(t, "{}", aws.ToString(in.Policy))
		assert.Contains(t, p.String(), "basic")
	})
	t.Run("source fails", func(t *testing.T) {
		cause := errors.New("backend down")
		p := identity.NewDeveloperProvider(newFakeCognito(), identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
			return identity.OpenIDToken{}, cause
		}))
		_, err := p.Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrLogins)
		require.ErrorIs(t, err, cause)
		assert.Empty(t, p.IdentityID())
	})
	t.Run("source returns nothing", func(t *testing.T) {
		p := identity.NewDeveloperProvider(newFakeCognito(), identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
			return identity.OpenIDToken{IdentityID: "x"}, nil
		}))
		_, err := p.Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrLogins)
	})
	t.Run("token refused", func(t *testing.T) {
		f := newFakeCognito()
		f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
			return nil, apiErr("NotAuthorizedException", "Invalid login token.")
		}
		_, err := identity.NewDeveloperProvider(f, staticDev()).Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
		assert.NotContains(t, err.Error(), "dev-openid-token")
		s := newFakeSTS()
		s.fn = func(*sts.AssumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error) {
			return nil, apiErr("ExpiredTokenException", "Token expired")
		}
		_, err = identity.NewDeveloperBasicProvider(s, testRole, staticDev()).Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
	})
}
