package cognito_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// emu is an emulator with one pool and app client, and a cognito.Client
// for it whose clock is the emulator's.
type emu struct {
	srv  *cognitotest.Server
	pool string
	app  cognitotest.AppClient
	c    *cognito.Client
}

func newEmu(t *testing.T, po cognitotest.PoolOptions, co cognitotest.ClientOptions, srvOpts ...func(*cognitotest.Options)) *emu {
	t.Helper()
	srv := cognitotest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(po)
	app := srv.MustCreateUserPoolClient(pool, co)
	e := &emu{srv: srv, pool: pool, app: app}
	e.c = e.client(nil)
	return e
}

// client returns a new cognito.Client for the pool (with its own device
// store unless one is given).
func (e *emu) client(store cognito.DeviceStore) *cognito.Client {
	return cognito.New(e.srv.Config(), e.pool, e.app.ID, func(o *cognito.Options) {
		o.ClientSecret = e.app.Secret
		o.Clock = e.srv.Now
		o.DeviceStore = store
	})
}

const pw = "Correct-Horse-9!"

func TestEmulatorSRP(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		pool   cognitotest.PoolOptions
		secret bool
		signIn string // what the user types
		attrs  map[string]string
	}{
		{name: "username", signIn: "alice"},
		{name: "username with secret", secret: true, signIn: "alice"},
		{name: "email as username, secret", pool: cognitotest.PoolOptions{UsernameAttributes: []string{"email"}}, secret: true, signIn: "alice@example.com", attrs: map[string]string{"email": "alice@example.com"}},
		{name: "email alias, secret", pool: cognitotest.PoolOptions{AliasAttributes: []string{"email"}}, secret: true, signIn: "alice@example.com", attrs: map[string]string{"email": "alice@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmu(t, tc.pool, cognitotest.ClientOptions{GenerateSecret: tc.secret})
			username := "alice"
			if len(tc.pool.UsernameAttributes) > 0 {
				username = "alice@example.com"
			}
			sub := e.srv.MustCreateUser(e.pool, username, pw, tc.attrs)

			res, err := e.c.SignIn(ctx, tc.signIn, pw)
			require.NoError(t, err)
			require.NotNil(t, res.Tokens, "%v", res)
			tk := res.Tokens
			cl, err := cognito.ParseClaims(tk.IDToken)
			require.NoError(t, err)
			assert.Equal(t, e.srv.Issuer(e.pool), cl.Issuer)
			assert.Equal(t, sub, cl.Subject)
			assert.Equal(t, cl.CognitoUsername(), tk.Username)
			assert.NotEmpty(t, tk.RefreshToken)

			_, err = e.c.SignIn(ctx, tc.signIn, "Wrong-Horse-9!")
			require.ErrorIs(t, err, cognito.ErrNotAuthorized)
			assert.NotContains(t, err.Error(), "Wrong-Horse-9!")

			// Refresh with SECRET_HASH over the Cognito username.
			nt, err := e.c.Refresh(ctx, tk)
			require.NoError(t, err)
			assert.Equal(t, tk.RefreshToken, nt.RefreshToken)
			assert.NotEqual(t, "", nt.AccessToken)

			// The other flows on the same user.
			for _, flow := range []cognito.Flow{cognito.FlowUserPassword, cognito.FlowAdminUserPassword} {
				res, err := e.c.SignIn(ctx, tc.signIn, pw, func(o *cognito.SignInOptions) { o.Flow = flow })
				require.NoError(t, err, flow)
				require.NotNil(t, res.Tokens, flow)
			}
		})
	}
	t.Run("secret required", func(t *testing.T) {
		e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{GenerateSecret: true})
		e.srv.MustCreateUser(e.pool, "alice", pw, nil)
		c := cognito.New(e.srv.Config(), e.pool, e.app.ID) // no secret
		_, err := c.SignIn(ctx, "alice", pw)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
	t.Run("flow not allowed", func(t *testing.T) {
		e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
		e.srv.MustCreateUser(e.pool, "alice", pw, nil)
		_, err := e.c.SignIn(ctx, "alice", pw)
		require.Error(t, err)
		res, err := e.c.SignIn(ctx, "alice", pw, func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
		require.NoError(t, err)
		require.NotNil(t, res.Tokens)
	})
}

func TestEmulatorNewPasswordRequired(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{RequiredAttributes: []string{"name"}}, cognitotest.ClientOptions{GenerateSecret: true})
	_, err := e.c.AdminCreateUser(ctx, "bob", func(o *cognito.AdminCreateUserOptions) {
		o.TemporaryPassword = "Temp-Passw0rd!"
		o.SuppressMessage = true
		o.Attributes = map[string]string{"email": "bob@example.com"}
	})
	require.NoError(t, err)

	res, err := e.c.SignIn(ctx, "bob", "Temp-Passw0rd!")
	require.NoError(t, err)
	ch := res.Challenge
	require.NotNil(t, ch)
	require.Equal(t, cognito.ChallengeNewPasswordRequired, ch.Name)
	assert.Contains(t, ch.RequiredAttributes, "name")

	_, err = ch.RespondNewPassword(ctx, "Perm-Passw0rd!", nil)
	require.ErrorIs(t, err, cognito.ErrMissingAttribute)
	// The current e-mail and the read-only attributes are echoed back by
	// careless callers; the client leaves them out.
	attrs := map[string]string{"name": "Bob"}
	for k, v := range ch.UserAttributes {
		attrs[k] = v
	}
	attrs["sub"] = "forged"
	res, err = ch.RespondNewPassword(ctx, "Perm-Passw0rd!", attrs)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)

	u, err := e.c.AdminGetUser(ctx, "bob")
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", u.Status)
	assert.Equal(t, "Bob", u.Attributes["name"])
	assert.NotEqual(t, "forged", u.Sub())

	// Admin flow: the same challenge answered with AdminRespondToAuthChallenge.
	_, err = e.c.AdminCreateUser(ctx, "carl", func(o *cognito.AdminCreateUserOptions) {
		o.TemporaryPassword = "Temp-Passw0rd!"
		o.SuppressMessage = true
		o.Attributes = map[string]string{"name": "Carl"}
	})
	require.NoError(t, err)
	res, err = e.c.AdminSignIn(ctx, "carl", "Temp-Passw0rd!")
	require.NoError(t, err)
	require.True(t, res.Challenge.Admin())
	_, err = res.Challenge.RespondNewPassword(ctx, "short", nil)
	require.ErrorIs(t, err, cognito.ErrInvalidPassword)
	res, err = e.c.AdminSignIn(ctx, "carl", "Temp-Passw0rd!")
	require.NoError(t, err)
	res, err = res.Challenge.RespondNewPassword(ctx, "Perm-Passw0rd!", nil)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)

	// Provisioned users sign in at once.
	_, err = e.c.AdminCreateConfirmedUser(ctx, "dora", "Dora-Passw0rd!", map[string]string{"name": "Dora", "email": "dora@example.com"})
	require.NoError(t, err)
	res, err = e.c.SignIn(ctx, "dora", "Dora-Passw0rd!")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestEmulatorTOTP(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{MFA: "ON"}, cognitotest.ClientOptions{GenerateSecret: true})
	e.srv.MustCreateUser(e.pool, "erin", pw, map[string]string{"email": "erin@example.com"})

	res, err := e.c.SignIn(ctx, "erin", pw)
	require.NoError(t, err)
	ch := res.Challenge
	require.Equal(t, cognito.ChallengeMFASetup, ch.Name)
	assert.Equal(t, []string{"SOFTWARE_TOKEN_MFA"}, ch.MFAOptions)
	setup, err := ch.SetupTOTP(ctx, "cognitokit")
	require.NoError(t, err)
	assert.Contains(t, setup.URI, "otpauth://totp/cognitokit:erin?")
	_, err = ch.VerifyTOTP(ctx, "000000", "phone")
	require.Error(t, err)
	require.True(t, isAnyErr(err, cognito.ErrEnableSoftwareTokenMFA, cognito.ErrCodeMismatch), "%v", err)

	// Start again after the failed attempt consumed the session.
	res, err = e.c.SignIn(ctx, "erin", pw)
	require.NoError(t, err)
	ch = res.Challenge
	require.Equal(t, cognito.ChallengeMFASetup, ch.Name)
	setup, err = ch.SetupTOTP(ctx, "cognitokit")
	require.NoError(t, err)
	res, err = ch.VerifyTOTP(ctx, e.srv.MustTOTP(setup.Secret), "phone")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)

	e.srv.Advance(31 * time.Second) // a TOTP step is never accepted twice
	res, err = e.c.SignIn(ctx, "erin", pw)
	require.NoError(t, err)
	ch = res.Challenge
	require.Equal(t, cognito.ChallengeSoftwareTokenMFA, ch.Name)
	_, err = ch.RespondMFA(ctx, "000000")
	require.ErrorIs(t, err, cognito.ErrCodeMismatch)
	res, err = ch.RespondMFA(ctx, e.srv.MustTOTP(setup.Secret))
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestEmulatorSMSMFA(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{MFA: "ON"}, cognitotest.ClientOptions{})
	e.srv.MustCreateUser(e.pool, "fay", pw, map[string]string{"phone_number": "+15555550100"})
	res, err := e.c.SignIn(ctx, "fay", pw)
	require.NoError(t, err)
	ch := res.Challenge
	require.Equal(t, cognito.ChallengeSMSMFA, ch.Name)
	assert.NotEmpty(t, ch.Destination)
	assert.NotContains(t, ch.Destination, "5555550100", "masked")
	code, ok := e.srv.LastCode(e.pool, "fay")
	require.True(t, ok)
	_, err = ch.RespondMFA(ctx, "not-"+code)
	require.ErrorIs(t, err, cognito.ErrCodeMismatch)
	res, err = ch.RespondMFA(ctx, code)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func customHooks() *cognitotest.CustomAuthHooks {
	return &cognitotest.CustomAuthHooks{
		Define: func(in cognitotest.DefineAuthChallengeInput) (cognitotest.DefineAuthChallengeOutput, error) {
			n := len(in.Session)
			switch {
			case n == 1 && in.Session[0].ChallengeName == "SRP_A":
				// Password first (FlowCustomWithSRP), as in Cognito's
				// documented Define trigger.
				return cognitotest.DefineAuthChallengeOutput{ChallengeName: "PASSWORD_VERIFIER"}, nil
			case n > 0 && in.Session[n-1].ChallengeName == "CUSTOM_CHALLENGE" && in.Session[n-1].ChallengeResult:
				return cognitotest.DefineAuthChallengeOutput{IssueTokens: true}, nil
			case n > 0 && !in.Session[n-1].ChallengeResult:
				return cognitotest.DefineAuthChallengeOutput{FailAuthentication: true}, nil
			}
			return cognitotest.DefineAuthChallengeOutput{ChallengeName: "CUSTOM_CHALLENGE"}, nil
		},
		Create: func(in cognitotest.CreateAuthChallengeInput) (cognitotest.CreateAuthChallengeOutput, error) {
			return cognitotest.CreateAuthChallengeOutput{
				PublicChallengeParameters:  map[string]string{"question": "6*7"},
				PrivateChallengeParameters: map[string]string{"answer": "42"},
			}, nil
		},
		Verify: func(in cognitotest.VerifyAuthChallengeInput) (bool, error) {
			return in.ChallengeAnswer == in.PrivateChallengeParameters["answer"], nil
		},
	}
}

