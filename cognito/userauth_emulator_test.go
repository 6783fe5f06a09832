package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

const (
	rpID     = "auth.example.com"
	rpOrigin = "https://auth.example.com"
)

// uaOptions shapes a USER_AUTH pool for newUserAuthEmu.
type uaOptions struct {
	tier    types.UserPoolTierType // default ESSENTIALS
	factors []types.AuthFactorType // default all four
	rpID    string                 // "-" for none; default rpID
	uv      types.UserVerificationType
	flows   []string // app client's ExplicitAuthFlows; default USER_AUTH, SRP, refresh
}

// newUserAuthEmu makes a pool through the API (its sign-in policy, tier
// and passkey relying party), an app client, and nina, who has a password,
// a verified e-mail address and a verified phone number.
func newUserAuthEmu(t *testing.T, o uaOptions) *emu {
	t.Helper()
	ctx := context.Background()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	api := cip.NewFromConfig(srv.Config())
	if o.factors == nil {
		o.factors = []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeSmsOtp, types.AuthFactorTypeWebAuthn}
	}
	if o.tier == "" {
		o.tier = types.UserPoolTierTypeEssentials
	}
	out, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("ua"), UserPoolTier: o.tier,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: o.factors}}})
	require.NoError(t, err)
	pool := aws.ToString(out.UserPool.Id)
	if o.rpID != "-" {
		if o.rpID == "" {
			o.rpID = rpID
		}
		if o.uv == "" {
			o.uv = types.UserVerificationTypePreferred
		}
		_, err = api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool),
			WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String(o.rpID), UserVerification: o.uv}})
		require.NoError(t, err)
	}
	if o.flows == nil {
		o.flows = []string{"ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{ExplicitAuthFlows: o.flows})
	srv.MustCreateUser(pool, "nina", pw, map[string]string{"email": "nina@example.com", "phone_number": "+15550001234"})
	e := &emu{srv: srv, pool: pool, app: app}
	e.c = e.client(nil)
	return e
}

func withFactor(f cognito.Factor) func(*cognito.SignInOptions) {
	return func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserAuth; o.PreferredFactor = f }
}

// signInPassword signs nina in with USER_AUTH and her password.
func (e *emu) signInPassword(t *testing.T) *cognito.Tokens {
	t.Helper()
	res, err := e.c.SignIn(context.Background(), "nina", pw, withFactor(cognito.FactorPassword))
	require.NoError(t, err)
	require.NotNil(t, res.Tokens, "%v", res)
	return res.Tokens
}

// registerPasskey registers k for nina (signed in with her password).
func (e *emu) registerPasskey(t *testing.T, k *cognitotest.Passkey) error {
	t.Helper()
	ctx := context.Background()
	tk := e.signInPassword(t)
	opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
	require.NoError(t, err)
	cred, err := k.Create(opts.JSON())
	require.NoError(t, err)
	return e.c.CompletePasskeyRegistration(ctx, tk.AccessToken, cred)
}

// lastSignInCode is the last USER_AUTH code the pool sent.
func (e *emu) lastSignInCode(t *testing.T) string {
	t.Helper()
	msgs := e.srv.Messages(e.pool)
	require.NotEmpty(t, msgs)
	m := msgs[len(msgs)-1]
	require.Equal(t, cognitotest.KindSignInCode, m.Kind)
	return m.Code
}

// answer completes nina's first-factor challenge ch.
func (e *emu) answer(t *testing.T, ch *cognito.Challenge, k *cognitotest.Passkey) (*cognito.Result, error) {
	t.Helper()
	ctx := context.Background()
	switch ch.Name {
	case cognito.ChallengeEmailOTP:
		return ch.AnswerEmailOTP(ctx, e.lastSignInCode(t))
	case cognito.ChallengeSMSOTP:
		return ch.AnswerSMSOTP(ctx, e.lastSignInCode(t))
	case cognito.ChallengePassword, cognito.ChallengePasswordSRP:
		return ch.AnswerPassword(ctx, pw)
	case cognito.ChallengeWebAuthn:
		require.NotNil(t, ch.CredentialRequestOptions)
		cred, err := k.Get(ch.CredentialRequestOptions.JSON())
		require.NoError(t, err)
		return ch.AnswerWebAuthn(ctx, cred)
	}
	t.Fatalf("unexpected challenge %s", ch.Name)
	return nil, nil
}

