package userpool

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonOf re-encodes v for comparison with a JSON literal.
func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestDescribeUserPoolDefaultsAsCognito: a pool created with nothing but
// its name is described with what Cognito returns for one.
func TestDescribeUserPoolDefaultsAsCognito(t *testing.T) {
	e := newUnlockedEnv(t)
	out, et := e.call("CreateUserPool", map[string]any{"PoolName": "bare"})
	require.Empty(t, et)
	id := out["UserPool"].(map[string]any)["Id"].(string)
	out, et = e.call("DescribeUserPool", map[string]any{"UserPoolId": id})
	require.Empty(t, et)
	p := out["UserPool"].(map[string]any)
	for k, want := range map[string]string{
		"Policies": `{"PasswordPolicy":{"MinimumLength":8,"RequireLowercase":true,"RequireNumbers":true,"RequireSymbols":true,"RequireUppercase":true,"TemporaryPasswordValidityDays":7},` +
			`"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD"]}}`,
		"VerificationMessageTemplate": `{"DefaultEmailOption":"CONFIRM_WITH_CODE"}`,
		"EmailConfiguration":          `{"EmailSendingAccount":"COGNITO_DEFAULT"}`,
		"UserAttributeUpdateSettings": `{"AttributesRequireVerificationBeforeUpdate":[]}`,
		"AdminCreateUserConfig":       `{"AllowAdminCreateUserOnly":false,"UnusedAccountValidityDays":7}`,
		"LambdaConfig":                `{}`,
		"MfaConfiguration":            `"OFF"`,
		"EstimatedNumberOfUsers":      `0`,
		"DeletionProtection":          `"INACTIVE"`,
		"UserPoolTier":                `"ESSENTIALS"`,
		"Arn":                         `"arn:aws:cognito-idp:us-east-1:123456789012:userpool/` + id + `"`,
	} {
		assert.JSONEq(t, want, jsonOf(t, p[k]), k)
	}
	// Set only when given.
	for _, k := range []string{"AccountRecoverySetting", "UserPoolAddOns", "SmsConfiguration", "SmsVerificationMessage",
		"EmailVerificationMessage", "EmailVerificationSubject", "SmsAuthenticationMessage", "Domain", "CustomDomain", "DeviceConfiguration"} {
		assert.NotContains(t, p, k)
	}
}

// TestDescribeUserPoolStandardSchemaAsCognito (finding: Terraform's
// provider recognises the standard attributes only with Cognito's exact
// constraints, and showed every one as drift): sub is 1 to 2048
// characters, birthdate exactly 10, updated_at a number from 0, the
// booleans have no constraints, and a custom attribute keeps its own.
func TestDescribeUserPoolStandardSchemaAsCognito(t *testing.T) {
	e := newUnlockedEnv(t)
	out, et := e.call("CreateUserPool", map[string]any{"PoolName": "schema", "Schema": []any{
		map[string]any{"Name": "team", "AttributeDataType": "String", "Mutable": true,
			"StringAttributeConstraints": map[string]any{"MinLength": "1", "MaxLength": "64"}},
		map[string]any{"Name": "level", "AttributeDataType": "Number",
			"NumberAttributeConstraints": map[string]any{"MinValue": "1", "MaxValue": "9"}},
	}})
	require.Empty(t, et)
	byName := map[string]string{}
	for _, a := range out["UserPool"].(map[string]any)["SchemaAttributes"].([]any) {
		m := a.(map[string]any)
		byName[m["Name"].(string)] = jsonOf(t, m)
	}
	for name, want := range map[string]string{
		"sub":                   `{"Name":"sub","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":false,"Required":true,"StringAttributeConstraints":{"MinLength":"1","MaxLength":"2048"}}`,
		"birthdate":             `{"Name":"birthdate","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,"StringAttributeConstraints":{"MinLength":"10","MaxLength":"10"}}`,
		"email":                 `{"Name":"email","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,"StringAttributeConstraints":{"MinLength":"0","MaxLength":"2048"}}`,
		"updated_at":            `{"Name":"updated_at","AttributeDataType":"Number","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,"NumberAttributeConstraints":{"MinValue":"0"}}`,
		"email_verified":        `{"Name":"email_verified","AttributeDataType":"Boolean","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false}`,
		"phone_number_verified": `{"Name":"phone_number_verified","AttributeDataType":"Boolean","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false}`,
		"custom:team":           `{"Name":"custom:team","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,"StringAttributeConstraints":{"MinLength":"1","MaxLength":"64"}}`,
		"custom:level":          `{"Name":"custom:level","AttributeDataType":"Number","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,"NumberAttributeConstraints":{"MinValue":"1","MaxValue":"9"}}`,
	} {
		assert.JSONEq(t, want, byName[name], name)
	}
	assert.Len(t, byName, len(standardAttributes)+2)
}

