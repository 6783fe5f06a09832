package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Config is the function's configuration (its Lambda environment).
type Config struct {
	AutoConfirmDomain string // e-mail domain whose users are auto-confirmed
	TenantClaim       string // name of the claim pre token generation adds
	Tenant            string // its value
	AppName           string // used in messages
}

// ConfigFromEnv reads AUTO_CONFIRM_DOMAIN, TENANT_CLAIM, TENANT and
// APP_NAME, with defaults for the unset ones.
func ConfigFromEnv(getenv func(string) string) Config {
	or := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	return Config{
		AutoConfirmDomain: strings.ToLower(or("AUTO_CONFIRM_DOMAIN", "example.com")),
		TenantClaim:       or("TENANT_CLAIM", "tenant"),
		Tenant:            or("TENANT", "acme"),
		AppName:           or("APP_NAME", "Example App"),
	}
}

// Handle dispatches a Cognito event on its triggerSource (and, for pre
// token generation, its version).
func (c Config) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var hdr events.CognitoEventUserPoolsHeader
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return nil, fmt.Errorf("not a Cognito event: %w", err)
	}
	trigger, _, _ := strings.Cut(hdr.TriggerSource, "_")
	switch trigger {
	case "PreSignUp":
		var ev events.CognitoEventUserPoolsPreSignup
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return c.PreSignUp(ctx, ev)
	case "TokenGeneration":
		if hdr.Version == "1" {
			var ev events.CognitoEventUserPoolsPreTokenGen
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, err
			}
			return c.PreTokenGeneration(ctx, ev)
		}
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return c.PreTokenGenerationV2(ctx, ev)
	case "CustomMessage":
		var ev events.CognitoEventUserPoolsCustomMessage
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return c.CustomMessage(ctx, ev)
	}
	return nil, fmt.Errorf("unsupported trigger source %q", hdr.TriggerSource)
}

// PreSignUp auto-confirms users of the configured domain.
func (c Config) PreSignUp(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	email := strings.ToLower(ev.Request.UserAttributes["email"])
	_, domain, ok := strings.Cut(email, "@")
	if ok && domain == c.AutoConfirmDomain {
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
	}
	return ev, nil
}

// PreTokenGeneration adds the tenant claim to the ID token (version 1
// events customise the ID token only).
func (c Config) PreTokenGeneration(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
	ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{c.TenantClaim: c.Tenant}
	return ev, nil
}

// PreTokenGenerationV2 adds the tenant claim to the ID and access tokens
// (version 2 and 3 events).
func (c Config) PreTokenGenerationV2(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	d := &ev.Response.ClaimsAndScopeOverrideDetails
	d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{c.TenantClaim: c.Tenant}
	d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{c.TenantClaim: c.Tenant}
	return ev, nil
}

// CustomMessage writes a branded message around Cognito's placeholders.
func (c Config) CustomMessage(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	code := ev.Request.CodeParameter
	app := html.EscapeString(c.AppName)
	var subject, body string
	switch ev.TriggerSource {
	case "CustomMessage_AdminCreateUser":
		subject = "Your " + c.AppName + " account"
		body = fmt.Sprintf("<p>Welcome to %s.</p><p>Your username is %s and your temporary password is %s.</p>", app, ev.Request.UsernameParameter, code)
		ev.Response.SMSMessage = fmt.Sprintf("%s: username %s, temporary password %s", c.AppName, ev.Request.UsernameParameter, code)
	case "CustomMessage_ForgotPassword":
		subject = "Reset your " + c.AppName + " password"
		body = fmt.Sprintf("<p>Your password reset code is %s.</p>", code)
	case "CustomMessage_Authentication":
		subject = "Your " + c.AppName + " sign-in code"
		body = fmt.Sprintf("<p>Your sign-in code is %s.</p>", code)
	default: // sign-up, resend code, attribute verification
		subject = "Verify your " + c.AppName + " account"
		body = fmt.Sprintf("<p>Welcome to %s. Your verification code is %s.</p>", app, code)
	}
	if ev.Response.SMSMessage == "" {
		ev.Response.SMSMessage = fmt.Sprintf("%s code: %s", c.AppName, code)
	}
	ev.Response.EmailSubject = subject
	ev.Response.EmailMessage = body
	return ev, nil
}
