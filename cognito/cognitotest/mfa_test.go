package cognitotest

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

func respond(f *fixture, name types.ChallengeNameType, session *string, r map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &f.client.ID, ChallengeName: name, Session: session, ChallengeResponses: r})
}

func TestMFASetupAndSoftwareToken(t *testing.T) {
	f := setup(t, PoolOptions{MFA: "ON"}, ClientOptions{})
	out, err := passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeMfaSetup, out.ChallengeName)

	// MFA_SETUP needs a verified token first.
	_, err = respond(f, types.ChallengeNameTypeMfaSetup, out.Session, map[string]string{"USERNAME": "alice"})
	requireCode(t, err, "InvalidParameterException")
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)

	as, err := f.c.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{Session: out.Session})
	require.NoError(t, err)
	require.NotEmpty(t, *as.SecretCode)
	_, err = f.c.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{Session: as.Session, UserCode: aws.String("000000")})
	requireCode(t, err, "EnableSoftwareTokenMFAException")
	vs, err := f.c.VerifySoftwareToken(ctx(), &cip.VerifySoftwareTokenInput{Session: as.Session, UserCode: aws.String(f.s.MustTOTP(*as.SecretCode))})
	require.NoError(t, err)
	assert.Equal(t, types.VerifySoftwareTokenResponseTypeSuccess, vs.Status)
	done, err := respond(f, types.ChallengeNameTypeMfaSetup, vs.Session, map[string]string{"USERNAME": "alice"})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)

	// Next sign-in asks for the TOTP code; a code is good once.
	f.s.Advance(30 * time.Second)
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSoftwareTokenMfa, out.ChallengeName)
	_, err = respond(f, types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": "123456"})
	requireCode(t, err, "CodeMismatchException")
	code := f.s.MustTOTP(*as.SecretCode)
	done, err = respond(f, types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
	require.NoError(t, err, "the session survives one wrong code")
	require.NotNil(t, done.AuthenticationResult)
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	_, err = respond(f, types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})
	requireCode(t, err, "CodeMismatchException")

	// Access-token association + preferences.
	f.s.Advance(30 * time.Second)
	done, err = respond(f, types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": f.s.MustTOTP(*as.SecretCode)})
	require.NoError(t, err)
	at := done.AuthenticationResult.AccessToken
	g, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	require.NoError(t, err)
	assert.Equal(t, "SOFTWARE_TOKEN_MFA", *g.PreferredMfaSetting)
	assert.Equal(t, []string{"SOFTWARE_TOKEN_MFA"}, g.UserMFASettingList)
	_, err = f.c.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: at,
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	requireCode(t, err, "InvalidParameterException") // no phone number
	_, err = f.c.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: at,
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}})
	require.NoError(t, err)

	// With two factors and a preference, the preferred one is asked.
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeEmailOtp, out.ChallengeName)
	assert.Equal(t, "EMAIL", out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"])
	otp, _ := f.s.LastCode(f.pool, "alice")
	done, err = respond(f, types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": otp})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)

	// Without a preference: SELECT_MFA_TYPE.
	_, err = f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	require.NoError(t, err)
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSelectMfaType, out.ChallengeName)
	assert.JSONEq(t, `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`, out.ChallengeParameters["MFAS_CAN_CHOOSE"])
	_, err = respond(f, types.ChallengeNameTypeSelectMfaType, out.Session, map[string]string{"USERNAME": "alice", "ANSWER": "SMS_MFA"})
	requireCode(t, err, "InvalidParameterException")
	out, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	sel, err := respond(f, types.ChallengeNameTypeSelectMfaType, out.Session, map[string]string{"USERNAME": "alice", "ANSWER": "SOFTWARE_TOKEN_MFA"})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSoftwareTokenMfa, sel.ChallengeName)
	f.s.Advance(30 * time.Second)
	done, err = respond(f, types.ChallengeNameTypeSoftwareTokenMfa, sel.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": f.s.MustTOTP(*as.SecretCode)})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)

	// Associate via access token: the new secret is pending until verified.
	as2, err := f.c.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{AccessToken: done.AuthenticationResult.AccessToken})
	require.NoError(t, err)
	assert.NotEqual(t, *as.SecretCode, *as2.SecretCode)
	_, err = f.c.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{})
	requireCode(t, err, "InvalidParameterException")
}

