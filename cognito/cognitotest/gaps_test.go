package cognitotest

// Tests for gaps the cognito client's engineers reported: a DEVICE_KEY for
// a forgotten or unknown device, and CUSTOM_AUTH with the password first.

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

const neverIssuedDevice = "us-east-1_00000000-0000-4000-8000-000000000000"

// deviceFixture is a pool that tracks devices, with alice's device
// confirmed (remembered) and the tokens of the sign-in that made it.
type deviceFixture struct {
	*fixture
	key, group string
	dv         srp.DeviceVerifier
	tokens     *types.AuthenticationResultType
}

func newDeviceFixture(t *testing.T, po PoolOptions, optFns ...func(*Options)) *deviceFixture {
	t.Helper()
	po.DeviceTracking = true
	f := setup(t, po, ClientOptions{}, optFns...)
	out, err := passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	meta := out.AuthenticationResult.NewDeviceMetadata
	require.NotNil(t, meta)
	dv, err := srp.NewDeviceVerifier(*meta.DeviceGroupKey, *meta.DeviceKey, nil)
	require.NoError(t, err)
	_, err = f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: out.AuthenticationResult.AccessToken, DeviceKey: meta.DeviceKey,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: &dv.PasswordVerifier, Salt: &dv.Salt}})
	require.NoError(t, err)
	return &deviceFixture{fixture: f, key: *meta.DeviceKey, group: *meta.DeviceGroupKey, dv: dv, tokens: out.AuthenticationResult}
}

func (d *deviceFixture) forget(t *testing.T) {
	t.Helper()
	_, err := d.c.ForgetDevice(ctx(), &cip.ForgetDeviceInput{AccessToken: d.tokens.AccessToken, DeviceKey: &d.key})
	require.NoError(t, err)
}

func requireDeviceGone(t *testing.T, err error) {
	t.Helper()
	requireCode(t, err, "ResourceNotFoundException")
	assert.Equal(t, "Device does not exist.", message(err))
}

func TestGapDeviceKeyUSERSRPAUTH(t *testing.T) {
	t.Run("live device: device SRP follows", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		r, err := srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		assert.Equal(t, types.ChallengeNameTypeDeviceSrpAuth, r.ChallengeName)
	})
	for _, tc := range []struct {
		name   string
		key    func(d *deviceFixture) string
		forget func(t *testing.T, d *deviceFixture)
	}{
		{"forgotten with ForgetDevice", func(d *deviceFixture) string { return d.key }, func(t *testing.T, d *deviceFixture) { d.forget(t) }},
		{"forgotten with AdminForgetDevice", func(d *deviceFixture) string { return d.key }, func(t *testing.T, d *deviceFixture) {
			_, err := d.c.AdminForgetDevice(ctx(), &cip.AdminForgetDeviceInput{UserPoolId: &d.pool, Username: aws.String("alice"), DeviceKey: &d.key})
			require.NoError(t, err)
		}},
		{"never issued", func(*deviceFixture) string { return neverIssuedDevice }, func(*testing.T, *deviceFixture) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeviceFixture(t, PoolOptions{})
			tc.forget(t, d)
			key := tc.key(d)
			// InitiateAuth takes the key; PASSWORD_VERIFIER refuses it, and
			// the same answer resent without it (same session, as
			// amazon-cognito-identity-js does) signs in.
			sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": key})
			require.NoError(t, err)
			require.Equal(t, types.ChallengeNameTypePasswordVerifier, ch.ChallengeName)
			_, err = srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), map[string]string{"DEVICE_KEY": key})
			requireDeviceGone(t, err)
			out, err := srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), nil)
			require.NoError(t, err)
			require.NotNil(t, out.AuthenticationResult)
			require.NotNil(t, out.AuthenticationResult.NewDeviceMetadata, "a new device replaces the forgotten one")
			assert.NotEqual(t, key, *out.AuthenticationResult.NewDeviceMetadata.DeviceKey)
		})
	}
	t.Run("wrong password with a stale key is a wrong password", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		d.forget(t)
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		_, err = srpAnswer(t, d.fixture, sc, ch, "Wrong0Passw!", d.s.Now(), map[string]string{"DEVICE_KEY": d.key})
		requireCode(t, err, "NotAuthorizedException")
		_, err = srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException") // the session is spent
	})
	t.Run("the session survives only a few stale resends", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		d.forget(t)
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		for i := 0; i < maxChallengeFailures; i++ {
			_, err = srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), map[string]string{"DEVICE_KEY": d.key})
			requireDeviceGone(t, err)
		}
		_, err = srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
	})
	t.Run("stale key only in InitiateAuth is dropped", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		d.forget(t)
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		out, err := srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), nil)
		require.NoError(t, err)
		require.NotNil(t, out.AuthenticationResult)
	})
	t.Run("device forgotten between DEVICE_SRP_AUTH and the answer", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		r, err := srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeDeviceSrpAuth, r.ChallengeName)
		d.forget(t)
		dc, err := srp.NewClient(nil)
		require.NoError(t, err)
		_, err = respond(d.fixture, types.ChallengeNameTypeDeviceSrpAuth, r.Session, map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": dc.SRPA()})
		requireDeviceGone(t, err)
	})
}