// TestCreateUserPoolKeepsSettings (finding: the verification messages and
// the account-recovery setting Terraform set were dropped, and showed as
// drift): what CreateUserPool and UpdateUserPool are given is returned,
// the template and the flat message fields fill each other, codes are
// sent with the pool's message, and bad settings are refused with
// nothing changed.
func TestCreateUserPoolKeepsSettings(t *testing.T) {
	e := newUnlockedEnv(t)
	in := map[string]any{"PoolName": "kept", "UserPoolTier": "PLUS", "AutoVerifiedAttributes": []string{"email"},
		"VerificationMessageTemplate": map[string]any{"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailMessage": "Code: {####}", "EmailSubject": "Your code"},
		"SmsVerificationMessage":      "SMS code {####}",
		"SmsAuthenticationMessage":    "Sign-in code {####}",
		"EmailConfiguration":          map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com", "From": "Example <no-reply@example.com>"},
		"UserAttributeUpdateSettings": map[string]any{"AttributesRequireVerificationBeforeUpdate": []string{"email"}},
		"AccountRecoverySetting":      map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email", "Priority": 1}}},
		"UserPoolAddOns":              map[string]any{"AdvancedSecurityMode": "AUDIT"},
		"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": false,
			"InviteMessageTemplate": map[string]any{"EmailMessage": "Hi {username}, password {####}", "EmailSubject": "Welcome"}},
		"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 10, "PasswordHistorySize": 5}},
	}
	out, et := e.call("CreateUserPool", in)
	require.Empty(t, et)
	id := out["UserPool"].(map[string]any)["Id"].(string)
	out, _ = e.call("DescribeUserPool", map[string]any{"UserPoolId": id})
	p := out["UserPool"].(map[string]any)
	for k, want := range map[string]string{
		"VerificationMessageTemplate": `{"DefaultEmailOption":"CONFIRM_WITH_CODE","EmailMessage":"Code: {####}","EmailSubject":"Your code","SmsMessage":"SMS code {####}"}`,
		"EmailVerificationMessage":    `"Code: {####}"`,
		"EmailVerificationSubject":    `"Your code"`,
		"SmsVerificationMessage":      `"SMS code {####}"`,
		"SmsAuthenticationMessage":    `"Sign-in code {####}"`,
		"EmailConfiguration":          `{"EmailSendingAccount":"DEVELOPER","SourceArn":"arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com","From":"Example <no-reply@example.com>"}`,
		"UserAttributeUpdateSettings": `{"AttributesRequireVerificationBeforeUpdate":["email"]}`,
		"AccountRecoverySetting":      `{"RecoveryMechanisms":[{"Name":"verified_email","Priority":1}]}`,
		"UserPoolAddOns":              `{"AdvancedSecurityMode":"AUDIT"}`,
		"AdminCreateUserConfig":       `{"AllowAdminCreateUserOnly":false,"UnusedAccountValidityDays":7,"InviteMessageTemplate":{"EmailMessage":"Hi {username}, password {####}","EmailSubject":"Welcome"}}`,
	} {
		assert.JSONEq(t, want, jsonOf(t, p[k]), k)
	}
	assert.EqualValues(t, 5, p["Policies"].(map[string]any)["PasswordPolicy"].(map[string]any)["PasswordHistorySize"])

	// A sign-up code goes out with the pool's message.
	cl, err := e.s.NewClient(id, ClientOptions{})
	require.NoError(t, err)
	_, et = e.call("SignUp", map[string]any{"ClientId": cl.ID, "Username": "ann", "Password": "Passw0rd!xy",
		"UserAttributes": []any{map[string]any{"Name": "email", "Value": "ann@example.com"}}})
	require.Empty(t, et)
	msgs := e.s.Messages(id)
	require.Len(t, msgs, 1)
	assert.Equal(t, "Code: "+msgs[0].Code, msgs[0].Body)

	// UpdateUserPool replaces the settings; one left out goes back to its
	// default.
	_, et = e.call("UpdateUserPool", map[string]any{"UserPoolId": id, "AutoVerifiedAttributes": []string{"email"},
		"EmailVerificationMessage": "New {####}"})
	require.Empty(t, et)
	out, _ = e.call("DescribeUserPool", map[string]any{"UserPoolId": id})
	p = out["UserPool"].(map[string]any)
	assert.JSONEq(t, `{"DefaultEmailOption":"CONFIRM_WITH_CODE","EmailMessage":"New {####}"}`, jsonOf(t, p["VerificationMessageTemplate"]))
	assert.JSONEq(t, `{"EmailSendingAccount":"COGNITO_DEFAULT"}`, jsonOf(t, p["EmailConfiguration"]))
	assert.NotContains(t, p, "AccountRecoverySetting")

	for _, tc := range []struct {
		name string
		set  map[string]any
		want string
	}{
		{"message without the code", map[string]any{"EmailVerificationMessage": "no code"}, "regular expression pattern"},
		{"template and flat field differ", map[string]any{"EmailVerificationMessage": "A {####}",
			"VerificationMessageTemplate": map[string]any{"EmailMessage": "B {####}"}}, "differ"},
		{"developer e-mail without a source", map[string]any{"EmailConfiguration": map[string]any{"EmailSendingAccount": "DEVELOPER"}}, "SourceArn is required"},
		{"verification before update of an attribute not auto-verified", map[string]any{
			"UserAttributeUpdateSettings": map[string]any{"AttributesRequireVerificationBeforeUpdate": []string{"phone_number"}}}, "must be auto-verified"},
		{"admin_only with another mechanism", map[string]any{"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{
			map[string]any{"Name": "admin_only", "Priority": 1}, map[string]any{"Name": "verified_email", "Priority": 2}}}}, "admin_only"},
		{"two mechanisms of one priority", map[string]any{"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{
			map[string]any{"Name": "verified_phone_number", "Priority": 1}, map[string]any{"Name": "verified_email", "Priority": 1}}}}, "distinct"},
		{"invitation without the username", map[string]any{"AdminCreateUserConfig": map[string]any{
			"InviteMessageTemplate": map[string]any{"SMSMessage": "password {####}"}}}, "{username}"},
		{"password history too long", map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"PasswordHistorySize": 25}}}, "less than or equal to 24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upd := map[string]any{"UserPoolId": id, "AutoVerifiedAttributes": []string{"email"}}
			for k, v := range tc.set {
				upd[k] = v
			}
			_, et := e.call("UpdateUserPool", upd)
			assert.Contains(t, et, "InvalidParameterException")
			assert.Contains(t, et, tc.want)
			out, _ := e.call("DescribeUserPool", map[string]any{"UserPoolId": id})
			assert.Equal(t, "New {####}", out["UserPool"].(map[string]any)["EmailVerificationMessage"], "nothing changed")
		})
	}
}

