package cognitotest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The facade's options for USER_AUTH, passkeys and rotation configure what
// the API does.
func TestUserAuthOptions(t *testing.T) {
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{Tier: "PLUS", SignInFactors: []string{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"},
		WebAuthnRelyingPartyID: "localhost", WebAuthnUserVerification: "required"})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{RotateRefreshTokens: true, RetryGracePeriod: 30 * time.Second})
	c := idp(s)

	d, err := c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolTierTypePlus, d.UserPool.UserPoolTier)
	assert.Equal(t, []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}, d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors)
	m, err := c.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(pool)})
	require.NoError(t, err)
	assert.Equal(t, "localhost", aws.ToString(m.WebAuthnConfiguration.RelyingPartyId))
	assert.Equal(t, types.UserVerificationTypeRequired, m.WebAuthnConfiguration.UserVerification)
	dc, err := c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(cl.ID)})
	require.NoError(t, err)
	require.NotNil(t, dc.UserPoolClient.RefreshTokenRotation)
	assert.Equal(t, int32(30), aws.ToInt32(dc.UserPoolClient.RefreshTokenRotation.RetryGracePeriodSeconds))
	assert.NotContains(t, dc.UserPoolClient.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)

	for _, tc := range []struct {
		name string
		o    PoolOptions
		code string
	}{
		{"passwordless on lite", PoolOptions{Tier: "LITE", SignInFactors: []string{"PASSWORD", "SMS_OTP"}}, "FeatureUnavailableInTierException"},
		{"passkeys on lite", PoolOptions{Tier: "LITE", WebAuthnRelyingPartyID: "localhost"}, "FeatureUnavailableInTierException"},
		{"relying party with a scheme", PoolOptions{WebAuthnRelyingPartyID: "https://localhost"}, "InvalidParameterException"},
		{"user verification unknown", PoolOptions{WebAuthnUserVerification: "always"}, "InvalidParameterException"},
		{"unknown tier", PoolOptions{Tier: "GOLD"}, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUserPool(tc.o)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.Code)
		})
	}
	_, err = s.CreateUserPoolClient(pool, ClientOptions{RotateRefreshTokens: true, RetryGracePeriod: time.Minute + time.Second})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "InvalidParameterException", ae.Code)
}

// localhostPasskeyPool is a pool with passkeys on http://localhost, a
// USER_AUTH client, and alice signed in with her password.
func localhostPasskeyPool(tb testing.TB) (c *cip.Client, clientID, access string) {
	tb.Helper()
	s := newServer(tb)
	pool := s.MustCreateUserPool(PoolOptions{SignInFactors: []string{"PASSWORD", "WEB_AUTHN"}, WebAuthnRelyingPartyID: "localhost"})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}})
	s.MustCreateUser(pool, "alice", testPassword, nil)
	c = idp(s)
	out, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String(cl.ID), AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword}})
	require.NoError(tb, err)
	return c, cl.ID, aws.ToString(out.AuthenticationResult.AccessToken)
}

// registerOver registers k for the user of access through the SDK and
// returns the creation options Cognito gave.
func registerOver(tb testing.TB, c *cip.Client, access string, k *Passkey) map[string]any {
	tb.Helper()
	start, err := c.StartWebAuthnRegistration(ctx(), &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(access)})
	require.NoError(tb, err)
	var opts map[string]any
	require.NoError(tb, start.CredentialCreationOptions.UnmarshalSmithyDocument(&opts))
	ob, err := start.CredentialCreationOptions.MarshalSmithyDocument()
	require.NoError(tb, err)
	cred, err := k.Create(ob)
	require.NoError(tb, err)
	_, err = c.CompleteWebAuthnRegistration(ctx(), &cip.CompleteWebAuthnRegistrationInput{AccessToken: aws.String(access), Credential: docOf(tb, cred)})
	require.NoError(tb, err)
	return opts
}

// passkeySignIn signs alice in with USER_AUTH and k, or with assertion
// when it is not nil; it returns the assertion sent.
func passkeySignIn(c *cip.Client, clientID string, k *Passkey, assertion []byte) ([]byte, *cip.RespondToAuthChallengeOutput, error) {
	out, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
	if err != nil {
		return nil, nil, err
	}
	if out.ChallengeName != types.ChallengeNameTypeWebAuthn {
		return nil, nil, fmt.Errorf("challenge %s, not WEB_AUTHN", out.ChallengeName)
	}
	if assertion == nil {
		if assertion, err = k.Get([]byte(out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"])); err != nil {
			return nil, nil, err
		}
	}
	res, err := c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
		ChallengeName: types.ChallengeNameTypeWebAuthn, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "CREDENTIAL": string(assertion)}})
	return assertion, res, err
}

// A passkey registered and used through the SDK alone, on http://localhost.
func TestPasskeyOnLocalhost(t *testing.T) {
	c, clientID, access := localhostPasskeyPool(t)
	k := MustNewPasskey("http://localhost:5173")
	opts := registerOver(t, c, access, k)
	rp := opts["rp"].(map[string]any)
	assert.Equal(t, "localhost", rp["id"])
	sel := opts["authenticatorSelection"].(map[string]any)
	assert.Equal(t, "required", sel["residentKey"])

	assertion, res, err := passkeySignIn(c, clientID, k, nil)
	require.NoError(t, err)
	require.NotNil(t, res.AuthenticationResult)
	// the same assertion, in a new sign-in, is a replayed challenge
	_, _, err = passkeySignIn(c, clientID, k, assertion)
	requireCode(t, err, "NotAuthorizedException")
}

// docOf is JSON (without numbers) as an SDK document.
func docOf(tb testing.TB, b []byte) document.Interface {
	tb.Helper()
	var m map[string]any
	require.NoError(tb, json.Unmarshal(b, &m))
	return document.NewLazyDocument(m)
}

// BenchmarkPasskeySignIn is a USER_AUTH sign-in with a passkey over HTTP:
// InitiateAuth (PREFERRED_CHALLENGE WEB_AUTHN), the authenticator's
// assertion, RespondToAuthChallenge verifying it and issuing tokens.
func BenchmarkPasskeySignIn(b *testing.B) {
	c, clientID, access := localhostPasskeyPool(b)
	k := MustNewPasskey("http://localhost")
	registerOver(b, c, access, k)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := passkeySignIn(c, clientID, k, nil); err != nil {
			b.Fatal(err)
		}
	}
}