func TestGapDeviceKeyPasswordFlows(t *testing.T) {
	withKey := func(key string) map[string]string {
		return map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": key}
	}
	for _, tc := range []struct {
		name     string
		admin    bool
		params   func(d *deviceFixture) map[string]string
		wantCode string
		wantNext types.ChallengeNameType // "" means tokens
	}{
		{"USER_PASSWORD_AUTH live device", false, func(d *deviceFixture) map[string]string { return withKey(d.key) }, "", types.ChallengeNameTypeDeviceSrpAuth},
		{"USER_PASSWORD_AUTH no device", false, func(d *deviceFixture) map[string]string { return withKey("") }, "", ""},
		{"USER_PASSWORD_AUTH never issued", false, func(d *deviceFixture) map[string]string { return withKey(neverIssuedDevice) }, "ResourceNotFoundException", ""},
		{"ADMIN_USER_PASSWORD_AUTH live device", true, func(d *deviceFixture) map[string]string { return withKey(d.key) }, "", types.ChallengeNameTypeDeviceSrpAuth},
		{"ADMIN_USER_PASSWORD_AUTH never issued", true, func(d *deviceFixture) map[string]string { return withKey(neverIssuedDevice) }, "ResourceNotFoundException", ""},
		{"wrong password and stale key", false, func(d *deviceFixture) map[string]string {
			p := withKey(neverIssuedDevice)
			p["PASSWORD"] = "Wrong0Passw!"
			return p
		}, "NotAuthorizedException", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeviceFixture(t, PoolOptions{})
			p := tc.params(d)
			if p["DEVICE_KEY"] == "" {
				delete(p, "DEVICE_KEY")
			}
			var err error
			var res *types.AuthenticationResultType
			var next types.ChallengeNameType
			if tc.admin {
				var out *cip.AdminInitiateAuthOutput
				out, err = d.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
					ClientId: &d.client.ID, UserPoolId: &d.pool, AuthParameters: p})
				if err == nil {
					res, next = out.AuthenticationResult, out.ChallengeName
				}
			} else {
				var out *cip.InitiateAuthOutput
				out, err = d.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &d.client.ID, AuthParameters: p})
				if err == nil {
					res, next = out.AuthenticationResult, out.ChallengeName
				}
			}
			if tc.wantCode != "" {
				requireCode(t, err, tc.wantCode)
				if tc.wantCode == "ResourceNotFoundException" {
					assert.Equal(t, "Device does not exist.", message(err))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantNext, next)
			if tc.wantNext == "" {
				require.NotNil(t, res)
			}
		})
	}
	t.Run("forgotten device", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		d.forget(t)
		_, err := d.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &d.client.ID, AuthParameters: withKey(d.key)})
		requireDeviceGone(t, err)
		// The retry without the key signs in.
		out, err := passwordSignIn(d.fixture, "alice", testPassword)
		require.NoError(t, err)
		require.NotNil(t, out.AuthenticationResult)
	})
}

