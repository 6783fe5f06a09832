package cognitotest_test

import (
	"context"
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

// oldUser is a user of the "old system" a migration trigger reads.
type oldUser struct {
	password string
	attrs    map[string]string
}

// migrator answers user migration events from an old system's users, with
// extra response fields.
func migrator(old map[string]oldUser, extra map[string]any) func(ev map[string]any) (map[string]any, error) {
	return func(ev map[string]any) (map[string]any, error) {
		u, ok := old[ev["userName"].(string)]
		if !ok {
			return nil, errors.New("User not found")
		}
		if ev["triggerSource"] == "UserMigration_Authentication" && request(ev, "password") != u.password {
			return nil, errors.New("Bad password")
		}
		resp := map[string]any{"userAttributes": u.attrs}
		for k, v := range extra {
			resp[k] = v
		}
		ev["response"] = resp
		return ev, nil
	}
}

var oldSystem = map[string]oldUser{
	"olduser": {password: "Old-Password-1", attrs: map[string]string{"email": "olduser@example.com", "email_verified": "true",
		"phone_number": "+12065550100", "phone_number_verified": "true"}},
}

func (e *trigEnv) passwordSignIn(username, password string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
	return e.idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &e.client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}, ClientMetadata: meta})
}

// TestTriggerUserMigration: the first USER_PASSWORD_AUTH sign-in of a
// user the pool does not have asks the user migration trigger, which
// moves the user from the old system; the second sign-in, with SRP (the
// cognito package's client), works without the trigger.
func TestTriggerUserMigration(t *testing.T) {
	ctx := context.Background()
	e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "UserMigration")
	fn := e.fns["UserMigration"]
	fn.respond = migrator(oldSystem, map[string]any{"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"})

	out, err := e.passwordSignIn("olduser", "Old-Password-1", map[string]string{"captcha": "ok"})
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult, "signed in at once")

	ev := fn.only(t)
	assertLikeReference(t, referenceEvent(t, "UserMigration_Authentication"), ev)
	e.assertHeader(t, ev, "UserMigration_Authentication", "olduser", e.client)
	assert.Equal(t, "Old-Password-1", request(ev, "password"))
	assert.Equal(t, map[string]string{"captcha": "ok"}, strMap(request(ev, "validationData")), "InitiateAuth's ClientMetadata")
	assert.Equal(t, map[string]string{}, strMap(request(ev, "clientMetadata")))

	status, attrs, err := e.user("olduser")
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", status)
	assert.Equal(t, "olduser@example.com", attrs["email"])
	assert.Equal(t, "true", attrs["email_verified"])
	assert.Empty(t, e.messages("olduser"), "messageAction SUPPRESS: no welcome message")

	// The second sign-in, with SRP, needs no trigger.
	res, err := cognito.New(e.srv.Config(), e.pool, e.client).SignIn(ctx, "olduser", "Old-Password-1")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	// A wrong password is now the pool's business.
	_, err = e.passwordSignIn("olduser", "Wrong-Password-9", nil)
	apiErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	assert.Empty(t, fn.take(), "no invocation once migrated")
}

// TestTriggerUserMigrationResponses: the effect of each response field,
// and failures.
func TestTriggerUserMigrationResponses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		extra    map[string]any
		password string
		prevent  bool
		code     string // error code of the sign-in
		msg      string
		check    func(t *testing.T, e *trigEnv)
	}{
		{name: "default: CONFIRMED, welcome message", password: "Old-Password-1", check: func(t *testing.T, e *trigEnv) {
			msgs := e.messages("olduser")
			require.Len(t, msgs, 1)
			assert.Equal(t, "olduser@example.com", msgs[0].Destination)
			assert.Empty(t, msgs[0].Code)
		}},
		{name: "desiredDeliveryMediums SMS", extra: map[string]any{"desiredDeliveryMediums": []string{"SMS"}}, password: "Old-Password-1",
			check: func(t *testing.T, e *trigEnv) {
				msgs := e.messages("olduser")
				require.Len(t, msgs, 1)
				assert.Equal(t, "SMS", msgs[0].Medium)
			}},
		{name: "finalUserStatus RESET_REQUIRED", extra: map[string]any{"finalUserStatus": "RESET_REQUIRED", "messageAction": "SUPPRESS"},
			password: "Old-Password-1", code: "PasswordResetRequiredException", check: func(t *testing.T, e *trigEnv) {
				status, _, err := e.user("olduser")
				require.NoError(t, err)
				assert.Equal(t, "RESET_REQUIRED", status)
			}},
		{name: "enableSMSMFA", extra: map[string]any{"enableSMSMFA": true, "messageAction": "SUPPRESS"}, password: "Old-Password-1",
			check: func(t *testing.T, e *trigEnv) {
				out, err := e.idp.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &e.pool, Username: aws.String("olduser")})
				require.NoError(t, err)
				assert.Contains(t, out.UserMFASettingList, "SMS_MFA")
			}},
		{name: "messageAction RESEND is not for sign-in", extra: map[string]any{"messageAction": "RESEND"}, password: "Old-Password-1",
			code: "InvalidLambdaResponseException"},
		{name: "function error", password: "Not-The-Password-1", code: "UserLambdaValidationException", msg: "UserMigration failed with error Bad password."},
		{name: "function error, user existence errors prevented", password: "Not-The-Password-1", prevent: true,
			code: "NotAuthorizedException", msg: "Incorrect username or password."},
		{name: "invalid response", extra: map[string]any{"finalUserStatus": "ACTIVE"}, password: "Old-Password-1", code: "InvalidLambdaResponseException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{MFA: "OPTIONAL"}, cognitotest.ClientOptions{PreventUserExistenceErrors: tt.prevent}, "UserMigration")
			e.fns["UserMigration"].respond = migrator(oldSystem, tt.extra)
			out, err := e.passwordSignIn("olduser", tt.password, nil)
			if tt.code != "" {
				apiErr(t, err, tt.code, tt.msg)
				if tt.check == nil {
					_, _, err := e.user("olduser")
					apiErr(t, err, "UserNotFoundException", "")
				}
			} else {
				require.NoError(t, err)
				assert.True(t, out.AuthenticationResult != nil || out.ChallengeName != "")
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
	t.Run("user unknown to both", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "UserMigration")
		e.fns["UserMigration"].respond = migrator(oldSystem, nil)
		_, err := e.passwordSignIn("nobody", "Whatever-1", nil)
		apiErr(t, err, "UserLambdaValidationException", "UserMigration failed with error User not found.")
	})
	t.Run("no trigger", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{})
		_, err := e.passwordSignIn("olduser", "Old-Password-1", nil)
		apiErr(t, err, "UserNotFoundException", "")
	})
}

