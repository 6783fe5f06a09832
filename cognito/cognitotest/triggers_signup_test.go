package cognitotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func signUpInput(e *trigEnv, username string) *cip.SignUpInput {
	return &cip.SignUpInput{ClientId: &e.client, Username: aws.String(username), Password: aws.String(trigPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(username + "@example.com")},
			{Name: aws.String("phone_number"), Value: aws.String("+12065550100")}},
		ValidationData: []types.AttributeType{{Name: aws.String("captcha"), Value: aws.String("ok")}},
		ClientMetadata: map[string]string{"source": "web"}}
}

// TestTriggerPreSignUpSignUp: SignUp sends PreSignUp_SignUp before it
// stores the user, with the attributes, ValidationData and ClientMetadata;
// each response field has its effect, and a failure stores nothing.
func TestTriggerPreSignUpSignUp(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		resp      map[string]any
		fail      string
		code      string // error code of SignUp
		msg       string
		confirmed bool
		verified  []string // attributes marked verified
		codeSent  bool
	}{
		{name: "no change", resp: map[string]any{}, codeSent: true},
		{name: "autoConfirmUser and autoVerifyEmail", resp: map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true},
			confirmed: true, verified: []string{"email_verified"}},
		{name: "autoConfirmUser", resp: map[string]any{"autoConfirmUser": true}, confirmed: true},
		{name: "autoVerifyPhone", resp: map[string]any{"autoVerifyPhone": true}, verified: []string{"phone_number_verified"}, codeSent: true},
		{name: "autoVerifyEmail: the auto-verified attribute needs no code", resp: map[string]any{"autoVerifyEmail": true},
			verified: []string{"email_verified"}},
		{name: "function error", fail: "Not allowed", code: "UserLambdaValidationException", msg: "PreSignUp failed with error Not allowed."},
		{name: "unusable response", resp: map[string]any{"autoConfirmUser": "yes"}, code: "InvalidLambdaResponseException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PreSignUp", "PostConfirmation")
			pre, post := e.fns["PreSignUp"], e.fns["PostConfirmation"]
			if tt.fail != "" {
				pre.fail(tt.fail)
			} else {
				pre.set(tt.resp)
			}
			out, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))

			ev := pre.only(t)
			assertLikeReference(t, referenceEvent(t, "PreSignUp_SignUp"), ev)
			e.assertHeader(t, ev, "PreSignUp_SignUp", "testuser", e.client)
			assert.Equal(t, map[string]string{"email": "testuser@example.com", "phone_number": "+12065550100"}, strMap(request(ev, "userAttributes")))
			assert.Equal(t, map[string]string{"captcha": "ok"}, strMap(request(ev, "validationData")))
			assert.Equal(t, map[string]string{"source": "web"}, strMap(request(ev, "clientMetadata")))

			if tt.code != "" {
				apiErr(t, err, tt.code, tt.msg)
				_, _, err := e.user("testuser")
				apiErr(t, err, "UserNotFoundException", "")
				assert.Empty(t, post.take(), "no post confirmation")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.confirmed, out.UserConfirmed)
			status, attrs, err := e.user("testuser")
			require.NoError(t, err)
			for _, v := range []string{"email_verified", "phone_number_verified"} {
				want := ""
				if contains(tt.verified, v) {
					want = "true"
				}
				assert.Equal(t, want, attrs[v], v)
			}
			if tt.confirmed {
				assert.Equal(t, "CONFIRMED", status)
				pc := post.only(t)
				e.assertHeader(t, pc, "PostConfirmation_ConfirmSignUp", "testuser", e.client)
				assert.Equal(t, "CONFIRMED", strMap(request(pc, "userAttributes"))["cognito:user_status"])
				assert.Equal(t, map[string]string{"source": "web"}, strMap(request(pc, "clientMetadata")))
			} else {
				assert.Equal(t, "UNCONFIRMED", status)
				assert.Empty(t, post.take())
			}
			assert.Equal(t, tt.codeSent, out.CodeDeliveryDetails != nil)
			assert.Len(t, e.messages("testuser"), map[bool]int{true: 1}[tt.codeSent])
		})
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestTriggerPreSignUpAutoConfirmPostConfirmationFails: a sign-up
// auto-confirmed by pre sign-up stays confirmed when post confirmation
// fails; SignUp answers the failure.
func TestTriggerPreSignUpAutoConfirmPostConfirmationFails(t *testing.T) {
	e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PreSignUp", "PostConfirmation")
	e.fns["PreSignUp"].set(map[string]any{"autoConfirmUser": true})
	e.fns["PostConfirmation"].fail("welcome mail failed")
	_, err := e.idp.SignUp(context.Background(), signUpInput(e, "testuser"))
	apiErr(t, err, "UserLambdaValidationException", "PostConfirmation failed with error welcome mail failed.")
	status, _, err := e.user("testuser")
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", status)
}

