package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

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
		{"condition refused", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}}`, false},
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

func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("**?*", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		_ = Match(pattern, s)
		if Match(pattern, s) != Match(pattern, s) {
			t.Fatal("not deterministic")
		}
		if !Match(s, s) && !containsWild(s) {
			t.Fatalf("%q does not match itself", s)
		}
	})
}

func containsWild(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}
