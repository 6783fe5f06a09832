package cognitotest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// signedIn creates a confirmed user with an e-mail address and returns
// its access token.
func (e *trigEnv) signedIn(t *testing.T, username string, attrs map[string]string) string {
	t.Helper()
	e.srv.MustCreateUser(e.pool, username, trigPassword, attrs)
	out, err := e.idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &e.client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": trigPassword}})
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	return aws.ToString(out.AuthenticationResult.AccessToken)
}

// TestTriggerCustomMessage: every message Cognito sends goes through the
// custom message trigger with its source; the function's text (the SMS
// or the e-mail with its subject) is what the outbox holds, placeholders
// filled in, and the code is unchanged.
func TestTriggerCustomMessage(t *testing.T) {
	ctx := context.Background()
	meta := map[string]string{"source": "web"}
	email := map[string]string{"email": "testuser@example.com"}
	for _, tt := range []struct {
		source   string
		ref      string // documented event to compare with
		pool     cognitotest.PoolOptions
		clientID string // "" is the app client
		status   string // cognito:user_status in the event
		sms      bool
		meta     map[string]string // clientMetadata expected
		act      func(t *testing.T, e *trigEnv) error
	}{
		{source: "CustomMessage_SignUp", ref: "CustomMessage_SignUp", status: "UNCONFIRMED", meta: meta,
			act: func(t *testing.T, e *trigEnv) error {
				_, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))
				return err
			}},
		{source: "CustomMessage_ResendCode", ref: "CustomMessage_SignUp", status: "UNCONFIRMED", meta: meta,
			act: func(t *testing.T, e *trigEnv) error {
				_, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))
				require.NoError(t, err)
				e.fns["CustomMessage"].take()
				_, err = e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &e.client,
					Username: aws.String("testuser"), ClientMetadata: meta})
				return err
			}},
		{source: "CustomMessage_AdminCreateUser", ref: "CustomMessage_AdminCreateUser", clientID: "CLIENT_ID_NOT_APPLICABLE",
			status: "FORCE_CHANGE_PASSWORD", meta: map[string]string{"source": "admin"},
			act: func(t *testing.T, e *trigEnv) error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("testuser@example.com")}},
					ClientMetadata: map[string]string{"source": "admin"}})
				return err
			}},
		{source: "CustomMessage_ForgotPassword", ref: "CustomMessage_SignUp", status: "CONFIRMED", meta: meta,
			act: func(t *testing.T, e *trigEnv) error {
				e.srv.MustCreateUser(e.pool, "testuser", trigPassword, email)
				_, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &e.client, Username: aws.String("testuser"), ClientMetadata: meta})
				return err
			}},
		{source: "CustomMessage_UpdateUserAttribute", ref: "CustomMessage_SignUp", status: "CONFIRMED", meta: meta,
			act: func(t *testing.T, e *trigEnv) error {
				tok := e.signedIn(t, "testuser", map[string]string{"email": "old@example.com"})
				_, err := e.idp.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &tok, ClientMetadata: meta,
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("testuser@example.com")}}})
				return err
			}},
		{source: "CustomMessage_UpdateUserAttribute", ref: "CustomMessage_SignUp", status: "CONFIRMED", clientID: "CLIENT_ID_NOT_APPLICABLE",
			meta: map[string]string{"source": "admin"},
			act: func(t *testing.T, e *trigEnv) error {
				e.srv.MustCreateUser(e.pool, "testuser", trigPassword, map[string]string{"email": "old@example.com"})
				_, err := e.idp.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
					ClientMetadata: map[string]string{"source": "admin"},
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("testuser@example.com")}}})
				return err
			}},
		{source: "CustomMessage_VerifyUserAttribute", ref: "CustomMessage_SignUp", status: "CONFIRMED", meta: meta,
			act: func(t *testing.T, e *trigEnv) error {
				tok := e.signedIn(t, "testuser", map[string]string{"email": "testuser@example.com", "email_verified": "false"})
				_, err := e.idp.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: &tok,
					AttributeName: aws.String("email"), ClientMetadata: meta})
				return err
			}},
		{source: "CustomMessage_Authentication", ref: "CustomMessage_SignUp", status: "CONFIRMED", sms: true, meta: map[string]string{},
			pool: cognitotest.PoolOptions{MFA: "OPTIONAL"},
			act: func(t *testing.T, e *trigEnv) error {
				e.srv.MustCreateUser(e.pool, "testuser", trigPassword, map[string]string{"email": "testuser@example.com", "phone_number": "+12065550100"})
				_, err := e.idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
					SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}})
				require.NoError(t, err)
				out, err := e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &e.client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
					AuthParameters: map[string]string{"USERNAME": "testuser", "PASSWORD": trigPassword},
					ClientMetadata: map[string]string{"not": "passed to custom message"}})
				if err == nil {
					assert.Equal(t, types.ChallengeNameTypeSmsMfa, out.ChallengeName)
				}
				return err
			}},
	} {
		name := tt.source
		if tt.clientID != "" {
			name += " (admin)"
		}
		t.Run(name, func(t *testing.T) {
			e := newTrigEnv(t, tt.pool, cognitotest.ClientOptions{}, "CustomMessage")
			resp := map[string]any{"emailSubject": "Welcome", "emailMessage": "<p>Hello {username}, your code is {####}</p>"}
			if tt.sms {
				resp["smsMessage"] = "SMS {####}"
			}
			fn := e.fns["CustomMessage"].set(resp)
			require.NoError(t, tt.act(t, e))

			ev := fn.only(t)
			ref := referenceEvent(t, tt.ref)
			ref["triggerSource"] = tt.source
			// Link verification (CONFIRM_WITH_LINK) is not emulated: no
			// linkParameter.
			delete(ref["request"].(map[string]any), "linkParameter")
			assertLikeReference(t, ref, ev)
			clientID := tt.clientID
			if clientID == "" {
				clientID = e.client
			}
			e.assertHeader(t, ev, tt.source, "testuser", clientID)
			attrs := strMap(request(ev, "userAttributes"))
			assert.Equal(t, tt.status, attrs["cognito:user_status"])
			assert.Equal(t, "testuser@example.com", attrs["email"])
			assert.NotEmpty(t, attrs["sub"])
			assert.Equal(t, "{####}", request(ev, "codeParameter"))
			if tt.source == "CustomMessage_AdminCreateUser" {
				assert.Equal(t, "{username}", request(ev, "usernameParameter"))
			} else {
				assert.Nil(t, request(ev, "usernameParameter"))
			}
			assert.Equal(t, tt.meta, strMap(request(ev, "clientMetadata")))

			msgs := e.messages("testuser")
			require.NotEmpty(t, msgs)
			m := msgs[len(msgs)-1]
			require.NotEmpty(t, m.Code)
			if tt.sms {
				assert.Equal(t, "SMS", m.Medium)
				assert.Equal(t, "SMS "+m.Code, m.Body)
				assert.Empty(t, m.Subject)
			} else {
				assert.Equal(t, "EMAIL", m.Medium)
				assert.Equal(t, "<p>Hello testuser, your code is "+m.Code+"</p>", m.Body)
				assert.Equal(t, "Welcome", m.Subject)
			}
		})
	}
}

