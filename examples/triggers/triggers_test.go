package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
	"github.com/cognitokit/cognitokit/internal/interop"
)

var testConfig = Config{AutoConfirmDomain: "example.com", TenantClaim: "tenant", Tenant: "acme", AppName: "Demo"}

func TestConfigFromEnv(t *testing.T) {
	assert.Equal(t, Config{AutoConfirmDomain: "example.com", TenantClaim: "tenant", Tenant: "acme", AppName: "Example App"},
		ConfigFromEnv(func(string) string { return "" }))
	env := map[string]string{"AUTO_CONFIRM_DOMAIN": "Corp.Example", "TENANT_CLAIM": "org", "TENANT": "globex", "APP_NAME": "Globex"}
	assert.Equal(t, Config{AutoConfirmDomain: "corp.example", TenantClaim: "org", Tenant: "globex", AppName: "Globex"},
		ConfigFromEnv(func(k string) string { return env[k] }))
}

func TestPreSignUp(t *testing.T) {
	for _, tt := range []struct {
		email string
		auto  bool
	}{
		{"ann@example.com", true},
		{"Ann@EXAMPLE.com", true},
		{"bob@other.test", false},
		{"eve@example.com.evil.test", false},
		{"not-an-email", false},
		{"", false},
	} {
		t.Run(tt.email, func(t *testing.T) {
			var ev events.CognitoEventUserPoolsPreSignup
			ev.Request.UserAttributes = map[string]string{"email": tt.email}
			out, err := testConfig.PreSignUp(context.Background(), ev)
			require.NoError(t, err)
			assert.Equal(t, tt.auto, out.Response.AutoConfirmUser)
			assert.Equal(t, tt.auto, out.Response.AutoVerifyEmail)
			assert.False(t, out.Response.AutoVerifyPhone)
		})
	}
}

func TestPreTokenGeneration(t *testing.T) {
	v1, err := testConfig.PreTokenGeneration(context.Background(), events.CognitoEventUserPoolsPreTokenGen{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"tenant": "acme"}, v1.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride)
	assert.Empty(t, v1.Response.ClaimsOverrideDetails.ClaimsToSuppress)

	v2, err := testConfig.PreTokenGenerationV2(context.Background(), events.CognitoEventUserPoolsPreTokenGenV2_0{})
	require.NoError(t, err)
	d := v2.Response.ClaimsAndScopeOverrideDetails
	assert.Equal(t, map[string]any{"tenant": "acme"}, d.IDTokenGeneration.ClaimsToAddOrOverride)
	assert.Equal(t, map[string]any{"tenant": "acme"}, d.AccessTokenGeneration.ClaimsToAddOrOverride)
	assert.Empty(t, d.AccessTokenGeneration.ScopesToSuppress)
}

func TestCustomMessageKeepsPlaceholders(t *testing.T) {
	for _, src := range []string{"CustomMessage_SignUp", "CustomMessage_AdminCreateUser", "CustomMessage_ResendCode", "CustomMessage_ForgotPassword",
		"CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute", "CustomMessage_Authentication"} {
		t.Run(src, func(t *testing.T) {
			var ev events.CognitoEventUserPoolsCustomMessage
			ev.TriggerSource = src
			ev.Request.CodeParameter = "{####}"
			if src == "CustomMessage_AdminCreateUser" {
				ev.Request.UsernameParameter = "{username}"
			}
			out, err := testConfig.CustomMessage(context.Background(), ev)
			require.NoError(t, err)
			for _, msg := range []string{out.Response.EmailMessage, out.Response.SMSMessage} {
				assert.Contains(t, msg, "{####}")
				if src == "CustomMessage_AdminCreateUser" {
					assert.Contains(t, msg, "{username}")
				}
			}
			assert.NotEmpty(t, out.Response.EmailSubject)
		})
	}
	cfg := testConfig
	cfg.AppName = "<script>"
	out, err := cfg.CustomMessage(context.Background(), events.CognitoEventUserPoolsCustomMessage{})
	require.NoError(t, err)
	assert.NotContains(t, out.Response.EmailMessage, "<script>", "the app name is escaped in HTML")
}