func TestEmulatorCustomAuth(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{GenerateSecret: true}, func(o *cognitotest.Options) { o.CustomAuth = customHooks() })
	e.srv.MustCreateUser(e.pool, "gus", pw, nil)
	for _, tc := range []struct {
		name     string
		flow     cognito.Flow
		password string
		answer   string
		wantErr  error
	}{
		{"custom", cognito.FlowCustom, "", "42", nil},
		{"custom wrong answer", cognito.FlowCustom, "", "41", cognito.ErrNotAuthorized},
		{"custom with SRP", cognito.FlowCustomWithSRP, pw, "42", nil},
		{"custom with SRP wrong answer", cognito.FlowCustomWithSRP, pw, "7", cognito.ErrNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.c.SignIn(ctx, "gus", tc.password, func(o *cognito.SignInOptions) { o.Flow = tc.flow })
			require.NoError(t, err)
			ch := res.Challenge
			require.NotNil(t, ch)
			require.Equal(t, cognito.ChallengeCustom, ch.Name)
			assert.Equal(t, "6*7", ch.Parameters["question"])
			res, err = ch.RespondCustom(ctx, tc.answer)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		})
	}
	t.Run("custom with SRP wrong password", func(t *testing.T) {
		_, err := e.c.SignIn(ctx, "gus", "Wrong-Horse-9!", func(o *cognito.SignInOptions) { o.Flow = cognito.FlowCustomWithSRP })
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
}

func TestEmulatorDevices(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{MFA: "ON", DeviceTracking: true}, cognitotest.ClientOptions{GenerateSecret: true})
	e.srv.MustCreateUser(e.pool, "hal", pw, map[string]string{"phone_number": "+15555550101", "email": "hal@example.com"})
	store := cognito.NewMemoryDeviceStore()
	c := e.client(store)

	signInWithSMS := func() *cognito.Tokens {
		t.Helper()
		res, err := c.SignIn(ctx, "hal", pw)
		require.NoError(t, err)
		require.NotNil(t, res.Challenge, "MFA expected")
		require.Equal(t, cognito.ChallengeSMSMFA, res.Challenge.Name)
		code, _ := e.srv.LastCode(e.pool, "hal")
		res, err = res.Challenge.RespondMFA(ctx, code)
		require.NoError(t, err)
		require.NotNil(t, res.Tokens)
		return res.Tokens
	}

	tk := signInWithSMS()
	require.NotNil(t, tk.NewDevice)
	conf, err := c.ConfirmDevice(ctx, tk, "laptop")
	require.NoError(t, err)
	if conf.UserConfirmationNecessary {
		require.NoError(t, c.UpdateDeviceStatus(ctx, tk.AccessToken, tk.NewDevice.Key, true))
	}

	// A remembered device skips MFA: DEVICE_SRP_AUTH is answered for real.
	res, err := c.SignIn(ctx, "hal", pw)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens, "no MFA on a remembered device: %v", res)
	nt, err := c.Refresh(ctx, res.Tokens)
	require.NoError(t, err)
	assert.NotEmpty(t, nt.AccessToken)

	devs, err := c.ListDevices(ctx, res.Tokens.AccessToken)
	require.NoError(t, err)
	require.Len(t, devs, 1)
	assert.Equal(t, "laptop", devs[0].Name())

	// Another client (no device) still gets MFA.
	other := e.client(nil)
	res, err = other.SignIn(ctx, "hal", pw)
	require.NoError(t, err)
	require.NotNil(t, res.Challenge)

	// The device is forgotten from elsewhere: the next sign-in meets MFA
	// again. (The emulator, as Cognito, answers the forgotten DEVICE_KEY
	// with ResourceNotFoundException "Device does not exist.", and the
	// client drops the device locally and resends without it.)
	require.NoError(t, other.ForgetDevice(ctx, tk.AccessToken, tk.NewDevice.Key, ""))
	d, err := store.LoadDevice(ctx, e.pool, "hal")
	require.NoError(t, err)
	require.NotNil(t, d, "still remembered locally")
	res, err = c.SignIn(ctx, "hal", pw)
	require.NoError(t, err)
	require.NotNil(t, res.Challenge, "MFA again once the device is gone")
	assert.Equal(t, cognito.ChallengeSMSMFA, res.Challenge.Name)
	d, err = store.LoadDevice(ctx, e.pool, "hal")
	require.NoError(t, err)
	assert.Nil(t, d, "the forgotten device is dropped locally")
}