// TestTriggerCustomMessageKeepsTemplateWhenUnset: a function that sets
// nothing leaves the pool's own message.
func TestTriggerCustomMessageKeepsTemplateWhenUnset(t *testing.T) {
	e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "CustomMessage")
	_, err := e.idp.SignUp(context.Background(), signUpInput(e, "testuser"))
	require.NoError(t, err)
	msgs := e.messages("testuser")
	require.Len(t, msgs, 1)
	assert.Equal(t, "Your confirmation code is "+msgs[0].Code, msgs[0].Body)
	assert.Empty(t, msgs[0].Subject)
}

// TestTriggerCustomMessageRefused: a message without the code placeholder
// (or an invitation without the username's) is refused as Cognito does,
// nothing is sent, and the user stored before stays: once the function is
// fixed, ResendConfirmationCode (or AdminCreateUser RESEND) recovers.
func TestTriggerCustomMessageRefused(t *testing.T) {
	ctx := context.Background()
	t.Run("SignUp", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "CustomMessage")
		fn := e.fns["CustomMessage"].set(map[string]any{"emailMessage": "Welcome!"})
		_, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))
		apiErr(t, err, "InvalidLambdaResponseException", "")
		assert.Empty(t, e.messages("testuser"), "nothing sent")
		status, _, err := e.user("testuser")
		require.NoError(t, err)
		assert.Equal(t, "UNCONFIRMED", status, "the user stays")

		fn.set(map[string]any{"emailMessage": "Your code: {####}"})
		_, err = e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &e.client, Username: aws.String("testuser")})
		require.NoError(t, err)
		code, ok := e.srv.LastCode(e.pool, "testuser")
		require.True(t, ok)
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &e.client, Username: aws.String("testuser"), ConfirmationCode: &code})
		require.NoError(t, err)
	})
	t.Run("AdminCreateUser without {username}", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "CustomMessage")
		fn := e.fns["CustomMessage"].set(map[string]any{"emailMessage": "Temporary password {####}"})
		in := &cip.AdminCreateUserInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("testuser@example.com")}}}
		_, err := e.idp.AdminCreateUser(ctx, in)
		apiErr(t, err, "InvalidLambdaResponseException", "")
		assert.Empty(t, e.messages("testuser"))
		status, _, err := e.user("testuser")
		require.NoError(t, err)
		assert.Equal(t, "FORCE_CHANGE_PASSWORD", status, "the user stays")

		fn.set(map[string]any{"emailMessage": "{username}: {####}"})
		in.MessageAction = types.MessageActionTypeResend
		_, err = e.idp.AdminCreateUser(ctx, in)
		require.NoError(t, err)
		msgs := e.messages("testuser")
		require.Len(t, msgs, 1)
		assert.True(t, strings.HasPrefix(msgs[0].Body, "testuser: "), msgs[0].Body)
	})
	t.Run("function error", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "CustomMessage")
		e.fns["CustomMessage"].fail("template store down")
		e.srv.MustCreateUser(e.pool, "testuser", trigPassword, map[string]string{"email": "testuser@example.com"})
		_, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &e.client, Username: aws.String("testuser")})
		apiErr(t, err, "UserLambdaValidationException", "CustomMessage failed with error template store down.")
		assert.Empty(t, e.messages("testuser"))
	})
}