// TestMfaConfigWithoutWebAuthnDefault (finding: a WebAuthnConfiguration
// answered for a pool that never set one showed as drift in Terraform):
// GetUserPoolMfaConfig answers it only once it has been set.
func TestMfaConfigWithoutWebAuthnDefault(t *testing.T) {
	e := newUnlockedEnv(t)
	out, et := e.call("GetUserPoolMfaConfig", map[string]any{"UserPoolId": e.pool})
	require.Empty(t, et)
	assert.NotContains(t, out, "WebAuthnConfiguration")
	_, et = e.call("SetUserPoolMfaConfig", map[string]any{"UserPoolId": e.pool, "WebAuthnConfiguration": map[string]any{"UserVerification": "required"}})
	require.Empty(t, et)
	out, _ = e.call("GetUserPoolMfaConfig", map[string]any{"UserPoolId": e.pool})
	assert.JSONEq(t, `{"UserVerification":"required"}`, jsonOf(t, out["WebAuthnConfiguration"]))
}

// TestClientValidityKeepsUnits (finding: Terraform sends all three
// TokenValidityUnits, the emulator answered minutes for a lifetime left
// out, and the provider saw drift): a unit given without its lifetime
// keeps the unit, with the default lifetime expressed in it.
func TestClientValidityKeepsUnits(t *testing.T) {
	e := newUnlockedEnv(t)
	for _, tc := range []struct {
		name  string
		in    map[string]any
		want  string
		valid [3]float64 // access, id, refresh
	}{
		{"nothing given", map[string]any{}, `{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}`, [3]float64{60, 60, 30}},
		{"units without lifetimes", map[string]any{"TokenValidityUnits": map[string]any{"AccessToken": "hours", "IdToken": "seconds", "RefreshToken": "hours"}},
			`{"AccessToken":"hours","IdToken":"seconds","RefreshToken":"hours"}`, [3]float64{1, 3600, 720}},
		{"a lifetime without its unit is in hours", map[string]any{"AccessTokenValidity": 2}, `{"AccessToken":"hours","IdToken":"minutes","RefreshToken":"days"}`, [3]float64{2, 60, 30}},
		{"a default not whole in the unit stays as it is", map[string]any{"TokenValidityUnits": map[string]any{"IdToken": "days"}},
			`{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}`, [3]float64{60, 60, 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"UserPoolId": e.pool, "ClientName": "c"}
			for k, v := range tc.in {
				in[k] = v
			}
			out, et := e.call("CreateUserPoolClient", in)
			require.Empty(t, et)
			c := out["UserPoolClient"].(map[string]any)
			assert.JSONEq(t, tc.want, jsonOf(t, c["TokenValidityUnits"]))
			assert.Equal(t, tc.valid, [3]float64{c["AccessTokenValidity"].(float64), c["IdTokenValidity"].(float64), c["RefreshTokenValidity"].(float64)})
		})
	}
	_, et := e.call("CreateUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientName": "c", "TokenValidityUnits": map[string]any{"AccessToken": "weeks"}})
	assert.Contains(t, et, "InvalidParameterException")
}