func TestEmulatorSessionAndSignOut(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{GenerateSecret: true})
	e.srv.MustCreateUser(e.pool, "ivy", pw, nil)
	signIn := func() *cognito.Tokens {
		res, err := e.c.SignIn(ctx, "ivy", pw)
		require.NoError(t, err)
		return res.Tokens
	}

	t.Run("session refreshes ahead of expiry, once", func(t *testing.T) {
		tk := signIn()
		sess := e.c.NewSession(tk)
		at, err := sess.AccessToken(ctx)
		require.NoError(t, err)
		assert.Equal(t, tk.AccessToken, at)
		e.srv.Advance(57 * time.Minute)
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := sess.AccessToken(ctx)
				assert.NoError(t, err)
				got[i] = a
			}()
		}
		wg.Wait()
		for _, a := range got {
			assert.NotEqual(t, tk.AccessToken, a)
			assert.Equal(t, got[0], a, "one refresh for every waiter")
		}
		u, err := e.c.GetUser(ctx, got[0])
		require.NoError(t, err)
		assert.Equal(t, "ivy", u.Username)
	})
	t.Run("GlobalSignOut", func(t *testing.T) {
		tk := signIn()
		require.NoError(t, e.c.GlobalSignOut(ctx, tk.AccessToken))
		_, err := e.c.Refresh(ctx, tk)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		_, err = e.c.GetUser(ctx, tk.AccessToken)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
	t.Run("RevokeToken", func(t *testing.T) {
		tk := signIn()
		require.NoError(t, e.c.RevokeToken(ctx, tk.RefreshToken))
		_, err := e.c.Refresh(ctx, tk)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		other := signIn()
		_, err = e.c.Refresh(ctx, other)
		require.NoError(t, err, "other sessions live on")
	})
	t.Run("AdminUserGlobalSignOut", func(t *testing.T) {
		tk := signIn()
		require.NoError(t, e.c.AdminUserGlobalSignOut(ctx, "ivy"))
		_, err := e.c.Refresh(ctx, tk)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	})
	t.Run("expired tokens", func(t *testing.T) {
		tk := signIn()
		e.srv.Advance(2 * time.Hour)
		_, err := e.c.GetUser(ctx, tk.AccessToken)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		sess := e.c.NewSession(tk)
		at, err := sess.AccessToken(ctx)
		require.NoError(t, err)
		_, err = e.c.GetUser(ctx, at)
		require.NoError(t, err)
	})
}

func TestEmulatorSelfService(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{GenerateSecret: true})
	c := e.c

	su, err := c.SignUp(ctx, "jay", pw, map[string]string{"email": "jay@example.com"})
	require.NoError(t, err)
	assert.False(t, su.UserConfirmed)
	require.NotNil(t, su.CodeDelivery)
	assert.Equal(t, "EMAIL", su.CodeDelivery.DeliveryMedium)
	_, err = c.SignUp(ctx, "jay", pw, nil)
	require.ErrorIs(t, err, cognito.ErrUsernameExists)
	_, err = c.SignIn(ctx, "jay", pw)
	require.ErrorIs(t, err, cognito.ErrUserNotConfirmed)

	_, err = c.ResendConfirmationCode(ctx, "jay")
	require.NoError(t, err)
	code, ok := e.srv.LastCode(e.pool, "jay")
	require.True(t, ok)
	require.ErrorIs(t, c.ConfirmSignUp(ctx, "jay", "x"+code), cognito.ErrCodeMismatch)
	require.NoError(t, c.ConfirmSignUp(ctx, "jay", code))

	res, err := c.SignIn(ctx, "jay", pw)
	require.NoError(t, err)
	tk := res.Tokens

	require.ErrorIs(t, c.ChangePassword(ctx, tk.AccessToken, "Wrong-Horse-9!", "Newer-Horse-9!"), cognito.ErrNotAuthorized)
	require.ErrorIs(t, c.ChangePassword(ctx, tk.AccessToken, pw, "weak"), cognito.ErrInvalidPassword)
	require.NoError(t, c.ChangePassword(ctx, tk.AccessToken, pw, "Newer-Horse-9!"))

	_, err = c.ForgotPassword(ctx, "jay")
	require.NoError(t, err)
	code, _ = e.srv.LastCode(e.pool, "jay")
	require.ErrorIs(t, c.ConfirmForgotPassword(ctx, "jay", "x"+code, "Third-Horse-9!"), cognito.ErrCodeMismatch)
	require.NoError(t, c.ConfirmForgotPassword(ctx, "jay", code, "Third-Horse-9!"))
	res, err = c.SignIn(ctx, "jay", "Third-Horse-9!")
	require.NoError(t, err)
	tk = res.Tokens

	ds, err := c.UpdateUserAttributes(ctx, tk.AccessToken, map[string]string{"email": "jay2@example.com", "name": "Jay"})
	require.NoError(t, err)
	require.NotEmpty(t, ds)
	code, _ = e.srv.LastCode(e.pool, "jay")
	require.ErrorIs(t, c.VerifyUserAttribute(ctx, tk.AccessToken, "email", "x"+code), cognito.ErrCodeMismatch)
	require.NoError(t, c.VerifyUserAttribute(ctx, tk.AccessToken, "email", code))
	u, err := c.GetUser(ctx, tk.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, "jay2@example.com", u.Attributes["email"])
	assert.Equal(t, "true", u.Attributes["email_verified"])
	assert.Equal(t, "Jay", u.Attributes["name"])

	require.NoError(t, c.AdminDisableUser(ctx, "jay"))
	_, err = c.SignIn(ctx, "jay", "Third-Horse-9!")
	require.ErrorIs(t, err, cognito.ErrNotAuthorized)
	require.NoError(t, c.AdminEnableUser(ctx, "jay"))

	require.NoError(t, c.AdminResetUserPassword(ctx, "jay"))
	_, err = c.SignIn(ctx, "jay", "Third-Horse-9!")
	require.ErrorIs(t, err, cognito.ErrPasswordResetRequired)
	require.NoError(t, c.AdminSetUserPassword(ctx, "jay", "Fourth-Horse-9!", true))
	res, err = c.SignIn(ctx, "jay", "Fourth-Horse-9!")
	require.NoError(t, err)
	tk = res.Tokens

	require.NoError(t, c.DeleteUser(ctx, tk.AccessToken))
	_, err = c.SignIn(ctx, "jay", "Fourth-Horse-9!")
	require.Error(t, err)
	require.True(t, isAnyErr(err, cognito.ErrUserNotFound, cognito.ErrNotAuthorized), "%v", err)
}