func apiCode(err error) string {
	var ce *cognito.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func TestEmulatorUserAuthChosenFactor(t *testing.T) {
	ctx := context.Background()
	for _, f := range cognito.Factors {
		t.Run(string(f), func(t *testing.T) {
			e := newUserAuthEmu(t, uaOptions{})
			k := cognitotest.MustNewPasskey(rpOrigin)
			require.NoError(t, e.registerPasskey(t, k))

			res, err := e.c.SignIn(ctx, "nina", "", withFactor(""))
			require.NoError(t, err)
			require.NotNil(t, res.Challenge)
			require.Equal(t, cognito.ChallengeSelectFactor, res.Challenge.Name)
			assert.Equal(t, cognito.Factors, res.Challenge.AvailableFactors)

			res, err = res.Challenge.SelectFactor(ctx, f)
			require.NoError(t, err)
			require.NotNil(t, res.Challenge)
			if f == cognito.FactorEmailOTP || f == cognito.FactorSMSOTP {
				assert.NotEmpty(t, res.Challenge.Parameters["CODE_DELIVERY_DESTINATION"])
			}
			res, err = e.answer(t, res.Challenge, k)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens, "%v", res)
			assert.NotEmpty(t, res.Tokens.RefreshToken)
		})
	}
}

func TestEmulatorUserAuthPreferredFactor(t *testing.T) {
	ctx := context.Background()
	e := newUserAuthEmu(t, uaOptions{})
	k := cognitotest.MustNewPasskey(rpOrigin)
	require.NoError(t, e.registerPasskey(t, k))
	for _, f := range cognito.Factors {
		t.Run(string(f), func(t *testing.T) {
			password := ""
			if f == cognito.FactorPassword || f == cognito.FactorPasswordSRP {
				password = pw
			}
			res, err := e.c.SignIn(ctx, "nina", password, withFactor(f))
			require.NoError(t, err)
			if f == cognito.FactorPassword || f == cognito.FactorPasswordSRP {
				require.NotNil(t, res.Tokens, "%v", res) // the client answers PASSWORD_VERIFIER itself
				return
			}
			require.NotNil(t, res.Challenge)
			assert.Equal(t, cognito.ChallengeName(f), res.Challenge.Name)
			res, err = e.answer(t, res.Challenge, k)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		_, err := e.c.SignIn(ctx, "nina", "Wrong-Horse-9!", withFactor(cognito.FactorPassword))
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
	t.Run("factor the user lacks falls back to the choice", func(t *testing.T) {
		e.srv.MustCreateUser(e.pool, "omar", pw, map[string]string{"email": "omar@example.com"})
		res, err := e.c.SignIn(ctx, "omar", "", withFactor(cognito.FactorWebAuthn))
		require.NoError(t, err)
		require.NotNil(t, res.Challenge)
		assert.Equal(t, cognito.ChallengeSelectFactor, res.Challenge.Name)
		assert.Equal(t, []cognito.Factor{cognito.FactorPassword, cognito.FactorPasswordSRP, cognito.FactorEmailOTP}, res.Challenge.AvailableFactors)
	})
}

func TestEmulatorUserAuthGates(t *testing.T) {
	ctx := context.Background()
	t.Run("factor not allowed by the pool", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{factors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}})
		_, err := e.c.SignIn(ctx, "nina", "", withFactor(cognito.FactorSMSOTP))
		require.ErrorIs(t, err, cognito.ErrInvalidParameter)
		assert.Equal(t, "InvalidParameterException", apiCode(err))

		res, err := e.c.SignIn(ctx, "nina", "", withFactor(""))
		require.NoError(t, err)
		assert.Equal(t, []cognito.Factor{cognito.FactorPassword, cognito.FactorPasswordSRP, cognito.FactorEmailOTP}, res.Challenge.AvailableFactors)
	})
	t.Run("answer not on offer", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{factors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}})
		api := cip.NewFromConfig(e.srv.Config())
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.app.ID), AuthFlow: types.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": "nina"}})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeSelectChallenge, out.ChallengeName)
		assert.Equal(t, "nina", out.ChallengeParameters["USERNAME"])
		_, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.app.ID),
			ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "nina", "ANSWER": "SMS_OTP"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "InvalidParameterException")
		// the session survives a refused choice
		res, err := api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.app.ID),
			ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "nina", "ANSWER": "PASSWORD", "PASSWORD": pw}})
		require.NoError(t, err)
		require.NotNil(t, res.AuthenticationResult)
	})
	t.Run("client without ALLOW_USER_AUTH", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{flows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
		_, err := e.c.SignIn(ctx, "nina", "", withFactor(""))
		require.ErrorIs(t, err, cognito.ErrInvalidParameter)
		assert.Contains(t, err.Error(), "USER_AUTH flow not enabled for this client")
	})
	t.Run("lite tier", func(t *testing.T) {
		srv := cognitotest.NewServer()
		t.Cleanup(srv.Close)
		api := cip.NewFromConfig(srv.Config())
		_, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("lite"), UserPoolTier: types.UserPoolTierTypeLite,
			Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "FeatureUnavailableInTierException")

		e := newUserAuthEmu(t, uaOptions{tier: types.UserPoolTierTypeLite, factors: []types.AuthFactorType{types.AuthFactorTypePassword}, rpID: "-"})
		_, err = e.c.SignIn(ctx, "nina", "", withFactor(""))
		require.ErrorIs(t, err, cognito.ErrFeatureUnavailableInTier)
	})
	t.Run("unknown user", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		_, err := e.c.SignIn(ctx, "nobody", "", withFactor(""))
		require.ErrorIs(t, err, cognito.ErrUserNotFound)
	})
	t.Run("unknown user, user existence errors prevented", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		app := e.srv.MustCreateUserPoolClient(e.pool, cognitotest.ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}, PreventUserExistenceErrors: true})
		c := cognito.New(e.srv.Config(), e.pool, app.ID, func(o *cognito.Options) { o.Clock = e.srv.Now })
		res, err := c.SignIn(ctx, "nobody", "", withFactor(""))
		require.NoError(t, err, "a choice, as for a user")
		require.NotNil(t, res.Challenge)
		assert.Equal(t, []cognito.Factor{cognito.FactorPassword, cognito.FactorPasswordSRP, cognito.FactorEmailOTP, cognito.FactorSMSOTP}, res.Challenge.AvailableFactors)
		_, err = res.Challenge.SelectFactor(ctx, cognito.FactorEmailOTP)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		for _, f := range []cognito.Factor{cognito.FactorPassword, cognito.FactorPasswordSRP} {
			_, err = c.SignIn(ctx, "nobody", pw, withFactor(f))
			require.ErrorIs(t, err, cognito.ErrNotAuthorized, "%s", f)
			_, err = c.SignIn(ctx, "nina", "Wrong-Horse-9!", withFactor(f))
			require.ErrorIs(t, err, cognito.ErrNotAuthorized, "%s: the same answer as a wrong password", f)
		}
	})
	t.Run("admin flow", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		api := cip.NewFromConfig(e.srv.Config())
		out, err := api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.app.ID),
			AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "nina", "PREFERRED_CHALLENGE": "EMAIL_OTP"}})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeEmailOtp, out.ChallengeName)
		_, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.app.ID), ChallengeName: out.ChallengeName,
			Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": "nina", "EMAIL_OTP_CODE": e.lastSignInCode(t)}})
		require.Error(t, err, "an admin session is not answered by the public operation")
		res, err := api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.app.ID),
			ChallengeName: out.ChallengeName, Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": "nina", "EMAIL_OTP_CODE": e.lastSignInCode(t)}})
		require.NoError(t, err)
		require.NotNil(t, res.AuthenticationResult)
	})
	t.Run("UpdateUserPool sets the policy, and resets what it leaves out", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{factors: []types.AuthFactorType{types.AuthFactorTypePassword}})
		api := cip.NewFromConfig(e.srv.Config())
		_, err := e.c.SignIn(ctx, "nina", "", withFactor(cognito.FactorEmailOTP))
		require.ErrorIs(t, err, cognito.ErrInvalidParameter)

		_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			Policies:               &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}})
		require.NoError(t, err)
		res, err := e.c.SignIn(ctx, "nina", "", withFactor(cognito.FactorEmailOTP))
		require.NoError(t, err)
		res, err = res.Challenge.AnswerEmailOTP(ctx, e.lastSignInCode(t))
		require.NoError(t, err)
		require.NotNil(t, res.Tokens)

		_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool), UserPoolTier: types.UserPoolTierTypeLite,
			Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "FeatureUnavailableInTierException")

		_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool)})
		require.NoError(t, err)
		d, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})
		require.NoError(t, err)
		assert.Equal(t, []types.AuthFactorType{types.AuthFactorTypePassword}, d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors)
		assert.Equal(t, "ua", aws.ToString(d.UserPool.Name))
		assert.Equal(t, types.UserPoolTierTypeEssentials, d.UserPool.UserPoolTier, "the tier stays")
		assert.Equal(t, int32(8), aws.ToInt32(d.UserPool.Policies.PasswordPolicy.MinimumLength))
		_, err = e.c.SignIn(ctx, "nina", "", withFactor(cognito.FactorEmailOTP))
		require.ErrorIs(t, err, cognito.ErrInvalidParameter)
		e.signInPassword(t) // users and clients stay

		_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_nope")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ResourceNotFoundException")
	})
	t.Run("sign-in policy without PASSWORD", func(t *testing.T) {
		srv := cognitotest.NewServer()
		t.Cleanup(srv.Close)
		_, err := cip.NewFromConfig(srv.Config()).CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypeEmailOtp}}}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "InvalidParameterException")
	})
	t.Run("describe and mfa config show the policy", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{uv: types.UserVerificationTypeRequired})
		api := cip.NewFromConfig(e.srv.Config())
		d, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})
		require.NoError(t, err)
		assert.Equal(t, types.UserPoolTierTypeEssentials, d.UserPool.UserPoolTier)
		require.NotNil(t, d.UserPool.Policies.SignInPolicy)
		assert.Len(t, d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors, 4)
		m, err := api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool)})
		require.NoError(t, err)
		require.NotNil(t, m.WebAuthnConfiguration)
		assert.Equal(t, rpID, aws.ToString(m.WebAuthnConfiguration.RelyingPartyId))
		assert.Equal(t, types.UserVerificationTypeRequired, m.WebAuthnConfiguration.UserVerification)
		_, err = api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
			WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("https://auth.example.com/")}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "InvalidParameterException")
	})
}

