package awsmodel

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func idp(t testing.TB) *Service {
	svc := ForTarget("AWSCognitoIdentityProviderService")
	require.NotNil(t, svc)
	return svc
}

func TestForTarget(t *testing.T) {
	for _, tc := range []struct {
		prefix, name, code string
		ops                int
	}{
		{"AWSCognitoIdentityProviderService", "cognito-idp", "InvalidParameterException", 100},
		{"AWSCognitoIdentityService", "cognito-identity", "ValidationException", 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := ForTarget(tc.prefix)
			require.NotNil(t, svc)
			assert.Equal(t, tc.name, svc.Name)
			assert.Equal(t, tc.prefix, svc.TargetPrefix)
			assert.Equal(t, tc.code, svc.ErrorCode)
			assert.Greater(t, len(svc.Operations()), tc.ops)
		})
	}
	assert.Nil(t, ForTarget("AWSSecurityTokenServiceV20110615"))
	assert.Equal(t, []string{"AWSCognitoIdentityProviderService", "AWSCognitoIdentityService"}, Targets())
}

// TestEveryPatternCompiles checks that every pattern of every embedded
// model translates to RE2 and compiles.
func TestEveryPatternCompiles(t *testing.T) {
	n := 0
	for _, prefix := range Targets() {
		svc := ForTarget(prefix)
		for _, s := range shapesOf(svc) {
			if s.Pattern == "" {
				continue
			}
			n++
			re, err := s.Regexp()
			require.NoError(t, err, "%s %s", svc.Name, s.Name)
			require.NotNil(t, re)
		}
	}
	assert.Greater(t, n, 40)
}

// shapesOf returns every shape reachable from the service's inputs.
func shapesOf(svc *Service) []*Shape {
	seen := map[*Shape]bool{}
	var out []*Shape
	var walk func(s *Shape)
	walk = func(s *Shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, m := range s.Members {
			walk(m.Shape)
		}
		walk(s.Elem)
		walk(s.Key)
		walk(s.Value)
	}
	for _, op := range svc.Operations() {
		walk(svc.Inputs[op])
	}
	return out
}

func TestTranslatePattern(t *testing.T) {
	for _, tc := range []struct {
		java      string
		match, no []string
	}{
		{`[\w\s+=,.@-]+`, []string{"good name", "a.b@c"}, []string{"bad name!*", "", "a\vb!"}},
		{`[\S]+`, []string{"abc"}, []string{"a b", "a\vb", ""}},
		{`^[0-9A-Za-z\.\-_]*(?<!\.)$`, []string{"", "my-bucket", "a.b"}, []string{"bucket.", "."}},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, []string{"jöhn", "a+b@c.d"}, []string{"a b", "\x01"}},
		{`(?s).*`, []string{"", "a\nb"}, nil},
		{`[\w-]+_[0-9a-zA-Z]+`, []string{"us-east-1_AbC1"}, []string{"YOUR_USER_POOL_ID!", "nope"}},
	} {
		t.Run(tc.java, func(t *testing.T) {
			expr, err := TranslatePattern(tc.java)
			require.NoError(t, err)
			re := regexp.MustCompile(expr)
			for _, m := range tc.match {
				assert.True(t, re.MatchString(m), "%q should match", m)
			}
			for _, m := range tc.no {
				assert.False(t, re.MatchString(m), "%q should not match", m)
			}
		})
	}
	for _, bad := range []string{`a(?=b)`, `a(?!b)`, `(?<=a)b`, `a++`, `(?>a)`, `a{2}+`} {
		_, err := TranslatePattern(bad)
		assert.Error(t, err, bad)
	}
	_, err := TranslatePattern(`a\++`)
	assert.NoError(t, err, "an escaped + before a quantifier is not possessive")
}

func validate(t *testing.T, svc *Service, op, body string) *ValidationError {
	t.Helper()
	err := svc.Validate(op, []byte(body))
	if err == nil {
		return nil
	}
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	return ve
}

