package identity_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// The tests in this file check the emulator's identity pools with the
// official clients of other languages, so that the emulator and this
// package cannot agree on a mistake: aws-sdk-js v3's
// fromCognitoIdentityPool (the reference Logins-map exchange) and boto3's
// cognito-identity client. They need node/npm and python3 with boto3, and
// are skipped without them unless COGNITOKIT_INTEROP=1.

// interopCase is one exchange an outside client attempts.
type interopCase struct {
	Name   string            `json:"name"`
	Logins map[string]string `json:"logins"`
}

// interopResult is what the outside client reports of one exchange.
type interopResult struct {
	Name            string `json:"name"`
	OK              bool   `json:"ok"`
	IdentityID      string `json:"identityId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      string `json:"expiration"`
	Code            string `json:"code"`
	Message         string `json:"message"`
}

func (r interopResult) provider() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(r.AccessKeyID, r.SecretAccessKey, r.SessionToken)
}

// decodeResults parses the JSON array a script printed, by case name.
func decodeResults(t *testing.T, out string) map[string]interopResult {
	t.Helper()
	var rs []interopResult
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &rs), "script output: %s", out)
	m := map[string]interopResult{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

const credentialProvidersScript = `
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
const cases = JSON.parse(process.env.CASES);
const out = [];
for (const c of cases) {
  const provider = fromCognitoIdentityPool({
    identityPoolId: process.env.POOL,
    logins: c.logins,
    clientConfig: { region: "us-east-1", endpoint: process.env.ENDPOINT, maxAttempts: 1 },
  });
  try {
    const cr = await provider();
    out.push({ name: c.name, ok: true, identityId: cr.identityId, accessKeyId: cr.accessKeyId,
      secretAccessKey: cr.secretAccessKey, sessionToken: cr.sessionToken,
      expiration: cr.expiration ? cr.expiration.toISOString() : "" });
  } catch (e) {
    out.push({ name: c.name, ok: false, code: e.name || "", message: e.message || "" });
  }
}
console.log(JSON.stringify(out));
`

// TestInteropCredentialProviders: @aws-sdk/credential-providers'
// fromCognitoIdentityPool gets credentials from the emulator with a
// user-pool ID token, and they work on the emulated API Gateway; a forged
// or expired token is refused with NotAuthorizedException.
func TestInteropCredentialProviders(t *testing.T) {
	dir := interop.NPMInstall(t, "@aws-sdk/credential-providers@3")
	e := newEmulator(t)
	sess := e.session(t, "alice")
	tok := sess.Current().IDToken
	key := identity.UserPoolKey("", e.pool)

	run := func(cases ...interopCase) map[string]interopResult {
		raw, _ := json.Marshal(cases)
		out, err := interop.Node(t, dir, credentialProvidersScript,
			"CASES="+string(raw), "POOL="+e.idPool, "ENDPOINT="+e.s.URL,
			"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=", "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
		require.NoError(t, err)
		return decodeResults(t, out)
	}

	res := run(
		interopCase{"user pool", map[string]string{key: tok}},
		interopCase{"forged", map[string]string{key: forge(t, tok)}},
		interopCase{"facebook", map[string]string{identity.KeyFacebook: e.s.MustFacebookToken(emuFacebookID, cognitotest.FacebookUser{ID: "30003", Name: "Interop"})}},
	)
	got := res["user pool"]
	require.True(t, got.OK, "%+v", got)
	assert.True(t, strings.HasPrefix(got.AccessKeyID, "ASIA"))
	exp, err := time.Parse(time.RFC3339, got.Expiration)
	require.NoError(t, err)
	assert.WithinDuration(t, e.s.Now().Add(time.Hour), exp, 5*time.Second)

	// The same identity as this package's provider finds, and the
	// credentials work.
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	_, err = p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, p.IdentityID(), got.IdentityID)
	status, body := e.call(t, got.provider(), "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Equal(t, got.IdentityID, caller(body)["cognitoIdentityId"])

	assert.False(t, res["forged"].OK)
	assert.Equal(t, "NotAuthorizedException", res["forged"].Code)
	assert.Contains(t, res["forged"].Message, "Invalid login token")
	require.True(t, res["facebook"].OK, "%+v", res["facebook"])

	e.s.Advance(61 * time.Minute)
	res = run(interopCase{"expired", map[string]string{key: tok}})
	assert.False(t, res["expired"].OK)
	assert.Equal(t, "NotAuthorizedException", res["expired"].Code)
	assert.Contains(t, res["expired"].Message, "Token expired")
}

const boto3Script = `
import json, os, sys
import boto3
from botocore.exceptions import ClientError
from botocore.config import Config
client = boto3.client("cognito-identity", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id="AKIDBOTO", aws_secret_access_key="boto-secret",
                      config=Config(retries={"max_attempts": 1}))
out = []
for c in json.loads(os.environ["CASES"]):
    try:
        ident = client.get_id(IdentityPoolId=os.environ["POOL"], Logins=c["logins"])
        cr = client.get_credentials_for_identity(IdentityId=ident["IdentityId"], Logins=c["logins"])
        k = cr["Credentials"]
        out.append({"name": c["name"], "ok": True, "identityId": cr["IdentityId"], "accessKeyId": k["AccessKeyId"],
                    "secretAccessKey": k["SecretKey"], "sessionToken": k["SessionToken"],
                    "expiration": k["Expiration"].isoformat()})
    except ClientError as e:
        out.append({"name": c["name"], "ok": False, "code": e.response["Error"]["Code"],
                    "message": e.response["Error"]["Message"]})
print(json.dumps(out))
`

// cognitoctlServe builds cognitoctl into a temporary folder, starts
// `cognitoctl serve -addr 127.0.0.1:0 -config FILE` and returns its URL;
// the server is stopped when the test ends.
func cognitoctlServe(t *testing.T, config string) string {
	t.Helper()
	goBin := interop.LookPath(t, "go")
	dir := t.TempDir()
	bin := filepath.Join(dir, "cognitoctl")
	build := exec.Command(goBin, "build", "-o", bin, "github.com/cognitokit/cognitokit/examples/cognitoctl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build cognitoctl: %v\n%s", err, out)
	}
	cfgPath := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(cfgPath, []byte(config), 0o600))
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-config", cfgPath)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- u
			}
		}
		close(lines)
	}()
	select {
	case u, ok := <-lines:
		require.True(t, ok, "cognitoctl serve exited: %s", stderr.String())
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("cognitoctl serve did not start: %s", stderr.String())
		return ""
	}
}

const serveConfig = `{
  "userPools": [{"id": "us-east-1_Interop01", "name": "interop",
    "clients": [{"id": "interopclient0000000000001", "name": "app"}],
    "users": [{"username": "carol", "password": "Corr3ct-Horse-Battery!", "attributes": {"email": "carol@example.com"}}]}],
  "identityPools": [{"id": "us-east-1:00000000-0000-4000-8000-00000000b070", "name": "interop",
    "allowUnauthenticatedIdentities": false,
    "cognitoIdentityProviders": [{"ProviderName": "us-east-1_Interop01", "ClientId": "interopclient0000000000001", "ServerSideTokenCheck": true}],
    "roles": {"authenticated": "arn:aws:iam::123456789012:role/InteropAuth"}}],
  "roles": [{"arn": "arn:aws:iam::123456789012:role/InteropAuth",
    "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:*:*:interopapi/*\"}]}"}],
  "apis": [{"id": "interopapi", "routes": [{"method": "GET", "path": "/whoami", "authorization": "AWS_IAM"}]}]
}`

// TestInteropServe: against the standalone `cognitoctl serve` seeded from a
// -config file, with an ID token from signing in there (USER_SRP_AUTH),
// boto3's get_id and get_credentials_for_identity and aws-sdk-js's
// fromCognitoIdentityPool get credentials that work on its API Gateway; a
// forged token is refused.
func TestInteropServe(t *testing.T) {
	py := interop.Python(t, "boto3")
	jsDir := interop.NPMInstall(t, "@aws-sdk/credential-providers@3")
	url := cognitoctlServe(t, serveConfig)
	const (
		userPool = "us-east-1_Interop01"
		idPool   = "us-east-1:00000000-0000-4000-8000-00000000b070"
	)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	c := cognito.New(cfg, userPool, "interopclient0000000000001")
	res, err := c.SignIn(ctx, "carol", emuPassword)
	require.NoError(t, err, "USER_SRP_AUTH against cognitoctl serve")
	tok := res.Tokens.IDToken
	key := identity.UserPoolKey("", userPool)

	cases, _ := json.Marshal([]interopCase{
		{"user pool", map[string]string{key: tok}},
		{"forged", map[string]string{key: forge(t, tok)}},
		{"guest", map[string]string{}},
	})
	ctxRun, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctxRun, py, "-c", boto3Script)
	cmd.Env = append(os.Environ(), "CASES="+string(cases), "POOL="+idPool, "ENDPOINT="+url, "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("boto3 script: %v\n%s", err, ee.Stderr)
	}
	require.NoError(t, err)
	got := decodeResults(t, string(out))

	ok := got["user pool"]
	require.True(t, ok.OK, "%+v", ok)
	assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, ok.IdentityID)
	// This package's provider finds the same identity on the same server.
	p := identity.NewProvider(cognitoidentity.NewFromConfig(cfg), idPool, func(o *identity.Options) {
		o.Logins = identity.StaticLogins(map[string]string{key: tok})
	})
	_, err = p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, ok.IdentityID, p.IdentityID())

	client := sigv4client.NewClient(ok.provider(), func(tr *sigv4client.Transport) { tr.Region = "us-east-1" })
	resp, err := client.Get(url + "/apis/interopapi/prod/whoami")
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, ok.IdentityID, caller(body)["cognitoIdentityId"])

	assert.False(t, got["forged"].OK)
	assert.Equal(t, "NotAuthorizedException", got["forged"].Code)
	assert.Contains(t, got["forged"].Message, "Invalid login token")
	assert.False(t, got["guest"].OK, "the pool allows no guests")
	assert.Equal(t, "NotAuthorizedException", got["guest"].Code)

	out2, err := interop.Node(t, jsDir, credentialProvidersScript, "CASES="+string(cases), "POOL="+idPool, "ENDPOINT="+url,
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=", "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"))
	require.NoError(t, err)
	js := decodeResults(t, out2)
	require.True(t, js["user pool"].OK, "%+v", js["user pool"])
	assert.Equal(t, ok.IdentityID, js["user pool"].IdentityID, "the same identity as boto3's")
	assert.NotEqual(t, ok.AccessKeyID, js["user pool"].AccessKeyID, "fresh credentials")
	resp, err = sigv4client.NewClient(js["user pool"].provider(), func(tr *sigv4client.Transport) { tr.Region = "us-east-1" }).
		Get(url + "/apis/interopapi/prod/whoami")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "NotAuthorizedException", js["forged"].Code)
	assert.Equal(t, "NotAuthorizedException", js["guest"].Code)
}
