package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// condPolicy is an Allow of everything under one Condition element.
func condPolicy(t testing.TB, cond string) Policy {
	t.Helper()
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}]}`))
	require.NoError(t, err, cond)
	return p
}

type ctxMap = map[string][]string

func TestConditionOperators(t *testing.T) {
	sales := ctxMap{"aws:PrincipalTag/department": {"sales"}}
	for _, tc := range []struct {
		name string
		cond string
		ctx  ctxMap
		want bool
	}{
		{"StringEquals", `{"StringEquals":{"aws:PrincipalTag/department":"sales"}}`, sales, true},
		{"StringEquals other value", `{"StringEquals":{"aws:PrincipalTag/department":"sales"}}`, ctxMap{"aws:PrincipalTag/department": {"hr"}}, false},
		{"StringEquals values are case-sensitive", `{"StringEquals":{"aws:PrincipalTag/department":"Sales"}}`, sales, false},
		{"StringEquals keys are not", `{"StringEquals":{"AWS:principaltag/DEPARTMENT":"sales"}}`, sales, true},
		{"StringEquals context key case", `{"StringEquals":{"aws:PrincipalTag/department":"sales"}}`, ctxMap{"AWS:PRINCIPALTAG/Department": {"sales"}}, true},
		{"context key in two cases: both count", `{"StringEquals":{"aws:username":"b"}}`, ctxMap{"aws:username": {"a"}, "AWS:USERNAME": {"b"}}, true},
		{"context key in two cases, ForAllValues", `{"ForAllValues:StringEquals":{"aws:username":"b"}}`, ctxMap{"aws:username": {"a"}, "AWS:USERNAME": {"b"}}, false},
		{"StringEquals missing key", `{"StringEquals":{"aws:PrincipalTag/department":"sales"}}`, nil, false},
		{"StringEquals empty values are missing", `{"StringEquals":{"aws:PrincipalTag/department":"sales"}}`, ctxMap{"aws:PrincipalTag/department": {}}, false},
		{"values OR", `{"StringEquals":{"aws:PrincipalTag/department":["hr","sales"]}}`, sales, true},
		{"keys AND", `{"StringEquals":{"aws:PrincipalTag/department":"sales","aws:PrincipalTag/team":"a"}}`, sales, false},
		{"operators AND", `{"StringEquals":{"aws:PrincipalTag/department":"sales"},"Bool":{"aws:SecureTransport":"true"}}`, sales, false},
		{"StringNotEquals", `{"StringNotEquals":{"aws:PrincipalTag/department":["hr","it"]}}`, sales, true},
		{"StringNotEquals is NOR", `{"StringNotEquals":{"aws:PrincipalTag/department":["hr","sales"]}}`, sales, false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:PrincipalTag/department":"sales"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/department":"SALES"}}`, sales, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/department":"SALES"}}`, sales, false},
		{"StringLike", `{"StringLike":{"aws:PrincipalTag/department":"s?l*"}}`, sales, true},
		{"StringLike no match", `{"StringLike":{"aws:PrincipalTag/department":"h*"}}`, sales, false},
		{"StringNotLike", `{"StringNotLike":{"aws:PrincipalTag/department":"h*"}}`, sales, true},
		{"StringNotLike missing key", `{"StringNotLike":{"aws:PrincipalTag/department":"h*"}}`, nil, true},
		{"IfExists missing key", `{"StringEqualsIfExists":{"aws:PrincipalTag/department":"sales"}}`, nil, true},
		{"IfExists present, other value", `{"StringEqualsIfExists":{"aws:PrincipalTag/department":"hr"}}`, sales, false},
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxMap{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":true}}`, ctxMap{"aws:SecureTransport": {"true"}}, true},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxMap{"aws:SecureTransport": {"false"}}, false},
		{"Bool missing", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true},
		{"Null true, absent", `{"Null":{"aws:PrincipalTag/department":"true"}}`, nil, true},
		{"Null true, present", `{"Null":{"aws:PrincipalTag/department":"true"}}`, sales, false},
		{"Null false, present", `{"Null":{"aws:PrincipalTag/department":false}}`, sales, true},
		{"Null no values", `{"Null":{"aws:PrincipalTag/department":[]}}`, nil, false},
		{"Null both values", `{"Null":{"aws:PrincipalTag/department":["true","false"]}}`, sales, true},
		{"Null false, absent", `{"Null":{"aws:PrincipalTag/department":"false"}}`, nil, false},
		{"NumericLessThan", `{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`, ctxMap{"aws:MultiFactorAuthAge": {"60"}}, true},
		{"NumericLessThan not", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctxMap{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"k:n":"3600"}}`, ctxMap{"k:n": {"3600"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"k:n":"1.5"}}`, ctxMap{"k:n": {"2"}}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"k:n":"2"}}`, ctxMap{"k:n": {"1"}}, false},
		{"NumericEquals", `{"NumericEquals":{"k:n":"10"}}`, ctxMap{"k:n": {"10.0"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"k:n":"10"}}`, ctxMap{"k:n": {"10"}}, false},
		{"Numeric request not a number", `{"NumericEquals":{"k:n":"10"}}`, ctxMap{"k:n": {"ten"}}, false},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, ctxMap{"aws:CurrentTime": {"2026-12-06T07:00:00Z"}}, true},
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01"}}`, ctxMap{"aws:CurrentTime": {"2026-12-06T07:00:00Z"}}, false},
		{"DateEquals epoch", `{"DateEquals":{"aws:EpochTime":"1798934400"}}`, ctxMap{"aws:EpochTime": {"2027-01-03T00:00:00Z"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:EpochTime":1798934400}}`, ctxMap{"aws:EpochTime": {"1798934400"}}, false},
		{"IpAddress", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.1"]}}`, ctxMap{"aws:SourceIp": {"127.0.0.1"}}, true},
		{"IpAddress CIDR", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxMap{"aws:SourceIp": {"10.1.2.3"}}, true},
		{"IpAddress mapped v4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxMap{"aws:SourceIp": {"::ffff:10.1.2.3"}}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxMap{"aws:SourceIp": {"192.0.2.1"}}, false},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctxMap{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxMap{"aws:SourceIp": {"192.0.2.1"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxMap{"aws:SourceIp": {"10.0.0.1"}}, false},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Cognito_*"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Cognito_Auth"}}, true},
		{"ArnLike part by part", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::1:role/R"}}, false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::1:role/R"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::1:role/R"}}, false},
		{"multivalued key, no qualifier", `{"StringEquals":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`, ctxMap{"cognito-identity.amazonaws.com:amr": {"authenticated", "cognito-idp.us-east-1.amazonaws.com/p"}}, true},
		{"ForAnyValue", `{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`, ctxMap{"cognito-identity.amazonaws.com:amr": {"x", "authenticated"}}, true},
		{"ForAnyValue none", `{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`, ctxMap{"cognito-identity.amazonaws.com:amr": {"unauthenticated"}}, false},
		{"ForAnyValue missing", `{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`, nil, false},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringLikeIfExists":{"cognito-identity.amazonaws.com:amr":"authenticated"}}`, nil, true},
		{"ForAllValues all", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctxMap{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, ctxMap{"aws:TagKeys": {"a", "c"}}, false},
		{"ForAllValues missing is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAllValues negated", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctxMap{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues negated hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctxMap{"aws:TagKeys": {"a", "secret"}}, false},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctxMap{"aws:TagKeys": {"a", "secret"}}, true},
		{"variable in condition value", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctxMap{"aws:username": {"alice"}, "aws:PrincipalTag/owner": {"alice"}}, true},
		{"variable in condition value, other", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctxMap{"aws:username": {"bob"}, "aws:PrincipalTag/owner": {"alice"}}, false},
		{"variable unresolved", `{"StringNotEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctxMap{"aws:PrincipalTag/owner": {"alice"}}, false},
		{"variable default", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username, 'nobody'}"}}`, ctxMap{"aws:PrincipalTag/owner": {"nobody"}}, true},
		{"variable value is literal in StringLike", `{"StringLike":{"k:a":"x-${k:b}"}}`, ctxMap{"k:a": {"x-yz"}, "k:b": {"*"}}, false},
		{"variable value literal, exact", `{"StringLike":{"k:a":"x-${k:b}"}}`, ctxMap{"k:a": {"x-*"}, "k:b": {"*"}}, true},
		{"variable not in numeric", `{"NumericEquals":{"k:a":"1"}}`, ctxMap{"k:a": {"1"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := condPolicy(t, tc.cond)
			want := ImplicitDeny
			if tc.want {
				want = Allowed
			}
			assert.Equal(t, want, EvaluateRequest([]Policy{p}, Request{Action: "a:b", Resource: "r", Context: tc.ctx}))
		})
	}
}

func TestConditionParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, cond, msg string }{
		{"unknown operator", `{"StringEqualz":{"k:a":"x"}}`, `unknown Condition operator "StringEqualz"`},
		{"operator case", `{"stringequals":{"k:a":"x"}}`, `did you mean "StringEquals"`},
		{"unknown qualifier", `{"ForSomeValues:StringEquals":{"k:a":"x"}}`, `unknown Condition operator`},
		{"binary not supported", `{"BinaryEquals":{"k:a":"eA=="}}`, `"BinaryEquals" is not supported`},
		{"Null with IfExists", `{"NullIfExists":{"k:a":"true"}}`, `Null takes no set qualifier`},
		{"bad number", `{"NumericEquals":{"k:a":"ten"}}`, `"ten" is not a number`},
		{"bad date", `{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`, `is not a date`},
		{"bad bool", `{"Bool":{"aws:SecureTransport":"yes"}}`, `is not true or false`},
		{"bad null", `{"Null":{"k:a":"maybe"}}`, `is not true or false`},
		{"bad cidr", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`, `is not an IP address`},
		{"empty key", `{"StringEquals":{"":"x"}}`, `empty condition key`},
		{"value object", `{"StringEquals":{"k:a":{"x":1}}}`, `invalid policy`},
		{"value null", `{"StringEquals":{"k:a":null}}`, `invalid policy`},
		{"operator not an object", `{"StringEquals":"x"}`, `invalid policy`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + tc.cond + `}}`))
			require.ErrorIs(t, err, ErrInvalidPolicy)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// TestConditionExplicitDenyWins: a Deny whose condition holds wins over
// any Allow; one whose condition does not hold does not apply.
func TestConditionExplicitDenyWins(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"},
	  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/department":"sales"}}}]}`))
	require.NoError(t, err)
	arn := InvokeARN("us-east-1", account, "api", "prod", "GET", "/x")
	assert.Equal(t, Allowed, EvaluateRequest([]Policy{p}, Request{ActionInvoke, arn, ctxMap{"aws:PrincipalTag/department": {"sales"}}}))
	assert.Equal(t, ExplicitDeny, EvaluateRequest([]Policy{p}, Request{ActionInvoke, arn, ctxMap{"aws:PrincipalTag/department": {"hr"}}}))
	assert.Equal(t, ExplicitDeny, EvaluateRequest([]Policy{p}, Request{ActionInvoke, arn, nil}), "a missing key makes StringNotEquals true")
	assert.Equal(t, ExplicitDeny, Evaluate([]Policy{p}, ActionInvoke, arn))

	role := &Role{Policies: []Policy{p}}
	err = role.AuthorizeRequest("who", Request{ActionInvoke, arn, ctxMap{"aws:PrincipalTag/department": {"hr"}}})
	var de *DeniedError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.Explicit)
	assert.NoError(t, role.AuthorizeRequest("who", Request{ActionInvoke, arn, ctxMap{"aws:PrincipalTag/department": {"sales"}}}))
}

// TestConditionGoLiteral: a Statement built in Go (not parsed) is
// evaluated the same, and one whose condition cannot be evaluated fails
// closed: its Allow does not apply, its Deny does.
func TestConditionGoLiteral(t *testing.T) {
	allow := Statement{Effect: Allow, Action: StringList{"*"}, Resource: StringList{"*"},
		Condition: Condition{"StringEquals": {"aws:username": {"alice"}}}}
	p := Policy{Version: "2012-10-17", Statement: []Statement{allow}}
	assert.Equal(t, Allowed, EvaluateRequest([]Policy{p}, Request{"a:b", "r", ctxMap{"aws:username": {"alice"}}}))
	assert.Equal(t, ImplicitDeny, EvaluateRequest([]Policy{p}, Request{"a:b", "r", ctxMap{"aws:username": {"bob"}}}))

	bad := Condition{"StringEqualz": {"aws:username": {"alice"}}}
	p.Statement[0].Condition = bad
	assert.ErrorIs(t, p.Validate(), ErrInvalidPolicy)
	assert.Equal(t, ImplicitDeny, EvaluateRequest([]Policy{p}, Request{"a:b", "r", ctxMap{"aws:username": {"alice"}}}))
	p.Statement = append(p.Statement, Statement{Effect: Allow, Action: StringList{"*"}, Resource: StringList{"*"}},
		Statement{Effect: Deny, Action: StringList{"*"}, Resource: StringList{"*"}, Condition: bad})
	assert.Equal(t, ExplicitDeny, EvaluateRequest([]Policy{p}, Request{"a:b", "r", nil}))
}

func TestPolicyVariablesInResource(t *testing.T) {
	const sub = "cognito-identity.amazonaws.com:sub"
	doc := func(version, resource string) Policy {
		p, err := Parse([]byte(`{"Version":"` + version + `","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + resource + `"}]}`))
		require.NoError(t, err)
		return p
	}
	arn := func(path string) string { return InvokeARN("us-east-1", account, "api", "prod", "GET", path) }
	const own = "arn:aws:execute-api:us-east-1:*:api/prod/GET/users/${cognito-identity.amazonaws.com:sub}/*"
	for _, tc := range []struct {
		name     string
		policy   Policy
		resource string
		ctx      ctxMap
		want     Decision
	}{
		{"own prefix", doc("2012-10-17", own), arn("/users/us-east-1:abc/items"), ctxMap{sub: {"us-east-1:abc"}}, Allowed},
		{"key case-insensitive", doc("2012-10-17", own), arn("/users/us-east-1:abc/items"), ctxMap{"Cognito-Identity.amazonaws.com:SUB": {"us-east-1:abc"}}, Allowed},
		{"someone else's prefix", doc("2012-10-17", own), arn("/users/us-east-1:xyz/items"), ctxMap{sub: {"us-east-1:abc"}}, ImplicitDeny},
		{"unresolved", doc("2012-10-17", own), arn("/users/us-east-1:abc/items"), nil, ImplicitDeny},
		{"multivalued cannot be a variable", doc("2012-10-17", own), arn("/users/a/items"), ctxMap{sub: {"a", "b"}}, ImplicitDeny},
		{"value's star is literal", doc("2012-10-17", own), arn("/users/us-east-1:abc/items"), ctxMap{sub: {"*"}}, ImplicitDeny},
		{"value's star matches a star", doc("2012-10-17", own), arn("/users/*/items"), ctxMap{sub: {"*"}}, Allowed},
		{"2008 version: no variables", doc("2008-10-17", own), arn("/users/us-east-1:abc/items"), ctxMap{sub: {"us-east-1:abc"}}, ImplicitDeny},
		{"2008 version: literal text", doc("2008-10-17", own), arn("/users/${cognito-identity.amazonaws.com:sub}/x"), nil, Allowed},
		{"escape star is literal", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/a${*}"), arn("/a*"), nil, Allowed},
		{"escape star not a wildcard", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/a${*}"), arn("/abc"), nil, ImplicitDeny},
		{"escape question", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/a${?}"), arn("/ab"), nil, ImplicitDeny},
		{"escape dollar", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/${$}{x}"), arn("/${x}"), nil, Allowed},
		{"default", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/${aws:username, 'guest'}"), arn("/guest"), nil, Allowed},
		{"default with quote", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/${aws:username, 'it''s'}"), arn("/it's"), nil, Allowed},
		{"unclosed", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/${aws:username"), arn("/x"), ctxMap{"aws:username": {"x"}}, ImplicitDeny},
		{"one round only", doc("2012-10-17", "arn:aws:execute-api:us-east-1:*:api/prod/GET/${aws:username}"), arn("/${aws:userid}"), ctxMap{"aws:username": {"${aws:userid}"}, "aws:userid": {"x"}}, Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, EvaluateRequest([]Policy{tc.policy}, Request{ActionInvoke, tc.resource, tc.ctx}))
		})
	}
}

func TestExpand(t *testing.T) {
	ctx := &reqContext{raw: ctxMap{"k:a": {"v*?"}}}
	out, lit, ok := expand("x${k:a}y*${*}", ctx)
	require.True(t, ok)
	assert.Equal(t, "xv*?y**", out)
	assert.Equal(t, []bool{false, false, true, true, false, false, true}, lit)
	out, lit, ok = expand("plain", ctx)
	require.True(t, ok)
	assert.Equal(t, "plain", out)
	assert.Nil(t, lit)
	for _, bad := range []string{"${}", "${ }", "${k:b}", "${k:b, nope}", "${k:b, 'x}", "${k:b, 'a'b'}", "${k b}"} {
		_, _, ok := expand(bad, ctx)
		assert.False(t, ok, bad)
	}
}