// TestTriggerPreSignUpAdminCreateUser: AdminCreateUser sends
// PreSignUp_AdminCreateUser (no app client: CLIENT_ID_NOT_APPLICABLE);
// auto-verify marks the attributes verified, auto-confirm changes nothing
// (the user must change its temporary password), a failure stores
// nothing.
func TestTriggerPreSignUpAdminCreateUser(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		resp map[string]any
		fail string
	}{
		{name: "autoConfirmUser ignored, autoVerifyEmail", resp: map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true}},
		{name: "no change", resp: map[string]any{}},
		{name: "function error", fail: "Admins only on Mondays"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PreSignUp")
			pre := e.fns["PreSignUp"]
			if tt.fail != "" {
				pre.fail(tt.fail)
			} else {
				pre.set(tt.resp)
			}
			_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("testuser@example.com")}},
				ValidationData: []types.AttributeType{{Name: aws.String("captcha"), Value: aws.String("ok")}},
				ClientMetadata: map[string]string{"source": "admin"}, MessageAction: types.MessageActionTypeSuppress})
			ev := pre.only(t)
			ref := referenceEvent(t, "PreSignUp_SignUp")
			ref["triggerSource"] = "PreSignUp_AdminCreateUser" // the same event, another source
			assertLikeReference(t, ref, ev)
			e.assertHeader(t, ev, "PreSignUp_AdminCreateUser", "testuser", "CLIENT_ID_NOT_APPLICABLE")
			assert.Equal(t, map[string]string{"email": "testuser@example.com"}, strMap(request(ev, "userAttributes")))
			assert.Equal(t, map[string]string{"captcha": "ok"}, strMap(request(ev, "validationData")))
			assert.Equal(t, map[string]string{"source": "admin"}, strMap(request(ev, "clientMetadata")))
			status, attrs, gerr := e.user("testuser")
			if tt.fail != "" {
				apiErr(t, err, "UserLambdaValidationException", "PreSignUp failed with error "+tt.fail+".")
				apiErr(t, gerr, "UserNotFoundException", "")
				return
			}
			require.NoError(t, err)
			require.NoError(t, gerr)
			assert.Equal(t, "FORCE_CHANGE_PASSWORD", status)
			if tt.resp["autoVerifyEmail"] == true {
				assert.Equal(t, "true", attrs["email_verified"])
			} else {
				assert.Empty(t, attrs["email_verified"])
			}
		})
	}
}

// TestTriggerPostConfirmation: ConfirmSignUp and AdminConfirmSignUp send
// PostConfirmation_ConfirmSignUp, ConfirmForgotPassword
// PostConfirmation_ConfirmForgotPassword, after the change is stored; the
// change stays when the function fails.
func TestTriggerPostConfirmation(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		op     string
		fail   string
		source string
	}{
		{op: "ConfirmSignUp", source: "PostConfirmation_ConfirmSignUp"},
		{op: "ConfirmSignUp", fail: "CRM down", source: "PostConfirmation_ConfirmSignUp"},
		{op: "AdminConfirmSignUp", source: "PostConfirmation_ConfirmSignUp"},
		{op: "AdminConfirmSignUp", fail: "CRM down", source: "PostConfirmation_ConfirmSignUp"},
		{op: "ConfirmForgotPassword", source: "PostConfirmation_ConfirmForgotPassword"},
		{op: "ConfirmForgotPassword", fail: "CRM down", source: "PostConfirmation_ConfirmForgotPassword"},
	} {
		t.Run(tt.op+"/"+map[bool]string{true: "fails", false: "ok"}[tt.fail != ""], func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PostConfirmation")
			post := e.fns["PostConfirmation"]
			if tt.fail != "" {
				post.fail(tt.fail)
			}
			meta := map[string]string{"source": "web"}
			clientID := e.client
			newPassword := "Other-Password-2"
			switch tt.op {
			case "ConfirmForgotPassword":
				e.srv.MustCreateUser(e.pool, "testuser", trigPassword, map[string]string{"email": "testuser@example.com"})
				_, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &e.client, Username: aws.String("testuser")})
				require.NoError(t, err)
				code, _ := e.srv.LastCode(e.pool, "testuser")
				_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &e.client, Username: aws.String("testuser"),
					ConfirmationCode: &code, Password: &newPassword, ClientMetadata: meta})
				checkPostConfirmationError(t, err, tt.fail)
				_, err = e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &e.client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
					AuthParameters: map[string]string{"USERNAME": "testuser", "PASSWORD": newPassword}})
				require.NoError(t, err, "the new password stays")
			default:
				_, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))
				require.NoError(t, err)
				if tt.op == "ConfirmSignUp" {
					code, _ := e.srv.LastCode(e.pool, "testuser")
					_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &e.client, Username: aws.String("testuser"),
						ConfirmationCode: &code, ClientMetadata: meta})
				} else {
					clientID = "CLIENT_ID_NOT_APPLICABLE"
					_, err = e.idp.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
						ClientMetadata: meta})
				}
				checkPostConfirmationError(t, err, tt.fail)
				status, _, err := e.user("testuser")
				require.NoError(t, err)
				assert.Equal(t, "CONFIRMED", status, "the confirmation stays")
			}
			ev := post.only(t)
			ref := referenceEvent(t, "PostConfirmation_ConfirmSignUp")
			ref["triggerSource"] = tt.source
			assertLikeReference(t, ref, ev)
			e.assertHeader(t, ev, tt.source, "testuser", clientID)
			attrs := strMap(request(ev, "userAttributes"))
			assert.Equal(t, "CONFIRMED", attrs["cognito:user_status"])
			assert.Equal(t, "testuser@example.com", attrs["email"])
			assert.NotEmpty(t, attrs["sub"])
			assert.Equal(t, meta, strMap(request(ev, "clientMetadata")))
		})
	}
}

