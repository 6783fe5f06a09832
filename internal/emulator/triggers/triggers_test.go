package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

const (
	arn = "arn:aws:lambda:us-east-1:123456789012:function:trigger"
	sub = "4c38c4d8-8021-7015-c4b2-1a4a5e9e2ad8"
)

var caller = triggers.Caller{Region: "us-east-1", UserPoolID: "us-east-1_EXAMPLE", UserName: "testuser", ClientID: "1example23456789"}

func strp(s string) *string { return &s }

// referenceEvents pairs each sample in testdata/events with the event our
// builders make from the same plain inputs.
func referenceEvents() map[string]any {
	web := triggers.Metadata{"source": "web"}
	return map[string]any{
		"PreSignUp_SignUp": triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp,
			triggers.Attributes{"email": "testuser@example.com", "phone_number": "+12065550100"}, triggers.Metadata{"captcha": "ok"}, web),
		"PostConfirmation_ConfirmSignUp": triggers.NewPostConfirmationEvent(caller, triggers.SourcePostConfirmationSignUp,
			triggers.Attributes{"sub": sub, "cognito:user_status": "CONFIRMED", "email_verified": "true", "email": "testuser@example.com"}, web),
		"PreAuthentication_Authentication": triggers.NewPreAuthenticationEvent(caller,
			triggers.Attributes{"sub": sub, "cognito:user_status": "CONFIRMED", "email": "testuser@example.com"}, false, triggers.Metadata{"ip": "192.0.2.1"}),
		"PostAuthentication_Authentication": triggers.NewPostAuthenticationEvent(caller,
			triggers.Attributes{"sub": sub, "cognito:user_status": "CONFIRMED", "email": "testuser@example.com"}, true, web),
		"UserMigration_Authentication": triggers.NewUserMigrationEvent(caller, triggers.SourceUserMigrationAuthentication,
			"Test-Password-1", triggers.Metadata{"captcha": "ok"}, web),
		"CustomMessage_AdminCreateUser": triggers.NewCustomMessageEvent(caller, triggers.SourceCustomMessageAdminCreateUser,
			triggers.Attributes{"sub": sub, "cognito:user_status": "FORCE_CHANGE_PASSWORD", "email": "testuser@example.com"}, false, triggers.Metadata{"source": "admin"}),
		"CustomMessage_SignUp": triggers.NewCustomMessageEvent(caller, triggers.SourceCustomMessageSignUp,
			triggers.Attributes{"sub": sub, "cognito:user_status": "UNCONFIRMED", "email": "testuser@example.com"}, true, web),
		"TokenGeneration_Authentication_V1": triggers.NewPreTokenGenerationEvent(triggers.PreTokenV1, triggers.PreTokenInput{
			Caller: caller, Source: triggers.SourceTokenAuthentication,
			UserAttributes: triggers.Attributes{"sub": sub, "email": "testuser@example.com"},
			Groups: triggers.Groups{Groups: []string{"admins"}, IAMRoles: []string{"arn:aws:iam::123456789012:role/admins"},
				PreferredRole: strp("arn:aws:iam::123456789012:role/admins")},
			ClientMetadata: web,
		}),
		"TokenGeneration_Authentication_V2": triggers.NewPreTokenGenerationEvent(triggers.PreTokenV2, triggers.PreTokenInput{
			Caller: caller, Source: triggers.SourceTokenAuthentication,
			UserAttributes: triggers.Attributes{"sub": sub, "email": "testuser@example.com"},
			Scopes:         []string{"aws.cognito.signin.user.admin"}, ClientMetadata: web,
		}),
		"TokenGeneration_ClientCredentials_V3": triggers.NewPreTokenGenerationEvent(triggers.PreTokenV3, triggers.PreTokenInput{
			Caller: triggers.Caller{Region: "us-east-1", UserPoolID: "us-east-1_EXAMPLE", ClientID: "1example23456789"},
			Source: triggers.SourceTokenClientCredentials, Scopes: []string{"example.com/read"},
		}),
		"DefineAuthChallenge_Authentication": triggers.NewDefineAuthChallengeEvent(caller,
			triggers.Attributes{"sub": sub, "email": "testuser@example.com"},
			[]*triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "CAPTCHA"}},
			false, web),
		"CreateAuthChallenge_Authentication": triggers.NewCreateAuthChallengeEvent(caller,
			triggers.Attributes{"sub": sub, "email": "testuser@example.com"}, "CUSTOM_CHALLENGE",
			[]*triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}, web),
		"VerifyAuthChallengeResponse_Authentication": triggers.NewVerifyAuthChallengeEvent(caller,
			triggers.Attributes{"sub": sub, "email": "testuser@example.com"}, map[string]string{"answer": "5"}, "5", false, web),
	}
}

func TestEventsMatchReferenceSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.json")
	require.NoError(t, err)
	built := referenceEvents()
	require.Len(t, files, len(built), "one sample per built event")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			ev, ok := built[name]
			require.True(t, ok, "no builder for sample %s", name)
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			payload, err := triggers.Payload(ev)
			require.NoError(t, err)
			var want, got any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(payload, &got))
			compareFields(t, "$", want, got)
		})
	}
}

// compareFields compares two decoded JSON documents member by member, so a
// difference is reported with its path.
func compareFields(t *testing.T, path string, want, got any) {
	t.Helper()
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		assert.Equal(t, sortedKeys(wm), sortedKeys(gm), "members of %s", path)
		for k, w := range wm {
			if g, ok := gm[k]; ok {
				compareFields(t, path+"."+k, w, g)
			}
		}
		return
	}
	assert.Equal(t, want, got, path)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Every member name aws-lambda-go's own samples have (outside user data)
// is present in our events: a check against an independent reading of the
// same documentation.
func TestEventsCarryAWSLambdaGoFields(t *testing.T) {
	built := referenceEvents()
	pairs := map[string]string{
		"presignup": "PreSignUp_SignUp", "postconfirmation": "PostConfirmation_ConfirmSignUp",
		"preauthentication": "PreAuthentication_Authentication", "postauthentication": "PostAuthentication_Authentication",
		"migrateuser": "UserMigration_Authentication", "custommessage": "CustomMessage_AdminCreateUser",
		"pretokengen": "TokenGeneration_Authentication_V1", "pretokengen-v2_0": "TokenGeneration_Authentication_V2",
		"define-auth-challenge": "DefineAuthChallenge_Authentication", "create-auth-challenge": "CreateAuthChallenge_Authentication",
		"verify-auth-challenge": "VerifyAuthChallengeResponse_Authentication",
	}
	for theirs, ours := range pairs {
		t.Run(theirs, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/aws-lambda-go/cognito-event-userpools-" + theirs + ".json")
			require.NoError(t, err)
			payload, err := triggers.Payload(built[ours])
			require.NoError(t, err)
			var want, got map[string]any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(payload, &got))
			assert.Subset(t, sortedKeys(got), sortedKeys(want), "top-level members")
			assert.Subset(t, sortedKeys(got["request"].(map[string]any)), sortedKeys(want["request"].(map[string]any)), "request members")
			if _, ok := want["response"].(map[string]any); ok && ours != "TokenGeneration_Authentication_V1" && ours != "TokenGeneration_Authentication_V2" {
				assert.Subset(t, sortedKeys(got["response"].(map[string]any)), sortedKeys(want["response"].(map[string]any)), "response members")
			}
		})
	}
}