func TestEmulatorUserAuthCodes(t *testing.T) {
	ctx := context.Background()
	for _, f := range []cognito.Factor{cognito.FactorEmailOTP, cognito.FactorSMSOTP} {
		answer := func(ch *cognito.Challenge, code string) (*cognito.Result, error) {
			if f == cognito.FactorEmailOTP {
				return ch.AnswerEmailOTP(ctx, code)
			}
			return ch.AnswerSMSOTP(ctx, code)
		}
		start := func(t *testing.T, e *emu) (*cognito.Challenge, string) {
			res, err := e.c.SignIn(ctx, "nina", "", withFactor(f))
			require.NoError(t, err)
			require.NotNil(t, res.Challenge)
			return res.Challenge, e.lastSignInCode(t)
		}
		wrong := func(code string) string {
			if code == "00000000" {
				return "11111111"
			}
			return "00000000"
		}
		t.Run(string(f)+"/wrong code, then the right one", func(t *testing.T) {
			e := newUserAuthEmu(t, uaOptions{})
			ch, code := start(t, e)
			_, err := answer(ch, wrong(code))
			require.ErrorIs(t, err, cognito.ErrCodeMismatch)
			res, err := answer(ch, code)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
			// single use
			_, err = answer(ch, code)
			require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		})
		t.Run(string(f)+"/expired code", func(t *testing.T) {
			e := newUserAuthEmu(t, uaOptions{})
			ch, code := start(t, e)
			e.srv.Advance(3*60e9 + 1e9)
			_, err := answer(ch, code)
			require.ErrorIs(t, err, cognito.ErrExpiredCode)
		})
		t.Run(string(f)+"/attempt limit", func(t *testing.T) {
			e := newUserAuthEmu(t, uaOptions{})
			ch, code := start(t, e)
			for i := 1; i < 3; i++ {
				_, err := answer(ch, wrong(code))
				require.ErrorIs(t, err, cognito.ErrCodeMismatch, "attempt %d", i)
			}
			_, err := answer(ch, wrong(code))
			require.ErrorIs(t, err, cognito.ErrNotAuthorized)
			_, err = answer(ch, code)
			require.ErrorIs(t, err, cognito.ErrNotAuthorized, "the session is gone")
		})
	}
}