func TestGapDeviceKeyRefresh(t *testing.T) {
	d := newDeviceFixture(t, PoolOptions{})
	refresh := func(key string) (*cip.InitiateAuthOutput, error) {
		p := map[string]string{"REFRESH_TOKEN": *d.tokens.RefreshToken}
		if key != "" {
			p["DEVICE_KEY"] = key
		}
		return d.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &d.client.ID, AuthParameters: p})
	}
	out, err := refresh(d.key)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	_, err = refresh(neverIssuedDevice)
	requireDeviceGone(t, err)
	d.forget(t)
	_, err = refresh(d.key)
	requireDeviceGone(t, err)
}

func TestGapDeviceKeyOnOtherChallenges(t *testing.T) {
	d := newDeviceFixture(t, PoolOptions{MFA: "OPTIONAL"})
	_, err := d.c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &d.pool, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String("+15555550188")}}})
	require.NoError(t, err)
	_, err = d.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &d.pool, Username: aws.String("alice"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	require.NoError(t, err)
	// A remembered device skips MFA, so sign in without it to meet SMS_MFA,
	// and answer it with a stale key: refused, session kept.
	d.forget(t)
	out, err := passwordSignIn(d.fixture, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSmsMfa, out.ChallengeName)
	code, ok := d.s.LastCode(d.pool, "alice")
	require.True(t, ok)
	_, err = respond(d.fixture, types.ChallengeNameTypeSmsMfa, out.Session, map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": code, "DEVICE_KEY": d.key})
	requireDeviceGone(t, err)
	done, err := respond(d.fixture, types.ChallengeNameTypeSmsMfa, out.Session, map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": code})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)
}

// passwordFirstHooks play the Define trigger of Cognito's documentation:
// SRP_A → PASSWORD_VERIFIER → CUSTOM_CHALLENGE → tokens. seen records the
// session each Define call got.
func passwordFirstHooks(seen *[][]string) *CustomAuthHooks {
	return &CustomAuthHooks{
		Define: func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error) {
			var names []string
			for _, r := range in.Session {
				names = append(names, r.ChallengeName)
			}
			*seen = append(*seen, names)
			n := len(in.Session)
			switch {
			case n == 1 && in.Session[0].ChallengeName == "SRP_A":
				return DefineAuthChallengeOutput{ChallengeName: "PASSWORD_VERIFIER"}, nil
			case n == 2 && in.Session[1].ChallengeName == "PASSWORD_VERIFIER" && in.Session[1].ChallengeResult:
				return DefineAuthChallengeOutput{ChallengeName: "CUSTOM_CHALLENGE"}, nil
			case n == 3 && in.Session[2].ChallengeName == "CUSTOM_CHALLENGE" && in.Session[2].ChallengeResult:
				return DefineAuthChallengeOutput{IssueTokens: true}, nil
			case n == 0 && in.ClientMetadata["define"] != "":
				// misbehaving triggers, for the negative cases
				return DefineAuthChallengeOutput{ChallengeName: in.ClientMetadata["define"]}, nil
			case n == 0:
				return DefineAuthChallengeOutput{ChallengeName: "CUSTOM_CHALLENGE"}, nil
			}
			return DefineAuthChallengeOutput{FailAuthentication: true}, nil
		},
		Create: func(in CreateAuthChallengeInput) (CreateAuthChallengeOutput, error) {
			return CreateAuthChallengeOutput{PublicChallengeParameters: map[string]string{"q": "6*7"}, PrivateChallengeParameters: map[string]string{"a": "42"}}, nil
		},
		Verify: func(in VerifyAuthChallengeInput) (bool, error) {
			return in.ChallengeAnswer == in.PrivateChallengeParameters["a"], nil
		},
	}
}

func TestGapCustomAuthPasswordFirst(t *testing.T) {
	var seen [][]string
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.CustomAuth = passwordFirstHooks(&seen) })
	start := func(t *testing.T, extra map[string]string) (*srp.Client, *cip.InitiateAuthOutput) {
		sc, err := srp.NewClient(nil)
		require.NoError(t, err)
		p := map[string]string{"USERNAME": "alice", "CHALLENGE_NAME": "SRP_A", "SRP_A": sc.SRPA()}
		for k, v := range extra {
			p[k] = v
		}
		out, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID, AuthParameters: p})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypePasswordVerifier, out.ChallengeName, "Define asked for the password")
		return sc, out
	}
	for _, tc := range []struct {
		name     string
		password string
		answer   string
		wantCode string
	}{
		{"right password, right answer", testPassword, "42", ""},
		{"wrong password", "Wrong0Passw!", "", "NotAuthorizedException"},
		{"right password, wrong answer", testPassword, "41", "NotAuthorizedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			sc, ch := start(t, nil)
			assert.Equal(t, []string{"SRP_A"}, seen[0], "Define first sees SRP_A, as with Cognito")
			r, err := srpAnswer(t, f, sc, ch, tc.password, f.s.Now(), nil)
			if tc.answer == "" {
				requireCode(t, err, tc.wantCode)
				assert.Equal(t, "Incorrect username or password.", message(err))
				assert.Len(t, seen, 1, "Define is not asked again after a wrong password")
				return
			}
			require.NoError(t, err)
			require.Equal(t, types.ChallengeNameTypeCustomChallenge, r.ChallengeName)
			assert.Equal(t, []string{"SRP_A", "PASSWORD_VERIFIER"}, seen[1])
			done, err := respond(f, types.ChallengeNameTypeCustomChallenge, r.Session, map[string]string{"USERNAME": "alice", "ANSWER": tc.answer})
			if tc.wantCode != "" {
				requireCode(t, err, tc.wantCode)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, done.AuthenticationResult)
			assert.Equal(t, []string{"SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"}, seen[2])
		})
	}
	t.Run("without SRP_A Define starts from an empty session", func(t *testing.T) {
		seen = nil
		out, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}})
		require.NoError(t, err)
		assert.Equal(t, types.ChallengeNameTypeCustomChallenge, out.ChallengeName)
		assert.Equal(t, [][]string{nil}, seen)
	})
	for _, bad := range []string{"PASSWORD_VERIFIER", "SRP_A"} {
		t.Run("Define asks "+bad+" of a client that sent no SRP_A", func(t *testing.T) {
			_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
				AuthParameters: map[string]string{"USERNAME": "alice"}, ClientMetadata: map[string]string{"define": bad}})
			requireCode(t, err, "UserLambdaValidationException")
		})
	}
	t.Run("stale DEVICE_KEY: refused at PASSWORD_VERIFIER, resend signs in", func(t *testing.T) {
		sc, ch := start(t, map[string]string{"DEVICE_KEY": neverIssuedDevice})
		_, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), map[string]string{"DEVICE_KEY": neverIssuedDevice})
		requireDeviceGone(t, err)
		r, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		require.NoError(t, err)
		assert.Equal(t, types.ChallengeNameTypeCustomChallenge, r.ChallengeName)
	})
	t.Run("stale DEVICE_KEY without SRP_A: refused at InitiateAuth", func(t *testing.T) {
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice", "DEVICE_KEY": neverIssuedDevice}})
		requireDeviceGone(t, err)
	})
}

