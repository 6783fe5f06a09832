package iampolicy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/sigv4client"
	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// identity is what an emulator's credential store knows of temporary
// credentials it issued (through an identity pool) or of a static IAM user.
type identity struct {
	principalARN string // who API Gateway names in a denial
	role         *iampolicy.Role
}

// Example_emulatedAPIGateway is the recipe for mounting the verifier and
// the policy evaluator in an emulated API Gateway serving
// /apis/{apiId}/{stage}/{path…}: verify the signature over the whole wire
// path, then authorize execute-api:Invoke on the route's ARN with the
// caller's role.
func Example_emulatedAPIGateway() {
	const region, account = "us-east-1", "123456789012"
	allowGets, _ := iampolicy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:abc123/*/GET/*"}]}`))
	authRole := &iampolicy.Role{ARN: "arn:aws:iam::123456789012:role/Cognito_Auth_Role", Policies: []iampolicy.Policy{allowGets}}
	unauthRole := &iampolicy.Role{ARN: "arn:aws:iam::123456789012:role/Cognito_Unauth_Role"} // allows nothing

	store := map[string]sigv4client.Credential{
		"ASIAAUTHENTICATED": {SecretAccessKey: "s1", SessionToken: "t1", Principal: &identity{
			iampolicy.AssumedRoleARN(authRole.ARN, "CognitoIdentityCredentials"), authRole}},
		"ASIAGUEST": {SecretAccessKey: "s2", SessionToken: "t2", Principal: &identity{
			iampolicy.AssumedRoleARN(unauthRole.ARN, "CognitoIdentityCredentials"), unauthRole}},
	}
	verifier := sigv4client.NewVerifier(region, sigv4client.StaticCredentials(store))

	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := sigv4client.CallerFromContext(r.Context())
		id := caller.Principal.(*identity)
		// /apis/{apiId}/{stage}/{path…}
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/apis/"), "/", 3)
		arn := iampolicy.InvokeARN(region, account, parts[0], parts[1], r.Method, "/"+parts[2])
		if err := id.role.Authorize(id.principalARN, iampolicy.ActionInvoke, arn); err != nil {
			iampolicy.WriteDenied(w, err)
			return
		}
		fmt.Fprintf(w, "200 for %s", id.principalARN)
	})
	api := httptest.NewServer(verifier.Middleware(route))
	defer api.Close()

	call := func(akid, secret, token, method string) {
		client := sigv4client.NewClient(credentials.NewStaticCredentialsProvider(akid, secret, token),
			func(t *sigv4client.Transport) { t.Region = region })
		req, _ := http.NewRequestWithContext(context.Background(), method, api.URL+"/apis/abc123/prod/pets/1", nil)
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	call("ASIAAUTHENTICATED", "s1", "t1", "GET")
	call("ASIAAUTHENTICATED", "s1", "t1", "DELETE")
	call("ASIAGUEST", "s2", "t2", "GET")
	call("ASIAGUEST", "s2", "wrong-token", "GET")
	// Output:
	// 200 200 for arn:aws:sts::123456789012:assumed-role/Cognito_Auth_Role/CognitoIdentityCredentials
	// 403 {"Message":"User: arn:aws:sts::123456789012:assumed-role/Cognito_Auth_Role/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:abc123/prod/DELETE/pets/1"}
	// 403 {"Message":"User: arn:aws:sts::123456789012:assumed-role/Cognito_Unauth_Role/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:abc123/prod/GET/pets/1"}
	// 403 {"message":"The security token included in the request is invalid."}
}