func TestEverySourceHasItsTrigger(t *testing.T) {
	sources := map[triggers.Source]triggers.Trigger{
		"PreSignUp_SignUp": triggers.PreSignUp, "PreSignUp_AdminCreateUser": triggers.PreSignUp, "PreSignUp_ExternalProvider": triggers.PreSignUp,
		"PostConfirmation_ConfirmSignUp": triggers.PostConfirmation, "PostConfirmation_ConfirmForgotPassword": triggers.PostConfirmation,
		"PreAuthentication_Authentication": triggers.PreAuthentication, "PostAuthentication_Authentication": triggers.PostAuthentication,
		"TokenGeneration_HostedAuth": triggers.PreTokenGeneration, "TokenGeneration_Authentication": triggers.PreTokenGeneration,
		"TokenGeneration_NewPasswordChallenge": triggers.PreTokenGeneration, "TokenGeneration_AuthenticateDevice": triggers.PreTokenGeneration,
		"TokenGeneration_RefreshTokens": triggers.PreTokenGeneration, "TokenGeneration_ClientCredentials": triggers.PreTokenGeneration,
		"UserMigration_Authentication": triggers.UserMigration, "UserMigration_ForgotPassword": triggers.UserMigration,
		"CustomMessage_SignUp": triggers.CustomMessage, "CustomMessage_AdminCreateUser": triggers.CustomMessage,
		"CustomMessage_ResendCode": triggers.CustomMessage, "CustomMessage_ForgotPassword": triggers.CustomMessage,
		"CustomMessage_UpdateUserAttribute": triggers.CustomMessage, "CustomMessage_VerifyUserAttribute": triggers.CustomMessage,
		"CustomMessage_Authentication":       triggers.CustomMessage,
		"DefineAuthChallenge_Authentication": triggers.DefineAuthChallenge, "CreateAuthChallenge_Authentication": triggers.CreateAuthChallenge,
		"VerifyAuthChallengeResponse_Authentication": triggers.VerifyAuthChallengeResponse,
	}
	for src, want := range sources {
		assert.Equal(t, want, src.Trigger(), src)
	}
	assert.Equal(t, triggers.Trigger(""), triggers.Source("PreSignUp_Other").Trigger())

	// Each builder writes the source it is given.
	for _, src := range []triggers.Source{triggers.SourcePreSignUpAdminCreateUser, triggers.SourcePreSignUpExternal} {
		assert.Equal(t, string(src), triggers.NewPreSignUpEvent(caller, src, nil, nil, nil).TriggerSource)
	}
	assert.Equal(t, "PostConfirmation_ConfirmForgotPassword", triggers.NewPostConfirmationEvent(caller, triggers.SourcePostConfirmationForgotPassword, nil, nil).TriggerSource)
	for _, src := range []triggers.Source{triggers.SourceCustomMessageResendCode, triggers.SourceCustomMessageForgotPassword,
		triggers.SourceCustomMessageUpdateUserAttribute, triggers.SourceCustomMessageVerifyUserAttribute, triggers.SourceCustomMessageAuthentication} {
		ev := triggers.NewCustomMessageEvent(caller, src, nil, false, nil)
		assert.Equal(t, string(src), ev.TriggerSource)
		assert.Nil(t, ev.Request.UsernameParameter, "only AdminCreateUser carries the username placeholder")
		assert.Equal(t, "{####}", ev.Request.CodeParameter)
	}
	for _, src := range []triggers.Source{triggers.SourceTokenHostedAuth, triggers.SourceTokenNewPassword, triggers.SourceTokenAuthenticateDevice, triggers.SourceTokenRefresh} {
		ev := triggers.NewPreTokenGenerationEvent(triggers.PreTokenV2, triggers.PreTokenInput{Caller: caller, Source: src}).(events.CognitoEventUserPoolsPreTokenGenV2_0)
		assert.Equal(t, string(src), ev.TriggerSource)
		assert.Equal(t, "2", ev.Version)
	}
	fp := triggers.NewUserMigrationEvent(caller, triggers.SourceUserMigrationForgotPassword, "ignored", nil, nil)
	assert.Empty(t, fp.Request.Password, "forgot-password migration carries no password")

	_, err := triggers.Payload(map[string]string{"triggerSource": "Nope"})
	assert.Error(t, err)
	_, err = triggers.Payload(42)
	assert.Error(t, err)
}

func TestPreTokenVersionFires(t *testing.T) {
	assert.True(t, triggers.PreTokenV1.Fires(triggers.SourceTokenAuthentication))
	assert.False(t, triggers.PreTokenV1.Fires(triggers.SourceTokenClientCredentials))
	assert.False(t, triggers.PreTokenV2.Fires(triggers.SourceTokenClientCredentials))
	assert.True(t, triggers.PreTokenV3.Fires(triggers.SourceTokenClientCredentials))
	assert.False(t, triggers.PreTokenV3.Fires(triggers.SourcePreSignUpSignUp))
}

// registry runs Go handlers (aws-lambda-go signatures, as users write
// them) through JSON.
func registry(t *testing.T, handler any) *lambdafn.Registry {
	t.Helper()
	r := lambdafn.New(func(o *lambdafn.Options) { o.Timeout = 300 * time.Millisecond })
	t.Cleanup(func() { _ = r.Close() })
	require.NoError(t, r.RegisterHandler(arn, handler))
	return r
}

func requireCognitoError(t *testing.T, err error, code, message string) {
	t.Helper()
	var te *triggers.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, code, te.Code)
	assert.Equal(t, message, te.Message)
}

