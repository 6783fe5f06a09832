package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/interop"
)

// botocoreCallScript resolves the profile's credentials the way every
// botocore-based tool does (here through credential_process), signs a POST
// with botocore's own SigV4 signer and sends it.
const botocoreCallScript = `
import json, os, sys, urllib.request, urllib.error
import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
try:
    creds = boto3.Session(profile_name=os.environ["PROFILE"]).get_credentials().get_frozen_credentials()
except Exception as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}))
    sys.exit(0)
req = AWSRequest(method="POST", url=os.environ["URL"], data=b'{"from":"botocore"}', headers={"Content-Type": "application/json"})
SigV4Auth(creds, "execute-api", "us-east-1").add_auth(req)
r = urllib.request.Request(req.url, data=req.body, headers=dict(req.headers.items()), method="POST")
try:
    resp = urllib.request.urlopen(r)
    print(json.dumps({"status": resp.status, "body": json.loads(resp.read())}))
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": json.loads(e.read())}))
`

// TestCredentialProcessBotocore: the documented ~/.aws/config line,
// credential_process = cognitoctl credentials … -format process, works with
// botocore (the AWS CLI's and boto3's credential chain): it runs the built
// cognitoctl, reads its JSON, and botocore's signature on a call to the
// emulated API Gateway is accepted as the Cognito identity. A refused login
// makes the credential_process fail, and botocore reports it.
func TestCredentialProcessBotocore(t *testing.T) {
	py := interop.Python(t, "boto3")
	goBin := interop.LookPath(t, "go")
	f := newFedEmulator(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "cognitoctl")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tokenFile := filepath.Join(dir, "facebook-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(f.s.MustFacebookToken(fedFacebookID, cognitotest.FacebookUser{ID: "8080"})), 0o600))
	forgedFile := filepath.Join(dir, "forged-token")
	require.NoError(t, os.WriteFile(forgedFile, []byte("EAAforged"), 0o600))
	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(`[profile cognito]
region = us-east-1
credential_process = %[1]s credentials -identity-pool-id %[2]s -login graph.facebook.com=@%[3]s -format process

[profile forged]
region = us-east-1
credential_process = %[1]s credentials -identity-pool-id %[2]s -login graph.facebook.com=@%[4]s -format process
`, bin, f.idPool, tokenFile, forgedFile)), 0o600))

	run := func(profile string) map[string]any {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, py, "-c", botocoreCallScript)
		cmd.Env = append(os.Environ(), "PROFILE="+profile, "URL="+f.s.APIURL("callapi", "")+"/whoami",
			"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
			"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
			"AWS_ENDPOINT_URL="+f.s.URL) // read by the cognitoctl that botocore runs
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("python: %v\n%s", err, ee.Stderr)
		}
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(out, &m), "%s", out)
		return m
	}

	got := run("cognito")
	require.Equal(t, float64(200), got["status"], "%v", got)
	body := got["body"].(map[string]any)
	assert.Equal(t, `{"from":"botocore"}`, body["body"])
	who := body["requestContext"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, "authenticated", who["cognitoAuthenticationType"])
	assert.Equal(t, "graph.facebook.com", who["cognitoAuthenticationProvider"])
	assert.Equal(t, f.idPool, who["cognitoIdentityPoolId"])

	bad := run("forged")
	assert.Equal(t, "CredentialRetrievalError", bad["error"], "%v", bad)
	assert.Contains(t, bad["message"], "NotAuthorizedException")
	assert.False(t, strings.Contains(fmt.Sprint(bad["message"]), "EAAforged"), "the token is not echoed")
}