func checkPostConfirmationError(t *testing.T, err error, fail string) {
	t.Helper()
	if fail == "" {
		require.NoError(t, err)
		return
	}
	apiErr(t, err, "UserLambdaValidationException", "PostConfirmation failed with error "+fail+".")
}

// TestTriggerSlowAndFailingFunctions: a pre sign-up function that takes 6
// seconds fails SignUp with UnexpectedLambdaException after Cognito's 5,
// one that fails with UserLambdaValidationException and its message;
// neither stores the user, and the emulator serves other requests
// meanwhile and afterwards.
func TestTriggerSlowAndFailingFunctions(t *testing.T) {
	ctx := context.Background()
	e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PreSignUp")
	pre := e.fns["PreSignUp"]
	e.srv.MustCreateUser(e.pool, "bystander", trigPassword, nil)

	started := make(chan struct{})
	pre.mu.Lock()
	pre.respond = func(ev map[string]any) (map[string]any, error) {
		close(started)
		time.Sleep(6 * time.Second)
		return ev, nil
	}
	pre.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := e.idp.SignUp(ctx, signUpInput(e, "slow"))
		done <- err
	}()
	<-started
	// While the function runs, the emulator answers others.
	status, _, err := e.user("bystander")
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", status)
	err = <-done
	apiErr(t, err, "UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.")
	_, _, err = e.user("slow")
	apiErr(t, err, "UserNotFoundException", "")

	pre.fail("Sign-ups are closed")
	_, err = e.idp.SignUp(ctx, signUpInput(e, "failing"))
	apiErr(t, err, "UserLambdaValidationException", "PreSignUp failed with error Sign-ups are closed.")
	_, _, err = e.user("failing")
	apiErr(t, err, "UserNotFoundException", "")

	pre.set(map[string]any{"autoConfirmUser": true})
	out, err := e.idp.SignUp(ctx, signUpInput(e, "fine"))
	require.NoError(t, err, "the emulator keeps serving")
	assert.True(t, out.UserConfirmed)
}

// TestTriggerUnregisteredFunction: a LambdaConfig ARN with no function
// behind it fails as Cognito does for a missing function.
func TestTriggerUnregisteredFunction(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{LambdaConfig: &cognitotest.LambdaConfig{PreSignUp: trigARN("missing")}})
	client := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{}).ID
	_, err := cip.NewFromConfig(srv.Config()).SignUp(context.Background(), &cip.SignUpInput{ClientId: &client,
		Username: aws.String("testuser"), Password: aws.String(trigPassword)})
	apiErr(t, err, "UnexpectedLambdaException", "PreSignUp invocation failed due to error ResourceNotFoundException.")
}

// TestTriggerPreSignUpAutoVerifyAlias: in a pool with e-mail aliases, an
// e-mail that pre sign-up auto-verifies must not be another user's
// verified alias (AliasExistsException, nothing stored); unverified, it
// may. Auto-verifying an attribute the user does not have is an unusable
// response.
func TestTriggerPreSignUpAutoVerifyAlias(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		resp map[string]any
		code string
	}{
		{"auto-verified alias taken", map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true}, "AliasExistsException"},
		{"unverified alias", map[string]any{"autoConfirmUser": true}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{AliasAttributes: []string{"email"}}, cognitotest.ClientOptions{}, "PreSignUp")
			e.srv.MustCreateUser(e.pool, "holder", trigPassword, map[string]string{"email": "testuser@example.com"})
			e.fns["PreSignUp"].set(tt.resp)
			_, err := e.idp.SignUp(ctx, signUpInput(e, "testuser"))
			_, _, gerr := e.user("testuser")
			if tt.code != "" {
				apiErr(t, err, tt.code, "")
				apiErr(t, gerr, "UserNotFoundException", "")
				return
			}
			require.NoError(t, err)
			require.NoError(t, gerr)
		})
	}
	t.Run("autoVerifyPhone without a phone number", func(t *testing.T) {
		e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "PreSignUp")
		e.fns["PreSignUp"].set(map[string]any{"autoVerifyPhone": true})
		_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &e.pool, Username: aws.String("testuser"),
			MessageAction: types.MessageActionTypeSuppress})
		apiErr(t, err, "InvalidLambdaResponseException", "")
		_, _, gerr := e.user("testuser")
		apiErr(t, gerr, "UserNotFoundException", "")
	})
}