func TestValidateMessages(t *testing.T) {
	svc := idp(t)
	pool := `"UserPoolId":"us-east-1_abc123"`
	for _, tc := range []struct {
		name, op, body, want string
	}{
		{"pattern", "CreateUserPoolClient", `{` + pool + `,"ClientName":"bad name!*"}`,
			`1 validation error detected: Value 'bad name!*' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"max value", "ListUsers", `{` + pool + `,"Limit":100}`,
			`1 validation error detected: Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60`},
		{"min value", "ListGroups", `{` + pool + `,"Limit":-1}`,
			`1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0`},
		{"max length", "CreateGroup", `{` + pool + `,"GroupName":"` + strings.Repeat("g", 200) + `"}`,
			`1 validation error detected: Value '` + strings.Repeat("g", 200) + `' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128`},
		{"null", "ListUsers", `{}`,
			`1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null`},
		{"enum", "InitiateAuth", `{"ClientId":"abc","AuthFlow":"NOPE"}`,
			`1 validation error detected: Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]`},
		{"sensitive, several, sorted by member", "SignUp", `{"ClientId":"abc","Username":"","Password":""}`,
			`3 validation errors detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
		{"list of strings", "CreateUserPoolClient", `{` + pool + `,"ClientName":"c","AllowedOAuthFlows":["code","token"]}`,
			`1 validation error detected: Value '[code, token]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]`},
		{"nested list of structures", "AdminCreateUser", `{` + pool + `,"Username":"u","UserAttributes":[{"Name":"email","Value":"a@b"},{"Value":"x"}]}`,
			`1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ve := validate(t, svc, tc.op, tc.body)
			require.NotNil(t, ve)
			assert.Equal(t, "InvalidParameterException", ve.Code)
			assert.Equal(t, tc.want, ve.Message())
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	svc := idp(t)
	for _, tc := range []struct{ op, body string }{
		{"InitiateAuth", `{"ClientId":"abc","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"u","SRP_A":"ab"}}`},
		{"ListUsers", `{"UserPoolId":"us-east-1_abc","Limit":60}`},
		{"CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"good name"}`},
		{"ListUsers", `not json`},         // left to the operation's decoder
		{"ListUsers", `[1]`},              // idem
		{"ListUsers", `{"UserPoolId":5}`}, // wrong type: SerializationException later
		{"GetSigningCertificate", `{"UserPoolId":"us-east-1_abc"}`},
		{"CreateUserPoolDomain", `{"UserPoolId":"us-east-1_abc","Domain":"myprefix"}`},
		{"CreateUserPoolDomain", `{"UserPoolId":"us-east-1_abc","Domain":"auth.example.com"}`}, // patternExceptions
		{"DeleteUserPoolDomain", `{"UserPoolId":"us-east-1_abc","Domain":"auth.example.com"}`},
	} {
		assert.Nil(t, validate(t, svc, tc.op, tc.body), "%s %s", tc.op, tc.body)
	}
	assert.ErrorIs(t, svc.Validate("NoSuchOperation", nil), ErrUnknownOperation)
	for _, bad := range []string{"auth..example.com", "Auth.example.com", "auth.example.com.", "a." + strings.Repeat("b", 62)} {
		assert.NotNil(t, validate(t, svc, "CreateUserPoolDomain", `{"UserPoolId":"us-east-1_abc","Domain":"`+bad+`"}`), bad)
	}
}

// TestSensitiveValuesNeverEchoed checks that a secret that breaks a
// constraint is not in the message, wherever it sits.
func TestSensitiveValuesNeverEchoed(t *testing.T) {
	svc := idp(t)
	secret := "hunter2 is my password"
	for _, tc := range []struct{ op, body, path string }{
		{"ChangePassword", `{"AccessToken":"tok","PreviousPassword":"p","ProposedPassword":"` + secret + strings.Repeat("x", 300) + `"}`, "proposedPassword"},
		{"InitiateAuth", `{"ClientId":"abc","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"PASSWORD":"` + secret + `"},"Session":"short"}`, "session"},
		{"AdminCreateUser", `{"UserPoolId":"us-east-1_a","Username":"u","UserAttributes":[{"Name":"n","Value":"` + secret + strings.Repeat("x", 2048) + `"}]}`, "userAttributes.1.member.value"},
	} {
		ve := validate(t, svc, tc.op, tc.body)
		require.NotNil(t, ve, tc.op)
		assert.Contains(t, ve.Message(), "Value at '"+tc.path+"'")
		assert.NotContains(t, ve.Message(), secret)
		assert.NotContains(t, ve.Error(), secret)
	}
}

func TestUTF16Length(t *testing.T) {
	// Java counts UTF-16 code units: an emoji is 2.
	assert.Equal(t, int64(2), utf16Len("😀"))
	assert.Equal(t, int64(3), utf16Len("aé😀"[:1]+"é"+"b"))
	svc := idp(t)
	ve := validate(t, svc, "CreateGroup", `{"UserPoolId":"us-east-1_a","GroupName":"`+strings.Repeat("😀", 65)+`"}`)
	require.NotNil(t, ve)
	assert.Contains(t, ve.Message(), "Member must have length less than or equal to 128")
	assert.Nil(t, validate(t, svc, "CreateGroup", `{"UserPoolId":"us-east-1_a","GroupName":"`+strings.Repeat("😀", 64)+`"}`))
}

// TestBrokenInputsRefused runs the generated cases through Validate in
// process (the HTTP version runs in cognitotest).
func TestBrokenInputsRefused(t *testing.T) {
	for _, prefix := range Targets() {
		svc := ForTarget(prefix)
		for _, op := range svc.Operations() {
			valid, err := svc.ValidInput(op)
			require.NoError(t, err)
			body, err := json.Marshal(valid)
			require.NoError(t, err)
			require.NoError(t, svc.Validate(op, body), "valid input of %s refused: %s", op, body)
		}
		cases, total, err := svc.AllBrokenInputs()
		require.NoError(t, err)
		for _, c := range cases {
			body, err := json.Marshal(c.Input)
			require.NoError(t, err)
			ve := validate(t, svc, c.Operation, string(body))
			if !assert.NotNil(t, ve, "%s %s accepted: %.300s", c.Operation, c.Name, body) {
				continue
			}
			assert.Contains(t, ve.Message(), c.Want, "%s %s", c.Operation, c.Name)
			if c.Secret != "" {
				assert.NotContains(t, ve.Message(), c.Secret, "%s %s", c.Operation, c.Name)
			}
		}
		t.Logf("%s: %d operations, %d constraints, %d cases, %d skipped", svc.Name, total.Operations, total.Constraints, total.Cases, total.Skipped)
		assert.Greater(t, total.Cases, 100)
	}
}

func TestLoadRejectsBadModels(t *testing.T) {
	for _, raw := range []string{
		`not json`,
		`{"metadata":{"protocol":"rest-json","targetPrefix":"X"}}`,
		`{"metadata":{"protocol":"json","targetPrefix":"X"},"operations":{"A":{"input":{"shape":"Missing"}}},"shapes":{}}`,
		`{"metadata":{"protocol":"json","targetPrefix":"X"},"shapes":{"L":{"type":"list","member":{"shape":"Nope"}}}}`,
		`{"metadata":{"protocol":"json","targetPrefix":"X"},"shapes":{"S":{"type":"string","max":1.5}}}`,
		`{"metadata":{"protocol":"json","targetPrefix":"X"},"shapes":{"S":{"type":"structure","required":["A"],"members":{}}}}`,
	} {
		_, err := Load([]byte(raw))
		assert.Error(t, err, raw)
	}
	svc, err := Load([]byte(`{"metadata":{"protocol":"json","targetPrefix":"X","endpointPrefix":"x"},"operations":{"A":{}},"shapes":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "ValidationException", svc.ErrorCode)
	assert.NoError(t, svc.Validate("A", []byte(`{"anything":1}`)))
}

// BenchmarkValidateInitiateAuth measures validating a typical sign-in
// request, the emulator's hot path.
func BenchmarkValidateInitiateAuth(b *testing.B) {
	svc := idp(b)
	body := []byte(`{"AuthFlow":"USER_SRP_AUTH","ClientId":"5p1t2g3h4j5k6l7m8n9o0p1q2r","AuthParameters":{"USERNAME":"alice@example.com","SRP_A":"` +
		strings.Repeat("0123456789abcdef", 48) + `"},"ClientMetadata":{"app":"web"}}`)
	require.NoError(b, svc.Validate("InitiateAuth", body))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := svc.Validate("InitiateAuth", body); err != nil {
			b.Fatal(err)
		}
	}
}