// TestDescribeUserPoolClientDefaultsAsCognito: a client created with its
// name alone is described with Cognito's defaults, and the settings it is
// given are kept; a bad analytics configuration is refused.
func TestDescribeUserPoolClientDefaultsAsCognito(t *testing.T) {
	e := newUnlockedEnv(t)
	out, et := e.call("CreateUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientName": "bare"})
	require.Empty(t, et)
	c := out["UserPoolClient"].(map[string]any)
	for k, want := range map[string]string{
		"AccessTokenValidity": `60`, "IdTokenValidity": `60`, "RefreshTokenValidity": `30`,
		"TokenValidityUnits":                       `{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}`,
		"ExplicitAuthFlows":                        `["ALLOW_REFRESH_TOKEN_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_CUSTOM_AUTH"]`,
		"AllowedOAuthFlowsUserPoolClient":          `false`,
		"PreventUserExistenceErrors":               `"LEGACY"`,
		"EnableTokenRevocation":                    `true`,
		"EnablePropagateAdditionalUserContextData": `false`,
		"AuthSessionValidity":                      `3`,
	} {
		assert.JSONEq(t, want, jsonOf(t, c[k]), k)
	}
	for _, k := range []string{"ClientSecret", "CallbackURLs", "AllowedOAuthFlows", "AnalyticsConfiguration", "DefaultRedirectURI"} {
		assert.NotContains(t, c, k)
	}

	analytics := map[string]any{"ApplicationArn": "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc", "UserDataShared": true}
	out, et = e.call("CreateUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientName": "full", "GenerateSecret": true,
		"EnablePropagateAdditionalUserContextData": true, "AnalyticsConfiguration": analytics})
	require.Empty(t, et)
	id := out["UserPoolClient"].(map[string]any)["ClientId"]
	out, _ = e.call("DescribeUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientId": id})
	c = out["UserPoolClient"].(map[string]any)
	assert.Equal(t, true, c["EnablePropagateAdditionalUserContextData"])
	assert.JSONEq(t, jsonOf(t, analytics), jsonOf(t, c["AnalyticsConfiguration"]))

	for _, tc := range []struct {
		name string
		in   map[string]any
		want string
	}{
		{"context data without a secret", map[string]any{"EnablePropagateAdditionalUserContextData": true}, "requires an app client with a secret"},
		{"analytics without an application", map[string]any{"AnalyticsConfiguration": map[string]any{"UserDataShared": true}}, "ApplicationId or an ApplicationArn"},
		{"analytics by ID without a role", map[string]any{"AnalyticsConfiguration": map[string]any{"ApplicationId": "abc"}}, "needs a RoleArn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"UserPoolId": e.pool, "ClientName": "bad"}
			for k, v := range tc.in {
				in[k] = v
			}
			_, et := e.call("CreateUserPoolClient", in)
			assert.Contains(t, et, tc.want)
		})
	}
}