// The official JS SDK against a device forgotten server-side: it sends the
// stale DEVICE_KEY with InitiateAuth and PASSWORD_VERIFIER, meets
// ResourceNotFoundException "Device does not exist." at PASSWORD_VERIFIER,
// clears its cached device and resends the answer on the same session
// (its retry is there and only there, which is why the emulator refuses at
// that step). The sign-in then meets MFA again and gets a new device.
const jsForgottenDevice = jsDeviceSignIn + `
const first = await signIn();
// Forget the device server-side only (as another device or an admin would).
const r = await fetch(process.env.ENDPOINT, { method: 'POST', headers: {
  'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.ForgetDevice' },
  body: JSON.stringify({ AccessToken: first.accessToken, DeviceKey: first.deviceKey }) });
const forget = r.status;
const second = await signIn();
delete first.accessToken; delete second.accessToken;
console.log(JSON.stringify({ first, forget, second }));
`

func TestGapInteropJSForgottenDevice(t *testing.T) {
	out := runJSDevice(t, jsForgottenDevice)
	var res struct {
		First, Second jsDeviceResult
		Forget        int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.True(t, res.First.OK, "%+v", res.First)
	require.NotEmpty(t, res.First.DeviceKey)
	require.Equal(t, 200, res.Forget)
	require.True(t, res.Second.OK, "the SDK retries without the forgotten device: %+v", res.Second)
	assert.True(t, res.Second.MFA, "MFA again once the device is gone")
	assert.NotEqual(t, res.First.DeviceKey, res.Second.DeviceKey, "a new device replaces the forgotten one")
}