func TestEmulatorPasskeyRegistration(t *testing.T) {
	ctx := context.Background()
	for _, att := range []string{"none", "packed"} {
		t.Run("attestation "+att, func(t *testing.T) {
			e := newUserAuthEmu(t, uaOptions{uv: types.UserVerificationTypeRequired})
			k := cognitotest.MustNewPasskey(rpOrigin)
			k.Attestation = att
			require.NoError(t, e.registerPasskey(t, k))
			tk := e.signInPassword(t)
			l, err := e.c.ListPasskeys(ctx, tk.AccessToken)
			require.NoError(t, err)
			require.Len(t, l, 1)
			assert.Equal(t, k.CredentialID(), l[0].CredentialID)
			assert.Equal(t, rpID, l[0].RelyingPartyID)
			f, err := e.c.GetUserAuthFactors(ctx, tk.AccessToken)
			require.NoError(t, err)
			assert.Contains(t, f.Factors, cognito.FactorWebAuthn)

			// a second registration of the same authenticator is excluded
			opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
			require.NoError(t, err)
			_, err = k.Create(opts.JSON())
			require.ErrorIs(t, err, cognitotest.ErrPasskeyOptions)

			require.NoError(t, e.c.DeletePasskey(ctx, tk.AccessToken, k.CredentialID()))
			l, err = e.c.ListPasskeys(ctx, tk.AccessToken)
			require.NoError(t, err)
			assert.Empty(t, l)
			require.Error(t, e.c.DeletePasskey(ctx, tk.AccessToken, k.CredentialID()))
		})
	}
	refusals := []struct {
		name  string
		opts  uaOptions
		bend  func(*cognitotest.Passkey)
		code  string
		isErr error
	}{
		{"wrong origin", uaOptions{}, func(k *cognitotest.Passkey) { k.Origin = "https://evil.example.net" }, "WebAuthnOriginNotAllowedException", cognito.ErrWebAuthnRefused},
		{"origin over http", uaOptions{}, func(k *cognitotest.Passkey) { k.Origin = "http://auth.example.com" }, "WebAuthnOriginNotAllowedException", cognito.ErrWebAuthnRefused},
		{"wrong RP ID", uaOptions{}, func(k *cognitotest.Passkey) { k.RPID = "evil.example.net" }, "WebAuthnRelyingPartyMismatchException", cognito.ErrWebAuthnRefused},
		{"other challenge", uaOptions{}, func(k *cognitotest.Passkey) { k.Challenge = "AAAAAAAAAAAAAAAAAAAAAA" }, "WebAuthnChallengeNotFoundException", cognito.ErrWebAuthnRefused},
		{"UV required but absent", uaOptions{uv: types.UserVerificationTypeRequired}, func(k *cognitotest.Passkey) { k.NoUserVerification = true }, "WebAuthnCredentialNotSupportedException", cognito.ErrWebAuthnRefused},
		{"passkeys not enabled", uaOptions{factors: []types.AuthFactorType{types.AuthFactorTypePassword}}, nil, "WebAuthnNotEnabledException", cognito.ErrWebAuthnNotEnabled},
		{"no relying party", uaOptions{rpID: "-"}, nil, "WebAuthnConfigurationMissingException", cognito.ErrWebAuthnConfigurationMissing},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			e := newUserAuthEmu(t, tc.opts)
			tk := e.signInPassword(t)
			opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
			if tc.bend == nil {
				require.ErrorIs(t, err, tc.isErr)
				assert.Equal(t, tc.code, apiCode(err))
				return
			}
			require.NoError(t, err)
			k := cognitotest.MustNewPasskey(rpOrigin)
			tc.bend(k)
			cred, err := k.Create(opts.JSON())
			require.NoError(t, err)
			err = e.c.CompletePasskeyRegistration(ctx, tk.AccessToken, cred)
			require.ErrorIs(t, err, tc.isErr)
			assert.Equal(t, tc.code, apiCode(err))
			tk2 := e.signInPassword(t)
			l, err := e.c.ListPasskeys(ctx, tk2.AccessToken)
			require.NoError(t, err)
			assert.Empty(t, l, "nothing registered")
		})
	}
	t.Run("replayed registration", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		tk := e.signInPassword(t)
		opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
		require.NoError(t, err)
		k := cognitotest.MustNewPasskey(rpOrigin)
		cred, err := k.Create(opts.JSON())
		require.NoError(t, err)
		require.NoError(t, e.c.CompletePasskeyRegistration(ctx, tk.AccessToken, cred))
		err = e.c.CompletePasskeyRegistration(ctx, tk.AccessToken, cred)
		assert.Equal(t, "WebAuthnChallengeNotFoundException", apiCode(err))
	})
	t.Run("another app client completes", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		other := e.srv.MustCreateUserPoolClient(e.pool, cognitotest.ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}})
		c2 := cognito.New(e.srv.Config(), e.pool, other.ID, func(o *cognito.Options) { o.Clock = e.srv.Now })
		tk := e.signInPassword(t)
		opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
		require.NoError(t, err)
		res, err := c2.SignIn(ctx, "nina", pw, withFactor(cognito.FactorPassword))
		require.NoError(t, err)
		cred, err := cognitotest.MustNewPasskey(rpOrigin).Create(opts.JSON())
		require.NoError(t, err)
		err = c2.CompletePasskeyRegistration(ctx, res.Tokens.AccessToken, cred)
		assert.Equal(t, "WebAuthnClientMismatchException", apiCode(err))
	})
	t.Run("registration expires", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		tk := e.signInPassword(t)
		opts, err := e.c.StartPasskeyRegistration(ctx, tk.AccessToken)
		require.NoError(t, err)
		cred, err := cognitotest.MustNewPasskey(rpOrigin).Create(opts.JSON())
		require.NoError(t, err)
		e.srv.Advance(6 * 60e9)
		err = e.c.CompletePasskeyRegistration(ctx, tk.AccessToken, cred)
		assert.Equal(t, "WebAuthnChallengeNotFoundException", apiCode(err))
	})
	t.Run("subdomain origin is allowed", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		require.NoError(t, e.registerPasskey(t, cognitotest.MustNewPasskey("https://app.auth.example.com")))
	})
}