// TestForgotPasswordFollowsAccountRecovery: ForgotPassword sends its code
// by the pool's recovery mechanisms in priority order, to a verified
// attribute only; admin_only sends none.
func TestForgotPasswordFollowsAccountRecovery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mechs  []any
		medium string // "" when refused
	}{
		{"no setting: e-mail first", nil, "EMAIL"},
		{"phone first", []any{map[string]any{"Name": "verified_phone_number", "Priority": 1}, map[string]any{"Name": "verified_email", "Priority": 2}}, "SMS"},
		{"priority, not order, decides", []any{map[string]any{"Name": "verified_email", "Priority": 2}, map[string]any{"Name": "verified_phone_number", "Priority": 1}}, "SMS"},
		{"e-mail only", []any{map[string]any{"Name": "verified_email", "Priority": 1}}, "EMAIL"},
		{"admin only", []any{map[string]any{"Name": "admin_only", "Priority": 1}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newUnlockedEnv(t)
			in := map[string]any{"PoolName": "recovery"}
			if tc.mechs != nil {
				in["AccountRecoverySetting"] = map[string]any{"RecoveryMechanisms": tc.mechs}
			}
			out, et := e.call("CreateUserPool", in)
			require.Empty(t, et)
			pool := out["UserPool"].(map[string]any)["Id"].(string)
			cl, err := e.s.NewClient(pool, ClientOptions{})
			require.NoError(t, err)
			_, err = e.s.AddUser(pool, "rita", "Passw0rd!", map[string]string{"email": "rita@example.com", "email_verified": "true",
				"phone_number": "+15555550100", "phone_number_verified": "true"})
			require.NoError(t, err)
			out, et = e.call("ForgotPassword", map[string]any{"ClientId": cl.ID, "Username": "rita"})
			if tc.medium == "" {
				assert.Contains(t, et, "InvalidParameterException")
				return
			}
			require.Empty(t, et)
			assert.Equal(t, tc.medium, out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"])
		})
	}
}