func TestHandleDispatch(t *testing.T) {
	ctx := context.Background()
	_, err := testConfig.Handle(ctx, json.RawMessage(`{"triggerSource":"PostConfirmation_ConfirmSignUp"}`))
	assert.ErrorContains(t, err, "unsupported trigger source")
	_, err = testConfig.Handle(ctx, json.RawMessage(`[1]`))
	assert.ErrorContains(t, err, "not a Cognito event")
	out, err := testConfig.Handle(ctx, json.RawMessage(`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"a@example.com"}}}`))
	require.NoError(t, err)
	assert.True(t, out.(events.CognitoEventUserPoolsPreSignup).Response.AutoConfirmUser)
}

// The compiled, unmodified Lambda answers Cognito's events through the
// emulator's Lambda Runtime API, and Cognito's rules accept its answers.
func TestCompiledLambdaThroughRuntimeAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lambda; skipped with -short")
	}
	bin := interop.BuildLambda(t, ".")
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:cognito-triggers"
	var logs strings.Builder
	reg := lambdafn.New(func(o *lambdafn.Options) {
		o.Timeout = 10 * time.Second // the first invocation includes the program's start
		o.Env = []string{"AUTO_CONFIRM_DOMAIN=example.com", "TENANT=globex"}
		o.Output = &syncWriter{b: &logs}
	})
	defer reg.Close()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Lambda output:\n%s", logs.String())
		}
	})
	spec, err := lambdafn.ParseSpec(arn + "=" + bin)
	require.NoError(t, err)
	require.NoError(t, reg.Add(spec))
	ctx := context.Background()
	caller := triggers.Caller{Region: "us-east-1", UserPoolID: "us-east-1_EXAMPLE", UserName: "ann", ClientID: "1example23456789"}

	// Pre sign-up.
	resp, err := triggers.InvokePreSignUp(ctx, reg, arn, triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp,
		triggers.Attributes{"email": "ann@example.com"}, nil, nil))
	require.NoError(t, err)
	assert.Equal(t, events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true}, resp)
	resp, err = triggers.InvokePreSignUp(ctx, reg, arn, triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp,
		triggers.Attributes{"email": "bob@other.test"}, nil, nil))
	require.NoError(t, err)
	assert.False(t, resp.AutoConfirmUser)

	// Pre token generation, all three versions.
	for _, v := range []triggers.PreTokenVersion{triggers.PreTokenV1, triggers.PreTokenV2, triggers.PreTokenV3} {
		ev := triggers.NewPreTokenGenerationEvent(v, triggers.PreTokenInput{Caller: caller, Source: triggers.SourceTokenAuthentication,
			UserAttributes: triggers.Attributes{"sub": "s-1", "email": "ann@example.com"}, Scopes: []string{"openid"}})
		o, err := triggers.InvokePreTokenGeneration(ctx, reg, arn, v, ev)
		require.NoError(t, err, v)
		id := map[string]any{"sub": "s-1"}
		o.ApplyID(id)
		assert.Equal(t, "globex", id["tenant"], v)
		access := map[string]any{"sub": "s-1", "scope": "openid"}
		o.ApplyAccess(access)
		if v == triggers.PreTokenV1 {
			assert.NotContains(t, access, "tenant", "V1_0 customises the ID token only")
		} else {
			assert.Equal(t, "globex", access["tenant"], v)
		}
	}

	// Custom message, rendered as the pool would send it.
	msg, err := triggers.InvokeCustomMessage(ctx, reg, arn, triggers.NewCustomMessageEvent(caller, triggers.SourceCustomMessageAdminCreateUser, nil, false, nil))
	require.NoError(t, err)
	assert.Equal(t, "<p>Welcome to Example App.</p><p>Your username is ann and your temporary password is Tmp-Pass-1.</p>",
		triggers.RenderMessage(msg.EmailMessage, "Tmp-Pass-1", "ann", ""))

	// A trigger the function does not handle: its error, Cognito's way.
	err = triggers.InvokePostConfirmation(ctx, reg, arn, triggers.NewPostConfirmationEvent(caller, triggers.SourcePostConfirmationSignUp, nil, nil))
	var te *triggers.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "UserLambdaValidationException", te.Code)
	assert.Equal(t, `PostConfirmation failed with error unsupported trigger source "PostConfirmation_ConfirmSignUp".`, te.Message)

	// And it keeps serving after the error.
	_, err = triggers.InvokePreSignUp(ctx, reg, arn, triggers.NewPreSignUpEvent(caller, triggers.SourcePreSignUpSignUp, nil, nil, nil))
	require.NoError(t, err)
}
