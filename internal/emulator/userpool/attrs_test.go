package userpool

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attrCase is a value given to an attribute, and what is wrong with it
// ("" when it is fine).
type attrCase struct {
	name, attr, value, why string
}

// attrCases are values within and beyond the constraints of the custom
// attributes constrainedPool adds and of the standard attributes.
var attrCases = []attrCase{
	{"string within", "custom:tier", "gold", ""},
	{"string runes, not bytes", "custom:tier", "äöü", ""},
	{"string too short", "custom:tier", "g", "custom:tier: String must be no shorter than 2 characters"},
	{"string too long", "custom:tier", "golden", "custom:tier: String must be no longer than 4 characters"},
	{"number within", "custom:age", "42", ""},
	{"number above", "custom:age", "151", "custom:age: Number must be no greater than 150"},
	{"number below", "custom:age", "-1", "custom:age: Number must be no less than 0"},
	{"not a number", "custom:age", "forty", "custom:age: Number must be an integer"},
	{"decimal", "custom:age", "4.5", "custom:age: Number must be an integer"},
	{"boolean", "custom:member", "true", ""},
	{"not a boolean", "custom:member", "yes", "custom:member: Boolean must be true or false"},
	{"date and time", "custom:since", "2024-05-01T10:00:00Z", ""},
	{"birthdate of 10 characters", "birthdate", "02/01/1985", ""},
	{"birthdate too short", "birthdate", "1985-2-1", "birthdate: String must be no shorter than 10 characters"},
	{"updated_at", "updated_at", "1471453471", ""},
	{"updated_at negative", "updated_at", "-5", "updated_at: Number must be no less than 0"},
	{"standard string of 2048 characters", "name", strings.Repeat("n", 2048), ""},
}

// constrainedPool gives e's pool custom attributes with constraints:
// custom:tier (2 to 4 characters), custom:age (0 to 150), custom:member
// (Boolean) and custom:since (DateTime).
func constrainedPool(t *testing.T, e *unlockedEnv) {
	e.ok("AddCustomAttributes", map[string]any{"UserPoolId": e.pool, "CustomAttributes": []map[string]any{
		{"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MinLength": "2", "MaxLength": "4"}},
		{"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "0", "MaxValue": "150"}},
		{"Name": "member", "AttributeDataType": "Boolean"},
		{"Name": "since", "AttributeDataType": "DateTime"},
	}})
}

