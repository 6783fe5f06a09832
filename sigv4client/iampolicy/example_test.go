package iampolicy_test

import (
	"fmt"

	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

func ExampleRole_Authorize() {
	policy, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:*:abc123/prod/GET/*"},
	    {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:*:abc123/prod/GET/admin/*"}
	  ]
	}`))
	if err != nil {
		panic(err)
	}
	role := &iampolicy.Role{ARN: "arn:aws:iam::123456789012:role/Cognito_Unauth_Role", Policies: []iampolicy.Policy{policy}}
	caller := iampolicy.AssumedRoleARN(role.ARN, "CognitoIdentityCredentials")
	for _, path := range []string{"/pets", "/admin/users"} {
		arn := iampolicy.InvokeARN("us-east-1", "123456789012", "abc123", "prod", "GET", path)
		if err := role.Authorize(caller, iampolicy.ActionInvoke, arn); err != nil {
			fmt.Println(err.(*iampolicy.DeniedError).Message())
			continue
		}
		fmt.Println("allowed:", path)
	}
	// Output:
	// allowed: /pets
	// User: arn:aws:sts::123456789012:assumed-role/Cognito_Unauth_Role/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:abc123/prod/GET/admin/users with an explicit deny
}

// ExampleEvaluateRequest evaluates a role made for a Cognito identity
// pool: callers of the sales department (a principal tag the identity pool
// maps from a token claim) may call the API, and each caller may reach
// only the items under its own identity ID.
func ExampleEvaluateRequest() {
	policy, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Effect": "Allow",
	    "Action": "execute-api:Invoke",
	    "Resource": "arn:aws:execute-api:us-east-1:*:abc123/prod/GET/items/${cognito-identity.amazonaws.com:sub}/*",
	    "Condition": {"StringEquals": {"aws:PrincipalTag/department": "sales"}}
	  }]
	}`))
	if err != nil {
		panic(err)
	}
	const sub = "us-east-1:4f1b7e0c-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		department, path string
	}{
		{"sales", "/items/" + sub + "/1"},
		{"sales", "/items/us-east-1:someone-else/1"},
		{"hr", "/items/" + sub + "/1"},
	} {
		d := iampolicy.EvaluateRequest([]iampolicy.Policy{policy}, iampolicy.Request{
			Action:   iampolicy.ActionInvoke,
			Resource: iampolicy.InvokeARN("us-east-1", "123456789012", "abc123", "prod", "GET", tc.path),
			Context: map[string][]string{
				"aws:PrincipalTag/department":        {tc.department},
				"cognito-identity.amazonaws.com:sub": {sub},
			},
		})
		fmt.Println(tc.department, tc.path[:20], d)
	}
	// Output:
	// sales /items/us-east-1:4f1 Allow
	// sales /items/us-east-1:som ImplicitDeny
	// hr /items/us-east-1:4f1 ImplicitDeny
}