// TestTriggerUserMigrationForceAlias: a migrated user's verified e-mail
// alias held by another user is refused (AliasExistsException) unless
// forceAliasCreation, which takes it from the other user.
func TestTriggerUserMigrationForceAlias(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "refused", true: "forced"}[force], func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{AliasAttributes: []string{"email"}}, cognitotest.ClientOptions{}, "UserMigration")
			e.srv.MustCreateUser(e.pool, "holder", trigPassword, map[string]string{"email": "olduser@example.com"})
			e.fns["UserMigration"].respond = migrator(oldSystem, map[string]any{"forceAliasCreation": force, "messageAction": "SUPPRESS"})
			_, err := e.passwordSignIn("olduser", "Old-Password-1", nil)
			_, holder, herr := e.user("holder")
			require.NoError(t, herr)
			if !force {
				apiErr(t, err, "AliasExistsException", "")
				assert.Equal(t, "true", holder["email_verified"])
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "false", holder["email_verified"], "the alias moved")
			_, err = e.passwordSignIn("olduser@example.com", "Old-Password-1", nil)
			require.NoError(t, err, "the e-mail alias signs the migrated user in")
		})
	}
}

// TestTriggerUserMigrationForgotPassword: ForgotPassword for a user the
// pool does not have migrates it (RESET_REQUIRED) and sends the reset code
// to desiredDeliveryMediums; ConfirmForgotPassword then sets its password.
func TestTriggerUserMigrationForgotPassword(t *testing.T) {
	ctx := context.Background()
	for _, medium := range []string{"EMAIL", "SMS"} {
		t.Run(medium, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "UserMigration")
			fn := e.fns["UserMigration"]
			fn.respond = migrator(oldSystem, map[string]any{"desiredDeliveryMediums": []string{medium}})
			out, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &e.client, Username: aws.String("olduser"),
				ClientMetadata: map[string]string{"source": "web"}})
			require.NoError(t, err)
			assert.Equal(t, types.DeliveryMediumType(medium), out.CodeDeliveryDetails.DeliveryMedium)

			ev := fn.only(t)
			e.assertHeader(t, ev, "UserMigration_ForgotPassword", "olduser", e.client)
			assert.Empty(t, request(ev, "password"), "no password")
			assert.Equal(t, map[string]string{"source": "web"}, strMap(request(ev, "clientMetadata")))

			status, _, err := e.user("olduser")
			require.NoError(t, err)
			assert.Equal(t, "RESET_REQUIRED", status)
			code, ok := e.srv.LastCode(e.pool, "olduser")
			require.True(t, ok)
			_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &e.client, Username: aws.String("olduser"),
				ConfirmationCode: &code, Password: aws.String("New-Password-2")})
			require.NoError(t, err)
			res, err := cognito.New(e.srv.Config(), e.pool, e.client).SignIn(ctx, "olduser", "New-Password-2")
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
			assert.Empty(t, fn.take())
		})
	}
	t.Run("unknown to both", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "UserMigration")
		e.fns["UserMigration"].respond = migrator(oldSystem, nil)
		_, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &e.client, Username: aws.String("nobody")})
		apiErr(t, err, "UserLambdaValidationException", "UserMigration failed with error User not found.")
	})
}