func TestPreSignUp(t *testing.T) {
	ctx := context.Background()
	ev := triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp, triggers.Attributes{"email": "ann@example.com"}, nil, nil)

	r := registry(t, func(ctx context.Context, e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if !strings.HasSuffix(e.Request.UserAttributes["email"], "@example.com") {
			return e, errors.New("domain not allowed")
		}
		e.Response.AutoConfirmUser = true
		e.Response.AutoVerifyEmail = true
		return e, nil
	})
	resp, err := triggers.InvokePreSignUp(ctx, r, arn, ev)
	require.NoError(t, err)
	assert.Equal(t, events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true}, resp)

	other := triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp, triggers.Attributes{"email": "bob@evil.test"}, nil, nil)
	_, err = triggers.InvokePreSignUp(ctx, r, arn, other)
	requireCognitoError(t, err, "UserLambdaValidationException", "PreSignUp failed with error domain not allowed.")
	assert.ErrorIs(t, err, triggers.ErrUserLambdaValidation)
	assert.ErrorIs(t, err, lambdafn.ErrFunction, "the cause stays reachable")

	// Auto-verifying a phone the user does not have.
	r = registry(t, func(e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		e.Response.AutoVerifyPhone = true
		return e, nil
	})
	_, err = triggers.InvokePreSignUp(ctx, r, arn, ev)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	// A response of the wrong shape.
	r = registry(t, func(e map[string]any) (map[string]any, error) {
		e["response"] = map[string]any{"autoConfirmUser": "yes"}
		return e, nil
	})
	_, err = triggers.InvokePreSignUp(ctx, r, arn, ev)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	// No response at all (a Node handler that never calls back).
	r = registry(t, func(map[string]any) (any, error) { return nil, nil })
	_, err = triggers.InvokePreSignUp(ctx, r, arn, ev)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")
	assert.ErrorIs(t, err, triggers.ErrInvalidLambdaResponse)

	// Too slow.
	r = registry(t, func(ctx context.Context, e map[string]any) (map[string]any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	_, err = triggers.InvokePreSignUp(ctx, r, arn, ev)
	requireCognitoError(t, err, "UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.")
	assert.ErrorIs(t, err, triggers.ErrUnexpectedLambda)

	// Nothing registered under the ARN.
	_, err = triggers.InvokePreSignUp(ctx, lambdafn.New(), arn, ev)
	requireCognitoError(t, err, "UnexpectedLambdaException", "PreSignUp invocation failed due to error ResourceNotFoundException.")
}

func TestPostConfirmationAndAuthentication(t *testing.T) {
	ctx := context.Background()
	var seen []string
	r := registry(t, func(e map[string]any) (map[string]any, error) {
		seen = append(seen, e["triggerSource"].(string))
		if e["userName"] == "blocked" {
			return nil, errors.New("User is blocked")
		}
		return e, nil
	})
	pc := triggers.NewPostConfirmationEvent(caller, triggers.SourcePostConfirmationForgotPassword, nil, nil)
	require.NoError(t, triggers.InvokePostConfirmation(ctx, r, arn, pc))
	pre := triggers.NewPreAuthenticationEvent(caller, nil, false, nil)
	require.NoError(t, triggers.InvokePreAuthentication(ctx, r, arn, pre))
	post := triggers.NewPostAuthenticationEvent(caller, nil, false, nil)
	require.NoError(t, triggers.InvokePostAuthentication(ctx, r, arn, post))
	assert.Equal(t, []string{"PostConfirmation_ConfirmForgotPassword", "PreAuthentication_Authentication", "PostAuthentication_Authentication"}, seen)

	blocked := caller
	blocked.UserName = "blocked"
	err := triggers.InvokePreAuthentication(ctx, r, arn, triggers.NewPreAuthenticationEvent(blocked, nil, false, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "PreAuthentication failed with error User is blocked.")
	err = triggers.InvokePostAuthentication(ctx, r, arn, triggers.NewPostAuthenticationEvent(blocked, nil, true, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "PostAuthentication failed with error User is blocked.")

	// A post trigger returning nothing: Cognito's "Invalid JSON".
	r = registry(t, func(map[string]any) error { return nil })
	err = triggers.InvokePostConfirmation(ctx, r, arn, pc)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")

	// userNotFound is sent only when true.
	p, err := triggers.Payload(triggers.NewPreAuthenticationEvent(caller, nil, true, nil))
	require.NoError(t, err)
	assert.Contains(t, string(p), `"userNotFound":true`)
}

func TestUserMigration(t *testing.T) {
	ctx := context.Background()
	oldSystem := map[string]string{"ann": "Old-Password-1"}
	r := registry(t, func(e events.CognitoEventUserPoolsMigrateUser) (map[string]any, error) {
		if e.TriggerSource == "UserMigration_Authentication" && oldSystem[e.UserName] != e.CognitoEventUserPoolsMigrateUserRequest.Password {
			return nil, errors.New("Bad password")
		}
		resp := map[string]any{"userAttributes": map[string]string{"email": e.UserName + "@example.com", "email_verified": "true"},
			"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}
		switch e.CognitoEventUserPoolsMigrateUserRequest.ClientMetadata["case"] {
		case "bad-status":
			resp["finalUserStatus"] = "UNCONFIRMED"
		case "bad-action":
			resp["messageAction"] = "SEND"
		case "bad-medium":
			resp["desiredDeliveryMediums"] = []string{"PIGEON"}
		case "no-attributes":
			delete(resp, "userAttributes")
		case "full":
			resp["desiredDeliveryMediums"] = []string{"EMAIL", "SMS"}
			resp["forceAliasCreation"] = true
			resp["enableSMSMFA"] = true
			resp["finalUserStatus"] = "RESET_REQUIRED"
			resp["messageAction"] = "RESEND"
		}
		return map[string]any{"response": resp}, nil
	})
	ann := caller
	ann.UserName = "ann"
	got, err := triggers.InvokeUserMigration(ctx, r, arn, triggers.NewUserMigrationEvent(ann, triggers.SourceUserMigrationAuthentication, "Old-Password-1", nil, nil))
	require.NoError(t, err)
	assert.Equal(t, triggers.UserMigrationResponse{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"},
		FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}, got)

	got, err = triggers.InvokeUserMigration(ctx, r, arn, triggers.NewUserMigrationEvent(ann, triggers.SourceUserMigrationForgotPassword, "", nil, triggers.Metadata{"case": "full"}))
	require.NoError(t, err)
	assert.Equal(t, triggers.UserMigrationResponse{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"},
		FinalUserStatus: "RESET_REQUIRED", MessageAction: "RESEND", DesiredDeliveryMediums: []string{"EMAIL", "SMS"}, ForceAliasCreation: true, EnableSMSMFA: true}, got)

	_, err = triggers.InvokeUserMigration(ctx, r, arn, triggers.NewUserMigrationEvent(ann, triggers.SourceUserMigrationAuthentication, "wrong", nil, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "UserMigration failed with error Bad password.")

	for _, c := range []string{"bad-status", "bad-action", "bad-medium", "no-attributes"} {
		t.Run(c, func(t *testing.T) {
			_, err := triggers.InvokeUserMigration(ctx, r, arn, triggers.NewUserMigrationEvent(ann, triggers.SourceUserMigrationForgotPassword, "", nil, triggers.Metadata{"case": c}))
			requireCognitoError(t, err, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")
		})
	}
}

func TestCustomMessage(t *testing.T) {
	ctx := context.Background()
	r := registry(t, func(e events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		switch e.Request.ClientMetadata["case"] {
		case "no-code":
			e.Response.EmailMessage = "Welcome!"
		case "no-username":
			e.Response.EmailMessage = "Your code is " + e.Request.CodeParameter
		case "sms-no-code":
			e.Response.SMSMessage = "hi"
		case "link":
			e.Response.EmailMessage = "Click {##Click Here##} to verify"
		case "untouched":
		default:
			e.Response.EmailSubject = "Welcome"
			e.Response.EmailMessage = "Hello " + e.Request.UsernameParameter + ", your code is " + e.Request.CodeParameter
			e.Response.SMSMessage = "Code " + e.Request.CodeParameter + " for " + e.Request.UsernameParameter
		}
		return e, nil
	})
	admin := func(c string) triggers.CustomMessageEvent {
		return triggers.NewCustomMessageEvent(caller, triggers.SourceCustomMessageAdminCreateUser, nil, false, triggers.Metadata{"case": c})
	}
	msg, err := triggers.InvokeCustomMessage(ctx, r, arn, admin(""))
	require.NoError(t, err)
	assert.Equal(t, "Welcome", msg.EmailSubject)
	assert.Equal(t, "Hello ann, your code is Tmp-Pass-9", triggers.RenderMessage(msg.EmailMessage, "Tmp-Pass-9", "ann", ""))

	_, err = triggers.InvokeCustomMessage(ctx, r, arn, admin("no-username"))
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")
	_, err = triggers.InvokeCustomMessage(ctx, r, arn, admin("no-code"))
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	signup := func(c string, link bool) triggers.CustomMessageEvent {
		return triggers.NewCustomMessageEvent(caller, triggers.SourceCustomMessageSignUp, nil, link, triggers.Metadata{"case": c})
	}
	msg, err = triggers.InvokeCustomMessage(ctx, r, arn, signup("no-username", false))
	require.NoError(t, err, "the username placeholder is needed for AdminCreateUser only")
	assert.Equal(t, "Your code is 123456", triggers.RenderMessage(msg.EmailMessage, "123456", "", ""))
	_, err = triggers.InvokeCustomMessage(ctx, r, arn, signup("sms-no-code", false))
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")
	_, err = triggers.InvokeCustomMessage(ctx, r, arn, signup("link", true))
	require.NoError(t, err, "with link verification the link placeholder carries the code")
	_, err = triggers.InvokeCustomMessage(ctx, r, arn, signup("link", false))
	require.Error(t, err)
	msg, err = triggers.InvokeCustomMessage(ctx, r, arn, signup("untouched", false))
	require.NoError(t, err)
	assert.Equal(t, triggers.Message{}, msg, "an untouched response keeps the pool's templates")
}

func TestCustomAuthChallenges(t *testing.T) {
	ctx := context.Background()
	r := registry(t, func(raw json.RawMessage) (any, error) {
		var hdr events.CognitoEventUserPoolsHeader
		_ = json.Unmarshal(raw, &hdr)
		switch hdr.TriggerSource {
		case "DefineAuthChallenge_Authentication":
			var e events.CognitoEventUserPoolsDefineAuthChallenge
			_ = json.Unmarshal(raw, &e)
			switch n := len(e.Request.Session); {
			case e.Request.ClientMetadata["case"] == "nothing":
			case n == 0:
				e.Response.ChallengeName = "CUSTOM_CHALLENGE"
			case e.Request.Session[n-1].ChallengeResult:
				e.Response.IssueTokens = true
			default:
				e.Response.FailAuthentication = true
			}
			return e, nil
		case "CreateAuthChallenge_Authentication":
			var e events.CognitoEventUserPoolsCreateAuthChallenge
			_ = json.Unmarshal(raw, &e)
			e.Response.PublicChallengeParameters = map[string]string{"question": "2+3"}
			e.Response.PrivateChallengeParameters = map[string]string{"answer": "5"}
			e.Response.ChallengeMetadata = "MATH"
			return e, nil
		default:
			var e events.CognitoEventUserPoolsVerifyAuthChallenge
			_ = json.Unmarshal(raw, &e)
			e.Response.AnswerCorrect = e.Request.ChallengeAnswer == e.Request.PrivateChallengeParameters["answer"]
			return e, nil
		}
	})
	d, err := triggers.InvokeDefineAuthChallenge(ctx, r, arn, triggers.NewDefineAuthChallengeEvent(caller, nil, nil, false, nil))
	require.NoError(t, err)
	assert.Equal(t, "CUSTOM_CHALLENGE", d.ChallengeName)
	c, err := triggers.InvokeCreateAuthChallenge(ctx, r, arn, triggers.NewCreateAuthChallengeEvent(caller, nil, d.ChallengeName, nil, nil))
	require.NoError(t, err)
	assert.Equal(t, events.CognitoEventUserPoolsCreateAuthChallengeResponse{PublicChallengeParameters: map[string]string{"question": "2+3"},
		PrivateChallengeParameters: map[string]string{"answer": "5"}, ChallengeMetadata: "MATH"}, c)
	ok, err := triggers.InvokeVerifyAuthChallenge(ctx, r, arn, triggers.NewVerifyAuthChallengeEvent(caller, nil, c.PrivateChallengeParameters, "5", false, nil))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = triggers.InvokeVerifyAuthChallenge(ctx, r, arn, triggers.NewVerifyAuthChallengeEvent(caller, nil, c.PrivateChallengeParameters, "6", false, nil))
	require.NoError(t, err)
	assert.False(t, ok)

	d, err = triggers.InvokeDefineAuthChallenge(ctx, r, arn, triggers.NewDefineAuthChallengeEvent(caller, nil,
		[]*triggers.ChallengeResult{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "MATH"}}, false, nil))
	require.NoError(t, err)
	assert.True(t, d.IssueTokens)
	_, err = triggers.InvokeDefineAuthChallenge(ctx, r, arn, triggers.NewDefineAuthChallengeEvent(caller, nil, nil, false, triggers.Metadata{"case": "nothing"}))
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	failing := registry(t, func(map[string]any) (map[string]any, error) { return nil, errors.New("no challenge for you") })
	_, err = triggers.InvokeCreateAuthChallenge(ctx, failing, arn, triggers.NewCreateAuthChallengeEvent(caller, nil, "CUSTOM_CHALLENGE", nil, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "CreateAuthChallenge failed with error no challenge for you.")
	_, err = triggers.InvokeVerifyAuthChallenge(ctx, failing, arn, triggers.NewVerifyAuthChallengeEvent(caller, nil, nil, "x", false, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "VerifyAuthChallengeResponse failed with error no challenge for you.")
	_, err = triggers.InvokeDefineAuthChallenge(ctx, failing, arn, triggers.NewDefineAuthChallengeEvent(caller, nil, nil, false, nil))
	requireCognitoError(t, err, "UserLambdaValidationException", "DefineAuthChallenge failed with error no challenge for you.")
}

func TestPreTokenGenerationV1(t *testing.T) {
	ctx := context.Background()
	r := registry(t, func(e events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		e.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{"tenant": "acme", "sub": "forged", "email": "new@example.com"},
			ClaimsToSuppress:      []string{"phone_number", "iss"},
			GroupOverrideDetails:  events.GroupConfiguration{GroupsToOverride: []string{"readers"}},
		}
		return e, nil
	})
	ev := triggers.NewPreTokenGenerationEvent(triggers.PreTokenV1, triggers.PreTokenInput{Caller: caller, Source: triggers.SourceTokenRefresh,
		Groups: triggers.Groups{Groups: []string{"admins"}}})
	o, err := triggers.InvokePreTokenGeneration(ctx, r, arn, triggers.PreTokenV1, ev)
	require.NoError(t, err)
	claims := map[string]any{"sub": sub, "iss": "https://cognito-idp", "email": "ann@example.com", "phone_number": "+1555",
		"cognito:groups": []string{"admins"}, "cognito:preferred_role": "arn:aws:iam::123456789012:role/x"}
	o.ApplyID(claims)
	assert.Equal(t, map[string]any{"sub": sub, "iss": "https://cognito-idp", "email": "new@example.com", "tenant": "acme",
		"cognito:groups": []string{"readers"}, "cognito:preferred_role": "arn:aws:iam::123456789012:role/x"}, claims,
		"reserved claims untouched, groups replaced, the unset preferred role kept")

	// V1 claims are strings only.
	bad := registry(t, func(e map[string]any) (map[string]any, error) {
		e["response"] = map[string]any{"claimsOverrideDetails": map[string]any{"claimsToAddOrOverride": map[string]any{"n": 5}}}
		return e, nil
	})
	_, err = triggers.InvokePreTokenGeneration(ctx, bad, arn, triggers.PreTokenV1, ev)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	// An untouched event changes nothing.
	same := registry(t, func(e map[string]any) (map[string]any, error) { return e, nil })
	o, err = triggers.InvokePreTokenGeneration(ctx, same, arn, triggers.PreTokenV1, ev)
	require.NoError(t, err)
	assert.Equal(t, triggers.TokenOverrides{}, o)
}

// TestPreTokenGoHandlerKeepsGroups: a handler on aws-lambda-go's types
// returns groupOverrideDetails with null members it never set; that must
// leave cognito:groups alone (the access-token assertion below failed
// when any groupOverrideDetails replaced the groups).
func TestPreTokenGenerationV2AndV3(t *testing.T) {
	ctx := context.Background()
	r := registry(t, func(e events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		if e.Version != "2" && e.Version != "3" {
			return e, fmt.Errorf("version %s", e.Version)
		}
		e.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
			IDTokenGeneration: events.IDTokenGenerationV2_0{ClaimsToAddOrOverride: map[string]any{"roles": []string{"a", "b"}}},
			AccessTokenGeneration: events.AccessTokenGenerationV2_0{
				ClaimsToAddOrOverride: map[string]any{"tenant": map[string]any{"id": 7}, "client_id": "forged"},
				ClaimsToSuppress:      []string{"auth_time", "custom"},
				ScopesToAdd:           []string{"orders/read"},
				ScopesToSuppress:      []string{"aws.cognito.signin.user.admin"},
			},
		}
		return e, nil
	})
	for _, v := range []triggers.PreTokenVersion{triggers.PreTokenV2, triggers.PreTokenV3} {
		t.Run(string(v), func(t *testing.T) {
			ev := triggers.NewPreTokenGenerationEvent(v, triggers.PreTokenInput{Caller: caller, Source: triggers.SourceTokenAuthentication,
				Scopes: []string{"openid", "aws.cognito.signin.user.admin"}})
			o, err := triggers.InvokePreTokenGeneration(ctx, r, arn, v, ev)
			require.NoError(t, err)
			id := map[string]any{"sub": sub}
			o.ApplyID(id)
			assert.Equal(t, map[string]any{"sub": sub, "roles": []any{"a", "b"}}, id)
			access := map[string]any{"sub": sub, "client_id": "1example23456789", "auth_time": 1.0, "custom": "x",
				"scope": "openid aws.cognito.signin.user.admin", "cognito:groups": []string{"admins"}}
			o.ApplyAccess(access)
			assert.Equal(t, map[string]any{"sub": sub, "client_id": "1example23456789", "auth_time": 1.0,
				"tenant": map[string]any{"id": 7.0}, "scope": "openid orders/read", "cognito:groups": []string{"admins"}}, access)
		})
	}

	bad := registry(t, func(e map[string]any) (map[string]any, error) {
		e["response"] = map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
			"accessTokenGeneration": map[string]any{"scopesToAdd": []string{"two words"}}}}
		return e, nil
	})
	ev := triggers.NewPreTokenGenerationEvent(triggers.PreTokenV2, triggers.PreTokenInput{Caller: caller, Source: triggers.SourceTokenAuthentication})
	_, err := triggers.InvokePreTokenGeneration(ctx, bad, arn, triggers.PreTokenV2, ev)
	requireCognitoError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")

	// An empty list removes its claim; an absent one keeps it.
	groups := registry(t, func(e map[string]any) (map[string]any, error) {
		e["response"] = map[string]any{"claimsAndScopeOverrideDetails": map[string]any{"groupOverrideDetails": map[string]any{"groupsToOverride": []string{}}}}
		return e, nil
	})
	o, err := triggers.InvokePreTokenGeneration(ctx, groups, arn, triggers.PreTokenV2, ev)
	require.NoError(t, err)
	id := map[string]any{"cognito:groups": []string{"a"}, "cognito:roles": []string{"r"}}
	o.ApplyID(id)
	assert.Equal(t, map[string]any{"cognito:roles": []string{"r"}}, id)
}

func TestMapError(t *testing.T) {
	existing := &triggers.Error{Code: triggers.CodeUnexpectedLambda, Message: "x"}
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"function error", &lambdafn.FunctionError{Type: "Error", Message: "nope"}, "UserLambdaValidationException", "CustomMessage failed with error nope."},
		{"runtime exit", &lambdafn.FunctionError{Type: "Runtime.ExitError", Message: "RequestId: r Error: Runtime exited with error: exit status 2"},
			"UserLambdaValidationException", "CustomMessage failed with error RequestId: r Error: Runtime exited with error: exit status 2."},
		{"invalid response", &lambdafn.ResponseError{Err: errors.New("x")}, "InvalidLambdaResponseException", "Unrecognizable lambda output"},
		{"timeout", &lambdafn.TimeoutError{Timeout: 5 * time.Second}, "UnexpectedLambdaException", "CustomMessage invocation failed due to error Socket timeout while invoking Lambda function."},
		{"not found", fmt.Errorf("%w: x", lambdafn.ErrFunctionNotFound), "UnexpectedLambdaException", "CustomMessage invocation failed due to error ResourceNotFoundException."},
		{"invoke API error", &lambdafn.InvokeError{StatusCode: 403, Code: "AccessDeniedException", Err: errors.New("denied")}, "UnexpectedLambdaException", "CustomMessage invocation failed due to error AccessDeniedException."},
		{"unreachable", &lambdafn.InvokeError{Err: errors.New("connection refused")}, "UnexpectedLambdaException", "CustomMessage invocation failed due to error ServiceException."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := triggers.MapError(triggers.CustomMessage, tt.err)
			requireCognitoError(t, err, tt.code, tt.msg)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.code+": "+tt.msg, err.Error())
		})
	}
	assert.NoError(t, triggers.MapError(triggers.PreSignUp, nil))
	assert.Same(t, existing, triggers.MapError(triggers.PreSignUp, existing))
	assert.ErrorIs(t, triggers.MapError(triggers.PreSignUp, context.Canceled), context.Canceled)
	assert.NotErrorIs(t, existing, triggers.ErrUserLambdaValidation)
}