// webAuthnChallenge starts a passkey sign-in for nina.
func webAuthnChallenge(t *testing.T, e *emu) *cognito.Challenge {
	t.Helper()
	res, err := e.c.SignIn(context.Background(), "nina", "", withFactor(cognito.FactorWebAuthn))
	require.NoError(t, err)
	require.NotNil(t, res.Challenge)
	require.Equal(t, cognito.ChallengeWebAuthn, res.Challenge.Name)
	return res.Challenge
}

func TestEmulatorPasskeySignIn(t *testing.T) {
	ctx := context.Background()
	t.Run("signs in, counter grows", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{uv: types.UserVerificationTypeRequired})
		k := cognitotest.MustNewPasskey(rpOrigin)
		k.Attestation = "packed"
		require.NoError(t, e.registerPasskey(t, k))
		for i := 0; i < 3; i++ {
			ch := webAuthnChallenge(t, e)
			o := ch.CredentialRequestOptions
			assert.Equal(t, rpID, o.RelyingPartyID)
			assert.Equal(t, []string{k.CredentialID()}, o.AllowCredentials)
			assert.Equal(t, "required", o.UserVerification)
			res, err := e.answer(t, ch, k)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		}
		assert.Equal(t, uint32(3), k.Counter())
	})
	for _, tc := range []struct {
		name string
		opts uaOptions
		bend func(t *testing.T, e *emu, k *cognitotest.Passkey)
		why  string // in the refusal's message
	}{
		{"wrong origin", uaOptions{}, func(_ *testing.T, _ *emu, k *cognitotest.Passkey) { k.Origin = "https://auth.example.com.evil.net" }, "origin not allowed"},
		{"wrong RP ID", uaOptions{}, func(_ *testing.T, _ *emu, k *cognitotest.Passkey) { k.RPID = "example.com" }, "another relying party"},
		{"cloned authenticator", uaOptions{}, func(_ *testing.T, _ *emu, k *cognitotest.Passkey) { k.SetCounter(0) }, "sign counter"},
		{"UV required but absent", uaOptions{uv: types.UserVerificationTypeRequired}, func(_ *testing.T, _ *emu, k *cognitotest.Passkey) { k.NoUserVerification = true }, "verif"},
		{"replayed challenge", uaOptions{}, func(t *testing.T, e *emu, k *cognitotest.Passkey) {
			k.Challenge = webAuthnChallenge(t, e).CredentialRequestOptions.Challenge
		}, "not this session's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newUserAuthEmu(t, tc.opts)
			k := cognitotest.MustNewPasskey(rpOrigin)
			require.NoError(t, e.registerPasskey(t, k))
			// one good sign-in first, so that the counter is past zero
			res, err := e.answer(t, webAuthnChallenge(t, e), k)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)

			tc.bend(t, e, k)
			ch := webAuthnChallenge(t, e)
			_, err = e.answer(t, ch, k)
			require.ErrorIs(t, err, cognito.ErrNotAuthorized)
			assert.Equal(t, "NotAuthorizedException", apiCode(err))
			assert.Contains(t, err.Error(), tc.why)
		})
	}
	t.Run("assertion used twice", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		k := cognitotest.MustNewPasskey(rpOrigin)
		require.NoError(t, e.registerPasskey(t, k))
		ch := webAuthnChallenge(t, e)
		cred, err := k.Get(ch.CredentialRequestOptions.JSON())
		require.NoError(t, err)
		_, err = ch.AnswerWebAuthn(ctx, cred)
		require.NoError(t, err)
		_, err = ch.AnswerWebAuthn(ctx, cred)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
	t.Run("garbage credential", func(t *testing.T) {
		e := newUserAuthEmu(t, uaOptions{})
		require.NoError(t, e.registerPasskey(t, cognitotest.MustNewPasskey(rpOrigin)))
		ch := webAuthnChallenge(t, e)
		b, _ := json.Marshal(map[string]any{"id": "x", "rawId": "x", "type": "public-key", "response": map[string]any{"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}})
		_, err := ch.AnswerWebAuthn(ctx, b)
		require.Error(t, err)
	})
}

// TestEmulatorMfaConfigWithoutMFAHasNoSoftwareTokenBlock: GetUserPoolMfaConfig
// of a pool without MFA leaves SoftwareTokenMfaConfiguration out, as
// Cognito does (Terraform's AWS provider saw {Enabled: false} as drift).
func TestEmulatorMfaConfigWithoutMFAHasNoSoftwareTokenBlock(t *testing.T) {
	ctx := context.Background()
	e := newUserAuthEmu(t, uaOptions{})
	api := cip.NewFromConfig(e.srv.Config())
	m, err := api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool)})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolMfaTypeOff, m.MfaConfiguration)
	assert.Nil(t, m.SoftwareTokenMfaConfiguration)

	_, err = api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOptional})
	require.NoError(t, err)
	m, err = api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool)})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolMfaTypeOptional, m.MfaConfiguration)
	require.NotNil(t, m.SoftwareTokenMfaConfiguration)
	assert.True(t, m.SoftwareTokenMfaConfiguration.Enabled)
	require.NotNil(t, m.WebAuthnConfiguration, "the passkey configuration stays")
	assert.Equal(t, rpID, aws.ToString(m.WebAuthnConfiguration.RelyingPartyId))
}