// TestAttributeConstraintsEnforcedOnWrite is the regression test of the
// finding "attribute constraints are not enforced on write": every path
// that writes user attributes refuses a value beyond its schema entry's
// constraints with InvalidParameterException and Cognito's message, and
// takes a value within them.
func TestAttributeConstraintsEnforcedOnWrite(t *testing.T) {
	e := newUnlockedEnv(t)
	constrainedPool(t, e)
	_, access := e.signIn()
	n := 0
	fresh := func() string { n++; return fmt.Sprintf("user%03d", n) }
	attrs := func(c attrCase) []map[string]string { return []map[string]string{{"Name": c.attr, "Value": c.value}} }
	paths := []struct {
		name  string
		write func(c attrCase) string // the error ("" on success)
	}{
		{"AdminUpdateUserAttributes", func(c attrCase) string {
			_, et := e.call("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice", "UserAttributes": attrs(c)})
			return et
		}},
		{"UpdateUserAttributes", func(c attrCase) string {
			_, et := e.call("UpdateUserAttributes", map[string]any{"AccessToken": access, "UserAttributes": attrs(c)})
			return et
		}},
		{"AdminCreateUser", func(c attrCase) string {
			_, et := e.call("AdminCreateUser", map[string]any{"UserPoolId": e.pool, "Username": fresh(), "MessageAction": "SUPPRESS", "UserAttributes": attrs(c)})
			return et
		}},
		{"SignUp", func(c attrCase) string {
			_, et := e.call("SignUp", map[string]any{"ClientId": e.cl.ID, "Username": fresh(), "Password": "Passw0rd!", "UserAttributes": attrs(c)})
			return et
		}},
		{"NEW_PASSWORD_REQUIRED", func(c attrCase) string {
			name := fresh()
			e.ok("AdminCreateUser", map[string]any{"UserPoolId": e.pool, "Username": name, "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"})
			out := e.ok("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
				"AuthParameters": map[string]string{"USERNAME": name, "PASSWORD": "Temp0rary!"}})
			require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
			_, et := e.call("RespondToAuthChallenge", map[string]any{"ClientId": e.cl.ID, "ChallengeName": "NEW_PASSWORD_REQUIRED",
				"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": name, "NEW_PASSWORD": "Passw0rd!2", "userAttributes." + c.attr: c.value}})
			return et
		}},
		{"AddUser", func(c attrCase) string {
			if _, err := e.s.AddUser(e.pool, fresh(), "Passw0rd!", map[string]string{c.attr: c.value}); err != nil {
				return errCode(err) + ": " + apiMessage(err)
			}
			return ""
		}},
	}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			for _, c := range attrCases {
				t.Run(c.name, func(t *testing.T) {
					e.t = t
					et := path.write(c)
					if c.why == "" {
						assert.Empty(t, et)
						return
					}
					assert.Equal(t, "InvalidParameterException: "+schemaRefusal+c.why, et)
				})
			}
		})
	}

	t.Run("a standard string of 2049 characters", func(t *testing.T) {
		e.t = t
		_, et := e.call("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice",
			"UserAttributes": []map[string]string{{"Name": "name", "Value": strings.Repeat("n", 2049)}}})
		assert.Equal(t, "InvalidParameterException", errType(et), et)
		_, err := e.s.AddUser(e.pool, fresh(), "Passw0rd!", map[string]string{"name": strings.Repeat("n", 2049)})
		assert.Equal(t, schemaRefusal+"name: String must be no longer than 2048 characters", apiMessage(err))
	})

	t.Run("a refused update keeps what was stored", func(t *testing.T) {
		e.t = t
		e.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice",
			"UserAttributes": []map[string]string{{"Name": "custom:age", "Value": "33"}}})
		_, et := e.call("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice",
			"UserAttributes": []map[string]string{{"Name": "custom:tier", "Value": "gold"}, {"Name": "custom:age", "Value": "999"}}})
		require.Equal(t, "InvalidParameterException", errType(et))
		u := e.ok("AdminGetUser", map[string]any{"UserPoolId": e.pool, "Username": "alice"})
		assert.Contains(t, u["UserAttributes"], map[string]any{"Name": "custom:age", "Value": "33"})
	})
}

// TestAttributeConstraintsEnforcedOnImport: a user import row with a value
// beyond its attribute's constraints fails; one within them is imported.
func TestAttributeConstraintsEnforcedOnImport(t *testing.T) {
	e := newUnlockedEnv(t)
	constrainedPool(t, e)
	var rows []map[string]string
	for i, c := range attrCases {
		rows = append(rows, person(fmt.Sprintf("row%02d", i), c.attr, c.value))
	}
	j := e.runImport(e.pool, e.csvFile(e.pool, rows))
	assert.Equal(t, "Succeeded", j["Status"])
	for i, c := range attrCases {
		_, et := e.call("AdminGetUser", map[string]any{"UserPoolId": e.pool, "Username": fmt.Sprintf("row%02d", i)})
		if c.why == "" {
			assert.Empty(t, et, c.name)
		} else {
			assert.Equal(t, "UserNotFoundException", errType(et), c.name)
		}
	}
}

// TestAttributeConstraintsEnforcedOnFederation: the attributes a provider
// sign-in maps are checked against the schema before the user is made or
// updated, with Cognito's federation wording; nothing is stored on a
// refusal.
func TestAttributeConstraintsEnforcedOnFederation(t *testing.T) {
	e := newUnlockedEnv(t)
	constrainedPool(t, e)
	p := e.s.st.Pools[e.pool]
	idp := &identityProvider{Name: "Corp", Type: typeOIDC, AttributeMapping: map[string]string{"custom:tier": "tier", "custom:age": "age"}}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		why    string
	}{
		{"within", map[string]any{"tier": "gold", "age": 42.0}, ""},
		{"too long", map[string]any{"tier": "platinum", "age": 42.0}, "custom:tier: String must be no longer than 4 characters"},
		{"too old", map[string]any{"tier": "gold", "age": 200.0}, "custom:age: Number must be no greater than 150"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subject := strings.ReplaceAll(tc.name, " ", "-")
			u, _, err := e.s.federatedUser(nil, p, idp, externalUser{Subject: subject, Claims: tc.claims}, e.host.Now())
			if tc.why == "" {
				require.NoError(t, err)
				assert.Equal(t, "gold", u.Attrs["custom:tier"])
				return
			}
			require.Error(t, err)
			assert.Equal(t, "InvalidParameterException", errCode(err))
			assert.Equal(t, "Invalid user attributes: "+tc.why, apiMessage(err))
			assert.Nil(t, p.user("Corp_"+subject), "no user is made")
		})
	}
	t.Run("an existing user keeps its values", func(t *testing.T) {
		_, _, err := e.s.federatedUser(nil, p, idp, externalUser{Subject: "within", Claims: map[string]any{"tier": "gold", "age": 999.0}}, e.host.Now())
		require.Error(t, err)
		assert.Equal(t, "42", p.user("Corp_within").Attrs["custom:age"])
	})
}