func TestEmulatorGroups(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{})
	e.srv.MustCreateUser(e.pool, "kay", pw, nil)
	e.srv.MustCreateGroup(e.pool, "admins", "arn:aws:iam::123456789012:role/admins", 1)
	require.NoError(t, e.c.AdminAddUserToGroup(ctx, "kay", "admins"))
	gs, err := e.c.AdminListGroupsForUser(ctx, "kay")
	require.NoError(t, err)
	require.Len(t, gs, 1)
	assert.Equal(t, "arn:aws:iam::123456789012:role/admins", gs[0].RoleARN)
	res, err := e.c.SignIn(ctx, "kay", pw)
	require.NoError(t, err)
	cl, err := cognito.ParseClaims(res.Tokens.IDToken)
	require.NoError(t, err)
	assert.Equal(t, []string{"admins"}, cl.Groups)
	require.NoError(t, e.c.AdminRemoveUserFromGroup(ctx, "kay", "admins"))
	gs, err = e.c.AdminListGroupsForUser(ctx, "kay")
	require.NoError(t, err)
	assert.Empty(t, gs)
	require.ErrorIs(t, e.c.AdminAddUserToGroup(ctx, "kay", "nope"), cognito.ErrResourceNotFound)
	require.ErrorIs(t, e.c.AdminAddUserToGroup(ctx, "nobody", "admins"), cognito.ErrUserNotFound)
}