func TestSMSMFA(t *testing.T) {
	f := setup(t, PoolOptions{MFA: "OPTIONAL"}, ClientOptions{})
	f.s.MustCreateUser(f.pool, "sam", testPassword, map[string]string{"phone_number": "+15555550123"})
	// OPTIONAL and nothing enabled: straight to tokens.
	out, err := passwordSignIn(f, "sam", testPassword)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)

	_, err = f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("sam"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}})
	require.NoError(t, err)
	_, err = f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("sam"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	requireCode(t, err, "InvalidParameterException") // never associated

	sc, ch, err := srpStart(t, f, "sam", nil)
	require.NoError(t, err)
	r, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSmsMfa, r.ChallengeName)
	assert.Equal(t, "+*******0123", r.ChallengeParameters["CODE_DELIVERY_DESTINATION"])
	msgs := f.s.Messages(f.pool)
	last := msgs[len(msgs)-1]
	assert.Equal(t, "SMS", last.Medium)
	assert.Equal(t, KindMFA, last.Kind)
	assert.Equal(t, "+15555550123", last.Destination)

	for i := 0; i < maxChallengeFailures; i++ {
		_, err = respond(f, types.ChallengeNameTypeSmsMfa, r.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": "000000x"})
		requireCode(t, err, "CodeMismatchException")
	}
	_, err = respond(f, types.ChallengeNameTypeSmsMfa, r.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": last.Code})
	requireCode(t, err, "NotAuthorizedException") // the session is gone after too many failures

	r2, err := passwordSignIn(f, "sam", testPassword)
	require.NoError(t, err)
	code, _ := f.s.LastCode(f.pool, "sam")
	_, err = respond(f, types.ChallengeNameTypePasswordVerifier, r2.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code})
	requireCode(t, err, "InvalidParameterException") // wrong challenge for the session
	r2, err = passwordSignIn(f, "sam", testPassword)
	require.NoError(t, err)
	code, _ = f.s.LastCode(f.pool, "sam")
	_, err = respond(f, types.ChallengeNameTypeSmsMfa, r2.Session, map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": code})
	requireCode(t, err, "NotAuthorizedException") // someone else's session
	r2, err = passwordSignIn(f, "sam", testPassword)
	require.NoError(t, err)
	code, _ = f.s.LastCode(f.pool, "sam")
	done, err := respond(f, types.ChallengeNameTypeSmsMfa, r2.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)
}

func TestDevices(t *testing.T) {
	f := setup(t, PoolOptions{DeviceTracking: true, MFA: "OPTIONAL"}, ClientOptions{})
	f.s.MustCreateUser(f.pool, "sam", testPassword, map[string]string{"phone_number": "+15555550123"})
	_, err := f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("sam"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	require.NoError(t, err)

	// First sign-in: SRP then SMS, and a new device.
	sc, ch, err := srpStart(t, f, "sam", nil)
	require.NoError(t, err)
	r, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSmsMfa, r.ChallengeName)
	code, _ := f.s.LastCode(f.pool, "sam")
	done, err := respond(f, types.ChallengeNameTypeSmsMfa, r.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code})
	require.NoError(t, err)
	meta := done.AuthenticationResult.NewDeviceMetadata
	require.NotNil(t, meta)
	at := done.AuthenticationResult.AccessToken
	assert.Equal(t, *meta.DeviceKey, decodeClaims(t, *at)["device_key"])

	dv, err := srp.NewDeviceVerifier(*meta.DeviceGroupKey, *meta.DeviceKey, nil)
	require.NoError(t, err)
	_, err = f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: aws.String(unknownDeviceKey),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: &dv.PasswordVerifier, Salt: &dv.Salt}})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: meta.DeviceKey})
	requireCode(t, err, "InvalidParameterException")
	cd, err := f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: meta.DeviceKey, DeviceName: aws.String("laptop"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: &dv.PasswordVerifier, Salt: &dv.Salt}})
	require.NoError(t, err)
	assert.False(t, cd.UserConfirmationNecessary)

	gd, err := f.c.GetDevice(ctx(), &cip.GetDeviceInput{AccessToken: at, DeviceKey: meta.DeviceKey})
	require.NoError(t, err)
	assert.Equal(t, "laptop", attrMap(gd.Device.DeviceAttributes)["device_name"])
	ld, err := f.c.ListDevices(ctx(), &cip.ListDevicesInput{AccessToken: at})
	require.NoError(t, err)
	assert.Len(t, ld.Devices, 1)
	ad, err := f.c.AdminListDevices(ctx(), &cip.AdminListDevicesInput{UserPoolId: &f.pool, Username: aws.String("sam")})
	require.NoError(t, err)
	assert.Len(t, ad.Devices, 1)

	// Remembered device: SRP, then device SRP, and no SMS.
	deviceSignIn := func(devicePassword string) (*cip.RespondToAuthChallengeOutput, error) {
		sc, ch, err := srpStart(t, f, "sam", map[string]string{"DEVICE_KEY": *meta.DeviceKey})
		require.NoError(t, err)
		r, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), map[string]string{"DEVICE_KEY": *meta.DeviceKey})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeDeviceSrpAuth, r.ChallengeName)
		dc, err := srp.NewClient(nil)
		require.NoError(t, err)
		r2, err := respond(f, types.ChallengeNameTypeDeviceSrpAuth, r.Session, map[string]string{"USERNAME": "sam", "DEVICE_KEY": *meta.DeviceKey, "SRP_A": dc.SRPA()})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeDevicePasswordVerifier, r2.ChallengeName)
		p := r2.ChallengeParameters
		sig, ts, err := dc.PasswordClaim(*meta.DeviceGroupKey, *meta.DeviceKey, devicePassword, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], f.s.Now())
		require.NoError(t, err)
		return respond(f, types.ChallengeNameTypeDevicePasswordVerifier, r2.Session, map[string]string{"USERNAME": "sam", "DEVICE_KEY": *meta.DeviceKey,
			"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts})
	}
	out, err := deviceSignIn(dv.Password)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult, "remembered device skips MFA")
	assert.Nil(t, out.AuthenticationResult.NewDeviceMetadata)
	assert.Equal(t, *meta.DeviceKey, decodeClaims(t, *out.AuthenticationResult.AccessToken)["device_key"])
	_, err = deviceSignIn("wrong-device-password")
	requireCode(t, err, "NotAuthorizedException")

	// Not remembered: device SRP then MFA.
	_, err = f.c.UpdateDeviceStatus(ctx(), &cip.UpdateDeviceStatusInput{AccessToken: at, DeviceKey: meta.DeviceKey, DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered})
	require.NoError(t, err)
	_, err = f.c.UpdateDeviceStatus(ctx(), &cip.UpdateDeviceStatusInput{AccessToken: at, DeviceKey: meta.DeviceKey, DeviceRememberedStatus: "maybe"})
	requireCode(t, err, "InvalidParameterException")
	out, err = deviceSignIn(dv.Password)
	require.NoError(t, err)
	assert.Equal(t, types.ChallengeNameTypeSmsMfa, out.ChallengeName)

	_, err = f.c.ForgetDevice(ctx(), &cip.ForgetDeviceInput{AccessToken: at, DeviceKey: meta.DeviceKey})
	require.NoError(t, err)
	_, err = f.c.GetDevice(ctx(), &cip.GetDeviceInput{AccessToken: at, DeviceKey: meta.DeviceKey})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestCustomAuth(t *testing.T) {
	hooks := &CustomAuthHooks{
		Define: func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error) {
			n := len(in.Session)
			switch {
			case n > 0 && in.Session[n-1].ChallengeResult:
				return DefineAuthChallengeOutput{IssueTokens: true}, nil
			case n >= 2:
				return DefineAuthChallengeOutput{FailAuthentication: true}, nil
			}
			return DefineAuthChallengeOutput{ChallengeName: "CUSTOM_CHALLENGE"}, nil
		},
		Create: func(in CreateAuthChallengeInput) (CreateAuthChallengeOutput, error) {
			if in.Username == "broken" {
				return CreateAuthChallengeOutput{}, errors.New("boom")
			}
			return CreateAuthChallengeOutput{PublicChallengeParameters: map[string]string{"question": "2+2"},
				PrivateChallengeParameters: map[string]string{"answer": "4"}}, nil
		},
		Verify: func(in VerifyAuthChallengeInput) (bool, error) {
			return in.ChallengeAnswer == in.PrivateChallengeParameters["answer"], nil
		},
	}
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.CustomAuth = hooks })
	f.s.MustCreateUser(f.pool, "broken", testPassword, nil)
	start := func(user string) (*cip.InitiateAuthOutput, error) {
		return f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": user}})
	}
	out, err := start("alice")
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeCustomChallenge, out.ChallengeName)
	assert.Equal(t, "2+2", out.ChallengeParameters["question"])
	assert.NotContains(t, out.ChallengeParameters, "answer")
	r, err := respond(f, types.ChallengeNameTypeCustomChallenge, out.Session, map[string]string{"USERNAME": "alice", "ANSWER": "5"})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeCustomChallenge, r.ChallengeName, "a second try")
	r, err = respond(f, types.ChallengeNameTypeCustomChallenge, r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "4"})
	require.NoError(t, err)
	require.NotNil(t, r.AuthenticationResult)

	out, err = start("alice")
	require.NoError(t, err)
	r, err = respond(f, types.ChallengeNameTypeCustomChallenge, out.Session, map[string]string{"USERNAME": "alice", "ANSWER": "1"})
	require.NoError(t, err)
	_, err = respond(f, types.ChallengeNameTypeCustomChallenge, r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "2"})
	requireCode(t, err, "NotAuthorizedException")

	_, err = start("broken")
	requireCode(t, err, "UserLambdaValidationException")
	_, err = start("nobody")
	requireCode(t, err, "UserNotFoundException")

	g := setup(t, PoolOptions{}, ClientOptions{})
	_, err = g.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &g.client.ID,
		AuthParameters: map[string]string{"USERNAME": "alice"}})
	requireCode(t, err, "InvalidParameterException")
}