// TestTriggerCustomMessageRespondMetadata: the MFA code sent after a
// challenge answer gets AdminRespondToAuthChallenge's ClientMetadata as
// clientMetadata (Cognito passes it to custom message), and none after
// RespondToAuthChallenge.
func TestTriggerCustomMessageRespondMetadata(t *testing.T) {
	ctx := context.Background()
	for _, admin := range []bool{true, false} {
		t.Run(map[bool]string{true: "admin", false: "public"}[admin], func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{MFA: "ON"}, cognitotest.ClientOptions{}, "CustomMessage")
			fn := e.fns["CustomMessage"]
			_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
				TemporaryPassword: aws.String("Temp-Password-1"), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String("+12065550100")},
					{Name: aws.String("phone_number_verified"), Value: aws.String("true")}}})
			require.NoError(t, err)
			meta := map[string]string{"step": "new-password"}
			newPassword := map[string]string{"USERNAME": "testuser", "NEW_PASSWORD": trigPassword}
			var challenge types.ChallengeNameType
			if admin {
				out, err := e.idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &e.pool, ClientId: &e.client,
					AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientMetadata: map[string]string{"not": "passed"},
					AuthParameters: map[string]string{"USERNAME": "testuser", "PASSWORD": "Temp-Password-1"}})
				require.NoError(t, err)
				require.Equal(t, types.ChallengeNameTypeNewPasswordRequired, out.ChallengeName)
				r, err := e.idp.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &e.pool, ClientId: &e.client,
					ChallengeName: out.ChallengeName, Session: out.Session, ChallengeResponses: newPassword, ClientMetadata: meta})
				require.NoError(t, err)
				challenge = r.ChallengeName
			} else {
				out, err := e.passwordSignIn("testuser", "Temp-Password-1", nil)
				require.NoError(t, err)
				r, err := e.idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &e.client,
					ChallengeName: out.ChallengeName, Session: out.Session, ChallengeResponses: newPassword, ClientMetadata: meta})
				require.NoError(t, err)
				challenge = r.ChallengeName
			}
			require.Equal(t, types.ChallengeNameTypeSmsMfa, challenge)
			ev := fn.only(t)
			assert.Equal(t, "CustomMessage_Authentication", ev["triggerSource"])
			want := map[string]string{}
			if admin {
				want = meta
			}
			assert.Equal(t, want, strMap(request(ev, "clientMetadata")))
		})
	}
}
