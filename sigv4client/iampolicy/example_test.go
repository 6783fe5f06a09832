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