// TestCreateUserPoolCustomAttributeConstraints is the regression test of
// the finding "CreateUserPool's Schema ignores NumberAttributeConstraints":
// a custom attribute of CreateUserPool keeps its Number and String
// constraints as AddCustomAttributes does, DescribeUserPool shows them,
// and user writes are held to them; constraints out of range are refused.
func TestCreateUserPoolCustomAttributeConstraints(t *testing.T) {
	e := newUnlockedEnv(t)
	schema := []map[string]any{
		{"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "18", "MaxValue": "99"}},
		{"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MinLength": "2", "MaxLength": "4"}},
		{"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true},
	}
	out := e.ok("CreateUserPool", map[string]any{"PoolName": "constrained", "Schema": schema})
	pool := obj(t, out, "UserPool")["Id"].(string)
	assert.Equal(t, map[string]any{"MinValue": "18", "MaxValue": "99"}, describedAttr(e, pool, "custom:age")["NumberAttributeConstraints"])
	assert.Equal(t, map[string]any{"MinLength": "2", "MaxLength": "4"}, describedAttr(e, pool, "custom:tier")["StringAttributeConstraints"])
	assert.Equal(t, true, describedAttr(e, pool, "email")["Required"], "a standard attribute is still configured")

	n := 0
	create := func(attrs ...map[string]string) string {
		n++
		_, et := e.call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": fmt.Sprintf("user%d", n),
			"MessageAction": "SUPPRESS", "UserAttributes": append(attrs, map[string]string{"Name": "email", "Value": "u@example.com"})})
		return et
	}
	assert.Empty(t, create(map[string]string{"Name": "custom:age", "Value": "42"}))
	assert.Equal(t, "InvalidParameterException: "+schemaRefusal+"custom:age: Number must be no less than 18",
		create(map[string]string{"Name": "custom:age", "Value": "17"}))
	assert.Equal(t, "InvalidParameterException: "+schemaRefusal+"custom:tier: String must be no longer than 4 characters",
		create(map[string]string{"Name": "custom:tier", "Value": "platinum"}))

	for _, tc := range []struct {
		name string
		attr map[string]any
	}{
		{"string longer than 2048", map[string]any{"Name": "s", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MaxLength": "4096"}}},
		{"string minimum above maximum", map[string]any{"Name": "s", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MinLength": "5", "MaxLength": "4"}}},
		{"number minimum above maximum", map[string]any{"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "10", "MaxValue": "1"}}},
		{"number bound not a number", map[string]any{"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MaxValue": "ten"}}},
		{"required custom attribute", map[string]any{"Name": "r", "AttributeDataType": "String", "Required": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			_, et := e.call("CreateUserPool", map[string]any{"PoolName": "refused", "Schema": []map[string]any{tc.attr}})
			assert.Equal(t, "InvalidParameterException", errType(et), et)
		})
	}
}

// BenchmarkCheckAttrs measures checkAttrs on a sign-up's worth of
// attributes (standard and custom, each checked against the bounds
// DescribeUserPool shows).
func BenchmarkCheckAttrs(b *testing.B) {
	e := newUnlockedEnv(&testing.T{})
	constrainedPool(&testing.T{}, e)
	p := e.s.st.Pools[e.pool]
	var list []attributeType
	for _, kv := range [][2]string{{"email", "a@example.com"}, {"name", "Alice"}, {"birthdate", "1985-02-01"},
		{"updated_at", "1471453471"}, {"custom:tier", "gold"}, {"custom:age", "42"}, {"custom:member", "true"}} {
		v := kv[1]
		list = append(list, attributeType{Name: kv[0], Value: &v})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := checkAttrs(p, list, false); err != nil {
			b.Fatal(err)
		}
	}
}
