package apigw_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/apigw"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// TestConditionKeys: the gateway evaluates the caller's policy with the
// request context IAM would give the call: aws:username as a policy
// variable, aws:SecureTransport (plain HTTP against TLS), aws:SourceIp
// and aws:CurrentTime from the emulator's clock.
func TestConditionKeys(t *testing.T) {
	e := newEnv(t)
	until := e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	require.NoError(t, e.gw.PutUser(apigw.User{
		ARN: "arn:aws:iam::123456789012:user/ops/ci", AccessKeyID: "AKIACI", SecretAccessKey: "ci-secret",
		Policy: `{"Version":"2012-10-17","Statement":[
		  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/GET/items/${aws:username}"},
		  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/POST/test","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
		  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/*/files/*",
		   "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"` + until + `"},"StringEquals":{"aws:PrincipalType":"User"}}},
		  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/DELETE/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1"}}}]}`,
	}))
	creds := credentials.NewStaticCredentialsProvider("AKIACI", "ci-secret", "")
	c := e.client(creds)

	assert.Equal(t, 200, do(t, c, "GET", e.url+"/items/ci", "").status, "${aws:username} is the user's name")
	assert.Equal(t, 403, do(t, c, "GET", e.url+"/items/7", "").status)
	assert.Equal(t, 403, do(t, c, "POST", e.url+"/test", "").status, "plain HTTP: aws:SecureTransport is false")
	assert.Equal(t, 200, do(t, c, "GET", e.url+"/files/a", "").status, "from loopback, before the date")
	a := do(t, c, "DELETE", e.url+"/files/a", "")
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.body["Message"], "with an explicit deny", "the Deny's condition holds")

	e.clock.Advance(2 * time.Hour)
	assert.Equal(t, 403, do(t, c, "GET", e.url+"/files/a", "").status, "aws:CurrentTime is past the date")

	tls := httptest.NewTLSServer(e.gw)
	t.Cleanup(tls.Close)
	tc := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region, t.Clock, t.Base = "us-east-1", e.clock.Now, tls.Client().Transport
	})
	a = do(t, tc, "POST", tls.URL+"/apis/abc123/prod/test", "")
	assert.Equal(t, 200, a.status, a.body)
}
