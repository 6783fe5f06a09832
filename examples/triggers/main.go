// Command triggers is a Cognito user-pool Lambda written with
// github.com/aws/aws-lambda-go, the kind of trigger code teams deploy, and
// a template to copy. One binary serves three triggers, told apart by the
// event's triggerSource:
//
//   - pre sign-up: users whose e-mail is in AUTO_CONFIRM_DOMAIN (default
//     example.com) are confirmed and their e-mail verified at once; others
//     sign up as usual and confirm with a code;
//   - pre token generation (event version 1, 2 or 3): adds the claim
//     TENANT_CLAIM (default "tenant") with the value TENANT (default
//     "acme") to the ID token, and for versions 2 and 3 to the access token;
//   - custom message: a branded e-mail for every message Cognito sends,
//     keeping the code placeholder (and the username placeholder for
//     AdminCreateUser) that Cognito requires.
//
// Build it for Lambda's provided.al2023 runtime:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./examples/triggers
//
// and deploy bootstrap (zipped) as the function; set it as the pool's
// PreSignUp, PreTokenGeneration and CustomMessage triggers. Locally, the
// cognitokit emulator runs the same binary through the Lambda Runtime API,
// for the pool of seed.json (whose lambdaConfig names it):
//
//	go build -tags lambda.norpc -o /tmp/bootstrap ./examples/triggers
//	go run ./examples/cognitoctl serve -config examples/triggers/seed.json \
//	  -function arn:aws:lambda:us-east-1:123456789012:function:cognito-triggers=/tmp/bootstrap
//
// Started by hand, outside Lambda or the emulator, it exits: there is no
// AWS_LAMBDA_RUNTIME_API to poll.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(ConfigFromEnv(os.Getenv).Handle)
}
