package cognitotest

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedSignInConfig declares today's sign-in options: a PLUS pool with
// e-mail codes and passkeys as first factors and optional MFA, a USER_AUTH
// client, and a client with refresh-token rotation.
const seedSignInConfig = `{"userPools": [{
  "id": "us-east-1_SignIn01", "name": "passwordless", "tier": "PLUS", "mfa": "OPTIONAL",
  "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]},
  "webAuthn": {"relyingPartyId": "localhost", "userVerification": "required"},
  "clients": [
    {"id": "signinclient0000000000001", "name": "web", "explicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH"]},
    {"id": "signinclient0000000000002", "name": "rotating", "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
     "refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 10}}],
  "users": [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}}]
}]}`

// TestSeedSignInOptions: a seeded pool's tier, first factors, passkey
// relying party and MFA, and a seeded client's rotation, are what the API
// reports and what sign-in uses.
func TestSeedSignInOptions(t *testing.T) {
	cfg, err := ParseSeedConfig(strings.NewReader(seedSignInConfig))
	require.NoError(t, err)
	s := newServer(t)
	require.NoError(t, s.Seed(cfg))
	require.NoError(t, s.Seed(cfg), "seeding twice is a no-op")
	c, pool := idp(s), "us-east-1_SignIn01"

	d, err := c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolTierTypePlus, d.UserPool.UserPoolTier)
	assert.Equal(t, []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}, d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors)
	m, err := c.GetUserPoolMfaConfig(ctx(), &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(pool)})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolMfaTypeOptional, m.MfaConfiguration)
	require.NotNil(t, m.WebAuthnConfiguration)
	assert.Equal(t, "localhost", aws.ToString(m.WebAuthnConfiguration.RelyingPartyId))
	assert.Equal(t, types.UserVerificationTypeRequired, m.WebAuthnConfiguration.UserVerification)

	t.Run("USER_AUTH with EMAIL_OTP", func(t *testing.T) {
		out, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String("signinclient0000000000001"),
			AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeEmailOtp, out.ChallengeName)
		code, ok := s.LastCode(pool, "alice")
		require.True(t, ok)
		respond := func(code string) (*cip.RespondToAuthChallengeOutput, error) {
			return c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: aws.String("signinclient0000000000001"),
				ChallengeName: types.ChallengeNameTypeEmailOtp, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}})
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = respond(wrong)
		require.Error(t, err, "a wrong code is refused")
		res, err := respond(code)
		require.NoError(t, err)
		require.NotNil(t, res.AuthenticationResult)
		assert.NotEmpty(t, aws.ToString(res.AuthenticationResult.AccessToken))
	})
	t.Run("USER_AUTH refused on a client without ALLOW_USER_AUTH", func(t *testing.T) {
		_, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String("signinclient0000000000002"),
			AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}})
		require.Error(t, err)
	})
	t.Run("rotation", func(t *testing.T) {
		cl := aws.String("signinclient0000000000002")
		out, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: cl, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		require.NoError(t, err)
		old := out.AuthenticationResult.RefreshToken
		got, err := c.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: cl, RefreshToken: old})
		require.NoError(t, err)
		require.NotNil(t, got.AuthenticationResult.RefreshToken, "a rotating client answers a new refresh token")
		assert.NotEqual(t, aws.ToString(old), aws.ToString(got.AuthenticationResult.RefreshToken))
		_, err = c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: cl, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(got.AuthenticationResult.RefreshToken)}})
		require.Error(t, err, "REFRESH_TOKEN_AUTH is refused on a rotating client")
	})
	t.Run("no rotation by default", func(t *testing.T) {
		dc, err := c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool),
			ClientId: aws.String("signinclient0000000000001")})
		require.NoError(t, err)
		assert.Nil(t, dc.UserPoolClient.RefreshTokenRotation)
	})
}

// TestSeedSignInOptionsRefused: wrong sign-in options are refused by
// ParseSeedConfig with a *SeedConfigError naming their JSON path.
func TestSeedSignInOptionsRefused(t *testing.T) {
	for _, tc := range []struct{ name, pool, path string }{
		{"unknown tier", `"tier": "GOLD"`, "userPools[0].tier"},
		{"unknown mfa", `"mfa": "SOMETIMES"`, "userPools[0].mfa"},
		{"unknown factor", `"signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "MAGIC_LINK"]}`,
			"userPools[0].signInPolicy.allowedFirstAuthFactors[1]"},
		{"factor twice", `"signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "PASSWORD"]}`,
			"userPools[0].signInPolicy.allowedFirstAuthFactors[1]"},
		{"no password", `"signInPolicy": {"allowedFirstAuthFactors": ["EMAIL_OTP"]}`,
			"userPools[0].signInPolicy.allowedFirstAuthFactors"},
		{"passwordless on lite", `"tier": "LITE", "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}`,
			"userPools[0].signInPolicy.allowedFirstAuthFactors[1]"},
		{"relying party with a scheme", `"webAuthn": {"relyingPartyId": "https://localhost"}`, "userPools[0].webAuthn.relyingPartyId"},
		{"unknown user verification", `"webAuthn": {"userVerification": "always"}`, "userPools[0].webAuthn.userVerification"},
		{"passkeys on lite", `"tier": "LITE", "webAuthn": {"relyingPartyId": "localhost"}`, "userPools[0].webAuthn"},
		{"rotation without feature", `"clients": [{"id": "c1"}, {"id": "c2", "refreshTokenRotation": {}}]`,
			"userPools[0].clients[1].refreshTokenRotation.feature"},
		{"rotation feature unknown", `"clients": [{"id": "c1", "refreshTokenRotation": {"feature": "ON"}}]`,
			"userPools[0].clients[0].refreshTokenRotation.feature"},
		{"grace too long", `"clients": [{"id": "c1", "refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 61}}]`,
			"userPools[0].clients[0].refreshTokenRotation.retryGracePeriodSeconds"},
		{"rotation with refresh flow", `"clients": [{"id": "c1", "explicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
			"refreshTokenRotation": {"feature": "ENABLED"}}]`, "userPools[0].clients[0].refreshTokenRotation"},
		{"rotation on lite", `"tier": "LITE", "clients": [{"id": "c1", "refreshTokenRotation": {"feature": "ENABLED"}}]`,
			"userPools[0].clients[0].refreshTokenRotation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSeedConfig(strings.NewReader(`{"userPools": [{"id": "us-east-1_Bad", ` + tc.pool + `}]}`))
			require.ErrorIs(t, err, ErrSeedConfig)
			var se *SeedConfigError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.path, se.Path)
			assert.Contains(t, err.Error(), tc.path)
		})
	}
	// The same options, right, are accepted.
	for _, ok := range []string{
		`"tier": "ESSENTIALS", "mfa": "ON", "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}`,
		`"tier": "LITE", "signInPolicy": {"allowedFirstAuthFactors": ["PASSWORD"]}, "clients": [{"id": "c1", "refreshTokenRotation": {"feature": "DISABLED"}}]`,
		`"webAuthn": {"relyingPartyId": "auth.example.com", "userVerification": "preferred"}`,
		`"clients": [{"id": "c1", "refreshTokenRotation": {"feature": "ENABLED", "retryGracePeriodSeconds": 60}}]`,
	} {
		cfg, err := ParseSeedConfig(strings.NewReader(`{"userPools": [{"id": "us-east-1_Good", ` + ok + `}]}`))
		require.NoError(t, err, ok)
		require.NoError(t, newServer(t).Seed(cfg), ok)
	}
}