func isAnyErr(err error, targets ...error) bool { return isAny(err, targets...) }

func TestEmulatorRefreshForgottenDevice(t *testing.T) {
	// A device forgotten server-side makes the emulator, as Cognito, refuse
	// a refresh carrying its DEVICE_KEY with ResourceNotFoundException
	// "Device does not exist."; the client drops the device locally and
	// refreshes again without it.
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{MFA: "ON", DeviceTracking: true}, cognitotest.ClientOptions{GenerateSecret: true})
	e.srv.MustCreateUser(e.pool, "jo", pw, map[string]string{"phone_number": "+15555550102", "email": "jo@example.com"})
	store := cognito.NewMemoryDeviceStore()
	c := e.client(store)

	// rememberDevice signs in with SMS MFA and remembers the device, then
	// signs in again on it (no MFA) and returns those tokens.
	rememberDevice := func(t *testing.T) (*cognito.Tokens, string) {
		t.Helper()
		require.NoError(t, store.DeleteDevice(ctx, e.pool, "jo"))
		res, err := c.SignIn(ctx, "jo", pw)
		require.NoError(t, err)
		require.NotNil(t, res.Challenge, "MFA expected")
		code, _ := e.srv.LastCode(e.pool, "jo")
		res, err = res.Challenge.RespondMFA(ctx, code)
		require.NoError(t, err)
		require.NotNil(t, res.Tokens)
		require.NotNil(t, res.Tokens.NewDevice)
		conf, err := c.ConfirmDevice(ctx, res.Tokens, "phone")
		require.NoError(t, err)
		if conf.UserConfirmationNecessary {
			require.NoError(t, c.UpdateDeviceStatus(ctx, res.Tokens.AccessToken, res.Tokens.NewDevice.Key, true))
		}
		res, err = c.SignIn(ctx, "jo", pw)
		require.NoError(t, err)
		require.NotNil(t, res.Tokens, "no MFA on the remembered device")
		return res.Tokens, conf.Device.Key
	}
	forgetElsewhere := func(t *testing.T, tk *cognito.Tokens, key string) {
		t.Helper()
		// Another client, without the store, forgets the device.
		require.NoError(t, e.client(nil).ForgetDevice(ctx, tk.AccessToken, key, ""))
		d, err := store.LoadDevice(ctx, e.pool, "jo")
		require.NoError(t, err)
		require.NotNil(t, d, "still remembered locally")
	}
	assertDropped := func(t *testing.T) {
		t.Helper()
		d, err := store.LoadDevice(ctx, e.pool, "jo")
		require.NoError(t, err)
		assert.Nil(t, d, "the forgotten device is dropped locally")
	}

	t.Run("Session", func(t *testing.T) {
		tk, key := rememberDevice(t)
		forgetElsewhere(t, tk, key)
		sess := c.NewSession(tk)
		e.srv.Advance(57 * time.Minute)
		at, err := sess.AccessToken(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, tk.AccessToken, at)
		u, err := c.GetUser(ctx, at)
		require.NoError(t, err)
		assert.Equal(t, "jo", u.Username)
		assertDropped(t)
		// Later refreshes send no DEVICE_KEY and keep working.
		_, err = sess.Refresh(ctx)
		require.NoError(t, err)
	})
	t.Run("Refresh", func(t *testing.T) {
		tk, key := rememberDevice(t)
		forgetElsewhere(t, tk, key)
		nt, err := c.Refresh(ctx, tk)
		require.NoError(t, err)
		assert.Equal(t, tk.RefreshToken, nt.RefreshToken)
		assertDropped(t)
		// The next sign-in meets MFA again.
		res, err := c.SignIn(ctx, "jo", pw)
		require.NoError(t, err)
		require.NotNil(t, res.Challenge)
	})
	t.Run("revoked refresh token is not retried", func(t *testing.T) {
		tk, key := rememberDevice(t)
		forgetElsewhere(t, tk, key)
		require.NoError(t, c.RevokeToken(ctx, tk.RefreshToken))
		_, err := c.Refresh(ctx, tk)
		require.ErrorIs(t, err, cognito.ErrNotAuthorized)
		d, err := store.LoadDevice(ctx, e.pool, "jo")
		require.NoError(t, err)
		assert.NotNil(t, d, "a refused refresh token says nothing about the device")
	})
	t.Run("remembered device still valid", func(t *testing.T) {
		tk, key := rememberDevice(t)
		nt, err := c.Refresh(ctx, tk)
		require.NoError(t, err)
		assert.NotEmpty(t, nt.AccessToken)
		d, err := store.LoadDevice(ctx, e.pool, "jo")
		require.NoError(t, err)
		require.NotNil(t, d, "a known device is kept")
		assert.Equal(t, key, d.Key)
	})
}
