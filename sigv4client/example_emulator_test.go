package sigv4client_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// The whole federated path: a Facebook user's identity-pool credentials
// sign a call to an AWS_IAM route of API Gateway, which answers with the
// caller's Cognito identity. It runs against the emulator (the emulated
// API Gateway checks the signature and the role's policy); against AWS,
// build the cognito-identity client from config.LoadDefaultConfig and call
// https://{api}.execute-api.{region}.amazonaws.com/{stage}/…, from which
// the transport infers the region.
func ExampleNewClient_identityPool() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	const role = "arn:aws:iam::123456789012:role/Cognito_Auth"
	srv.MustPutRole(cognitotest.Role{ARN: role, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:demoapi/*"}]}`})
	srv.MustPutAPI(cognitotest.API{ID: "demoapi", Routes: []cognitotest.Route{
		{Method: "POST", Path: "/test", Authorization: cognitotest.AuthIAM, Message: "hello world"},
	}})
	pool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{FacebookAppID: "1234567890", AuthenticatedRole: role})
	facebookToken := srv.MustFacebookToken("1234567890", cognitotest.FacebookUser{ID: "10001", Name: "Fay"})

	provider := identity.NewProvider(cognitoidentity.NewFromConfig(srv.Config()), pool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin(facebookToken))
	})
	client := sigv4client.NewClient(aws.NewCredentialsCache(provider), func(t *sigv4client.Transport) {
		t.Region = "us-east-1" // a local URL names no region
	})
	url := srv.APIURL("demoapi", "prod") + "/test"
	resp, err := client.Post(url, "application/json", strings.NewReader(`{"hi":1}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var answer struct {
		Message        string
		Body           string
		RequestContext struct {
			Identity struct {
				CognitoAuthenticationType     string
				CognitoAuthenticationProvider string
			}
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	id := answer.RequestContext.Identity
	fmt.Println(resp.StatusCode, answer.Message, answer.Body, id.CognitoAuthenticationType, id.CognitoAuthenticationProvider)

	// Unsigned, the same call is refused.
	resp, err = http.Post(url, "application/json", strings.NewReader(`{"hi":1}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// 200 hello world {"hi":1} authenticated graph.facebook.com
	// 403 Forbidden
}
