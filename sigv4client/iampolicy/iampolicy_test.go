package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	account  = "123456789012"
	authRole = "arn:aws:iam::123456789012:role/Cognito_Auth_Role"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything/at:all", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"arn:aws:execute-api:us-east-1:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/1", true},
		{"arn:aws:execute-api:us-east-1:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:123456789012:abc/prod/POST/pets/1", false},
		{"arn:aws:execute-api:*:*:abc/prod/*/admin*", "arn:aws:execute-api:eu-west-1:1:abc/prod/DELETE/admin/users", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"abc", "abcd", false},
		{"abc*", "ab", false},
		{"**a", "bbba", true},
		{"ARN", "arn", false},
	} {
		t.Run(fmt.Sprintf("%s~%s", tc.pattern, tc.s), func(t *testing.T) {
			assert.Equal(t, tc.want, Match(tc.pattern, tc.s))
		})
	}
}

func TestEvaluate(t *testing.T) {
	pol, err := Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:*:api1/prod/*"},
	    {"Effect": "Deny", "Action": ["execute-api:*"], "Resource": ["arn:aws:execute-api:us-east-1:*:api1/prod/DELETE/*"]}
	  ]
	}`))
	require.NoError(t, err)
	role := &Role{ARN: authRole, Policies: []Policy{pol}}
	arn := func(method, path string) string {
		return InvokeARN("us-east-1", account, "api1", "prod", method, path)
	}
	for _, tc := range []struct {
		name     string
		action   string
		resource string
		want     Decision
	}{
		{"allowed", ActionInvoke, arn("GET", "/pets/1"), Allowed},
		{"action case-insensitive", "EXECUTE-API:invoke", arn("GET", "/pets"), Allowed},
		{"explicit deny wins", ActionInvoke, arn("DELETE", "/pets/1"), ExplicitDeny},
		{"other stage denied by default", ActionInvoke, InvokeARN("us-east-1", account, "api1", "beta", "GET", "/pets"), ImplicitDeny},
		{"other action denied by default", "execute-api:ManageConnections", arn("GET", "/pets"), ImplicitDeny},
		{"root path", ActionInvoke, arn("GET", "/"), Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Evaluate(role.Policies, tc.action, tc.resource))
			err := role.Authorize("p", tc.action, tc.resource)
			if tc.want == Allowed {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrDenied)
				var de *DeniedError
				require.True(t, errors.As(err, &de))
				assert.Equal(t, tc.want == ExplicitDeny, de.Explicit)
			}
		})
	}
	t.Run("nil role denies", func(t *testing.T) {
		var r *Role
		assert.ErrorIs(t, r.Authorize("", ActionInvoke, arn("GET", "/")), ErrDenied)
	})
}

func TestInvokeARNAndMessage(t *testing.T) {
	arn := InvokeARN("us-west-2", "123456782543", "vd2gh6uqw3", "api", "get", "/")
	assert.Equal(t, "arn:aws:execute-api:us-west-2:123456782543:vd2gh6uqw3/api/GET/", arn)
	e := &DeniedError{Principal: "", Action: ActionInvoke, Resource: arn}
	// The text API Gateway answers (seen in the wild with this very ARN).
	assert.Equal(t, "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/", e.Message())
	e.Explicit = true
	e.Principal = AssumedRoleARN(authRole, "CognitoIdentityCredentials")
	assert.Equal(t, "User: arn:aws:sts::123456789012:assumed-role/Cognito_Auth_Role/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/ with an explicit deny", e.Message())

	assert.Equal(t, "arn:aws:iam::123456789012:user/alice", AssumedRoleARN("arn:aws:iam::123456789012:user/alice", "s"))
	assert.Equal(t, "arn:aws:sts::1:assumed-role/R/s", AssumedRoleARN("arn:aws:iam::1:role/path/R", "s"))
	assert.Equal(t, "short", MaskAccount("short"))
}

func TestWriteDenied(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteDenied(rec, &DeniedError{Principal: "anonymous", Action: ActionInvoke, Resource: InvokeARN("us-east-1", account, "a", "s", "GET", "/x")})
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "AccessDeniedException", rec.Header().Get("X-Amzn-ErrorType"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:a/s/GET/x", body["Message"])

	rec = httptest.NewRecorder()
	WriteDenied(rec, errors.New("boom"))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		ok   bool
	}{
		{"single statement object", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`, true},
		{"array", `{"Version":"2012-10-17","Statement": [{"Sid":"a","Effect": "Deny", "Action": ["x:y"], "Resource": ["*"]}]}`, true},
		{"bad effect", `{"Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}}`, false},
		{"no resource", `{"Statement": {"Effect": "Allow", "Action": "*"}}`, false},
		{"empty condition", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}}`, true},
		{"unknown condition operator refused", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}}`, false},
		{"no statement", `{"Version":"2012-10-17"}`, false},
		{"bad version", `{"Version":"2020","Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`, false},
		{"not json", `nope`, false},
		{"action number", `{"Statement": {"Effect": "Allow", "Action": 3, "Resource": "*"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrInvalidPolicy)
			}
		})
	}
}

// TestSecurityReview1_WildcardDenyHolds: a '*' in a pattern is a
// wildcard even where the resource has a '*' (or a '?') at that place; the
// matcher used to compare them as literals and never backtrack, so an
// explicit Deny on ".../admin/*" did not cover ".../admin/*x". The end to
// end case (through the emulated API Gateway) is in internal/emulator/apigw.
func TestSecurityReview1_WildcardDenyHolds(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"a*b", "a*xb", true},
		{"a*b", "a*b", true},
		{"a*", "a*", true},
		{"*", "*", true},
		{"a?b", "a*b", true},
		{"a?b", "a?b", true},
		{"a*b", "a*x", false},
		{"*a", "*", false},
		{"a?", "a", false},
		{"x", "*", false},      // a '*' in the resource is not a wildcard
		{"x", "?", false},      // nor is a '?'
		{"ab", "a*", false},    // ... anywhere
		{"a?c", "aéc", true},   // '?' is one character, not one byte
		{"a??c", "aéc", false}, // ... so two do not fit one
		{"a*c", "a\xffc", true},
		{"*/admin/*", "*X/admin/x", true},
		{"arn:aws:execute-api:*:*:api/prod/*/admin/*", "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/admin/*x", true},
		{"arn:aws:execute-api:*:*:api/prod/*/admin/*", "arn:aws:execute-api:us-east-1:123456789012:api/prod/*X/admin/x", true},
		{"arn:aws:execute-api:*:*:api/prod/*/admin/*", "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/public/*", false},
	} {
		t.Run(fmt.Sprintf("%s~%s", tc.pattern, tc.s), func(t *testing.T) {
			assert.Equal(t, tc.want, Match(tc.pattern, tc.s))
			assert.Equal(t, tc.want, refMatch(tc.pattern, tc.s), "reference matcher")
		})
	}

	pol, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*"},
	  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/prod/*/admin/*"}]}`))
	require.NoError(t, err)
	for _, res := range []struct{ method, path string }{
		{"GET", "/admin/*x"}, {"GET", "/admin/?"}, {"*X", "/admin/x"}, {"GET", "/admin/x"},
	} {
		arn := InvokeARN("us-east-1", account, "api", "prod", res.method, res.path)
		assert.Equal(t, ExplicitDeny, Evaluate([]Policy{pol}, ActionInvoke, arn), arn)
	}
	assert.Equal(t, Allowed, Evaluate([]Policy{pol}, ActionInvoke, InvokeARN("us-east-1", account, "api", "prod", "GET", "/public/*x")))
}

// TestMatchIsLinear: a pattern built to make a backtracking matcher
// exponential takes one pass per star here (checked by counting, not
// timing: the answer for n stars must not take 2^n steps, so n = 64 would
// never finish).
func TestMatchIsLinear(t *testing.T) {
	pattern := strings.Repeat("a*", 64) + "b"
	s := strings.Repeat("a", 4096)
	assert.False(t, Match(pattern, s))
	assert.True(t, Match(pattern, s+"b"))
}

// TestSecurityReview12_StrictElementNames: element names are
// case-sensitive and a key given twice is ambiguous; both used to be
// accepted (encoding/json matches names without regard to case and keeps
// the last duplicate, so a second "Effect" silently won).
func TestSecurityReview12_StrictElementNames(t *testing.T) {
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"lower-case action", `{"Statement":{"Effect":"Deny","action":"*","Resource":"*"}}`, `"action" must be written "Action"`},
		{"lower-case statement", `{"statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, `"statement" must be written "Statement"`},
		{"upper-case effect", `{"Statement":[{"EFFECT":"Deny","Action":"*","Resource":"*"}]}`, `"EFFECT" must be written "Effect"`},
		{"lower-case version", `{"version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `"version" must be written "Version"`},
		{"lower-case condition", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","condition":{}}}`, `"condition" must be written "Condition"`},
		{"duplicate effect", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Effect":"Allow"}}`, `"Effect" is given twice`},
		{"duplicate statement", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"},"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `"Statement" is given twice`},
		{"duplicate in second statement", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Resource":"x","Action":"*","Resource":"*"}]}`, `statement 1: "Resource" is given twice`},
		{"unknown condition operator", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Boolean":{"aws:SecureTransport":"true"}}}}`, `unknown Condition operator "Boolean"`},
		{"duplicate condition key", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}}}`, `"aws:SecureTransport" is given twice`},
		{"not action", `{"Statement":{"Effect":"Deny","NotAction":"*","Resource":"*"}}`, `NotAction is not supported`},
		{"unknown element", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Foo":1}}`, `unknown element "Foo"`},
		{"not json", `Allow everything`, `not JSON`},
		{"not an object", `["Allow"]`, `a policy is a JSON object`},
		{"too deep", `{"Id":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `nested more than`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			require.ErrorIs(t, err, ErrInvalidPolicy)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	// The same documents spelled correctly parse.
	for _, doc := range []string{
		`{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"s","Effect":"Deny","Action":"*","Resource":"*"}}`,
		`{"Statement":[{"Effect":"Allow","Action":["a:b","c:d"],"Resource":["*"]},{"Effect":"Deny","Action":"*","Resource":"*"}]}`,
	} {
		_, err := Parse([]byte(doc))
		assert.NoError(t, err, doc)
	}
	// json.Unmarshal into a Policy applies the same rules.
	var p Policy
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"Statement":{"Effect":"Allow","action":"*","Resource":"*"}}`), &p), ErrInvalidPolicy)
}

// FuzzMatch checks Match against refMatch, an independent dynamic
// programming matcher over characters, and against a regular expression
// built from the pattern when both strings are valid UTF-8. The seed
// corpus is in testdata/fuzz/FuzzMatch.
func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("**?*", "")
	f.Add("a*b", "a*xb")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 256 || len(s) > 256 {
			return // the reference is quadratic in memory
		}
		got := Match(pattern, s)
		if want := refMatch(pattern, s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
		if utf8.ValidString(pattern) && utf8.ValidString(s) {
			if want := regexpMatch(pattern, s); got != want {
				t.Fatalf("Match(%q, %q) = %v, regexp says %v", pattern, s, got, want)
			}
		}
		if !Match(s, s) && !containsWild(s) {
			t.Fatalf("%q does not match itself", s)
		}
		// The same pattern with the wildcards at even offsets made literal
		// (as policy variables make them) against the reference.
		lit := make([]bool, len(pattern))
		for i := 0; i < len(pattern); i += 2 {
			lit[i] = true
		}
		if got, want := matchLit(pattern, lit, s), refMatchLit(pattern, lit, s); got != want {
			t.Fatalf("matchLit(%q, even, %q) = %v, reference says %v", pattern, s, got, want)
		}
	})
}

// chars splits s into IAM characters: runes, or single bytes where s is
// not valid UTF-8.
func chars(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, s[i:i+n])
		i += n
	}
	return out
}

// refMatch is the textbook dynamic programme: m[i][j] reports whether the
// first i characters of the pattern match the first j of s.
func refMatch(pattern, s string) bool {
	return refMatchLit(pattern, nil, s)
}

// refMatchLit is refMatch where lit marks the bytes of pattern that are
// literal characters, wildcards or not.
func refMatchLit(pattern string, lit []bool, s string) bool {
	p, c := chars(pattern), chars(s)
	wild := make([]bool, len(p))
	for i, off := 0, 0; i < len(p); i++ {
		wild[i] = (p[i] == "*" || p[i] == "?") && (lit == nil || !lit[off])
		off += len(p[i])
	}
	m := make([][]bool, len(p)+1)
	for i := range m {
		m[i] = make([]bool, len(c)+1)
	}
	m[0][0] = true
	for i := 1; i <= len(p); i++ {
		for j := 0; j <= len(c); j++ {
			switch {
			case wild[i-1] && p[i-1] == "*":
				m[i][j] = m[i-1][j] || j > 0 && m[i][j-1]
			case wild[i-1] && p[i-1] == "?":
				m[i][j] = j > 0 && m[i-1][j-1]
			default:
				m[i][j] = j > 0 && m[i-1][j-1] && p[i-1] == c[j-1]
			}
		}
	}
	return m[len(p)][len(c)]
}

// regexpMatch translates the pattern into an anchored regular expression.
func regexpMatch(pattern, s string) bool {
	var sb strings.Builder
	sb.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			sb.WriteString(".*")
		case '?':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString(`\z`)
	return regexp.MustCompile(sb.String()).MatchString(s)
}

func containsWild(s string) bool {
	return strings.ContainsAny(s, "*?")
}

// FuzzParse: Parse never panics, and a policy it accepts evaluates
// without panicking against a request whose context has the keys its
// conditions name. The seed corpus (testdata/fuzz/FuzzParse) holds
// condition policies of the kinds identity-pool roles use.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/department":"sales"}}}}`), "sales")
	f.Fuzz(func(t *testing.T, doc []byte, value string) {
		p, err := Parse(doc)
		if err != nil {
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("error %v does not match ErrInvalidPolicy", err)
			}
			return
		}
		ctx := map[string][]string{}
		for _, s := range p.Statement {
			for _, keys := range s.Condition {
				for k := range keys {
					ctx[k] = []string{value}
				}
			}
		}
		_ = EvaluateRequest([]Policy{p}, Request{Action: "execute-api:Invoke", Resource: value, Context: ctx})
		_ = EvaluateRequest([]Policy{p}, Request{Action: "execute-api:Invoke", Resource: value})
	})
}

// BenchmarkMatch: a typical execute-api Deny pattern against a resource,
// and a pathological pattern (many stars, no match) against a long one.
func BenchmarkMatch(b *testing.B) {
	const pattern = "arn:aws:execute-api:*:*:api/prod/*/admin/*"
	const resource = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/admin/users/42"
	b.Run("typical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !Match(pattern, resource) {
				b.Fatal("no match")
			}
		}
	})
	bad, long := strings.Repeat("a*", 16)+"b", strings.Repeat("a", 1024)
	b.Run("16-stars-1KiB-no-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if Match(bad, long) {
				b.Fatal("match")
			}
		}
	})
}

// BenchmarkEvaluate: one request against an identity-pool role's policy
// (an Allow on the stage and a Deny on /admin/*), without conditions and
// with the same statements under a principal-tag condition and a policy
// variable, so that the cost of conditions is a ratio.
func BenchmarkEvaluate(b *testing.B) {
	plain, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:api/prod/*"},
	  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:api/prod/*/admin/*"}]}`))
	require.NoError(b, err)
	cond, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:api/prod/GET/users/${cognito-identity.amazonaws.com:sub}/*",
	   "Condition":{"StringEquals":{"aws:PrincipalTag/department":"sales"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}},
	  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:api/prod/*/admin/*",
	   "Condition":{"StringNotEquals":{"aws:PrincipalTag/department":"admin"}}}]}`))
	require.NoError(b, err)
	const sub = "us-east-1:4f1b7e0c-0000-4000-8000-000000000001"
	req := Request{Action: ActionInvoke, Resource: InvokeARN("us-east-1", account, "api", "prod", "GET", "/users/"+sub+"/items"),
		Context: map[string][]string{
			"aws:PrincipalTag/department":        {"sales"},
			"cognito-identity.amazonaws.com:sub": {sub},
			"cognito-identity.amazonaws.com:amr": {"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_x"},
			"aws:SourceIp":                       {"127.0.0.1"},
		}}
	b.Run("no-conditions", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if EvaluateRequest([]Policy{plain}, req) != Allowed {
				b.Fatal("not allowed")
			}
		}
	})
	b.Run("conditions-and-variable", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if EvaluateRequest([]Policy{cond}, req) != Allowed {
				b.Fatal("not allowed")
			}
		}
	})
}