func TestCustomAuthPasswordFirst(t *testing.T) {
	var seen [][]string
	hooks := &CustomAuthHooks{
		Define: func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error) {
			var names []string
			for _, r := range in.Session {
				names = append(names, r.ChallengeName)
			}
			seen = append(seen, names)
			n := len(in.Session)
			switch {
			case n == 0:
				return DefineAuthChallengeOutput{ChallengeName: "SRP_A"}, nil
			case in.Session[n-1].ChallengeName == "SRP_A":
				return DefineAuthChallengeOutput{ChallengeName: "PASSWORD_VERIFIER"}, nil
			case in.Session[n-1].ChallengeName == "PASSWORD_VERIFIER":
				return DefineAuthChallengeOutput{ChallengeName: "CUSTOM_CHALLENGE"}, nil
			case in.Session[n-1].ChallengeResult:
				return DefineAuthChallengeOutput{IssueTokens: true}, nil
			}
			return DefineAuthChallengeOutput{FailAuthentication: true}, nil
		},
		Create: func(in CreateAuthChallengeInput) (CreateAuthChallengeOutput, error) {
			return CreateAuthChallengeOutput{PrivateChallengeParameters: map[string]string{"answer": "42"}}, nil
		},
		Verify: func(in VerifyAuthChallengeInput) (bool, error) {
			return in.ChallengeAnswer == in.PrivateChallengeParameters["answer"], nil
		},
	}
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.CustomAuth = hooks })
	run := func(password, answer string) (*cip.RespondToAuthChallengeOutput, error) {
		sc, err := srp.NewClient(nil)
		require.NoError(t, err)
		ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice", "CHALLENGE_NAME": "SRP_A", "SRP_A": sc.SRPA()}})
		require.NoError(t, err)
		r, err := srpAnswer(t, f, sc, &cip.InitiateAuthOutput{ChallengeName: ch.ChallengeName, ChallengeParameters: ch.ChallengeParameters, Session: ch.Session}, password, f.s.Now(), nil)
		if err != nil {
			return nil, err
		}
		require.Equal(t, types.ChallengeNameTypeCustomChallenge, r.ChallengeName)
		return respond(f, types.ChallengeNameTypeCustomChallenge, r.Session, map[string]string{"USERNAME": "alice", "ANSWER": answer})
	}
	out, err := run(testPassword, "42")
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	assert.Equal(t, []string{"SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"}, seen[len(seen)-1])
	_, err = run("Wrong0Passw!", "42")
	requireCode(t, err, "NotAuthorizedException")
	_, err = run(testPassword, "41")
	requireCode(t, err, "NotAuthorizedException")
}
