package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// syncBuffer is an io.Writer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)

// startServe runs "cognitoctl serve args..." in-process and returns its URL
// and a stop function that waits for the exit code.
func startServe(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	url, stop, _, _ := startServeOutput(t, args...)
	return url, stop
}

// startServeOutput is startServe that also returns serve's stdout and
// stderr.
func startServeOutput(t *testing.T, args ...string) (string, func() int, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: out, stderr: errb, getenv: func(string) string { return "" }}
	codeCh := make(chan int, 1)
	go func() { codeCh <- runCLI(ctx, env, append([]string{"serve"}, args...)) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRe.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			code := 0
			stop := func() int {
				once.Do(func() { cancel(); code = <-codeCh })
				return code
			}
			t.Cleanup(func() { stop() })
			return m[1], stop, out, errb
		}
		select {
		case c := <-codeCh:
			cancel()
			t.Fatalf("serve exited with %d: %s", c, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not print its address; stderr: %s", errb.String())
	return "", nil, nil, nil
}

func sdk(url string) *cip.Client {
	return cip.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} }})
}

const seedConfig = `{"userPools": [{
  "id": "us-east-1_Example01", "name": "demo",
  "clients": [{"id": "democlient0000000000000001", "name": "web",
               "explicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
  "users":   [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}}]
}]}`

func TestServeConfigAndState(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	state := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(cfg, []byte(seedConfig), 0o600))

	url, stop := startServe(t, "-addr", "127.0.0.1:0", "-config", cfg, "-state", state)
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"))
	c := sdk(url)
	ctx := context.Background()
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String("democlient0000000000000001"),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	require.NoError(t, err)
	refresh := out.AuthenticationResult.RefreshToken
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_Example01"), Username: aws.String("bob"),
		TemporaryPassword: aws.String("TempPassw0rd!"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	assert.Equal(t, 0, stop())

	// Restart from the state file (the config is applied again and skipped).
	url2, stop2 := startServe(t, "-addr", "127.0.0.1:0", "-config", cfg, "-state", state)
	c2 := sdk(url2)
	_, err = c2.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Example01"), Username: aws.String("bob")})
	require.NoError(t, err)
	r, err := c2.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String("democlient0000000000000001"),
		AuthParameters: map[string]string{"REFRESH_TOKEN": *refresh}})
	require.NoError(t, err)
	require.NotNil(t, r.AuthenticationResult)
	assert.Equal(t, 0, stop2())

	// -allow-unsigned lets curl-like clients call admin operations.
	for _, allow := range []bool{false, true} {
		args := []string{"-addr", "127.0.0.1:0"}
		if allow {
			args = append(args, "-allow-unsigned")
		}
		u, stop := startServe(t, args...)
		req, _ := http.NewRequest("POST", u+"/", strings.NewReader(`{"MaxResults": 5}`))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		if allow {
			assert.Equal(t, 200, resp.StatusCode)
		} else {
			assert.Equal(t, 400, resp.StatusCode)
		}
		assert.Equal(t, 0, stop())
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	badCfg := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badCfg, []byte(`{"userPools": [{"name": "no id"}]}`), 0o600))
	badState := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(badState, []byte(`garbage`), 0o600))
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"extra arg", []string{"extra"}, 2, "unexpected argument"},
		{"missing config", []string{"-addr", "127.0.0.1:0", "-config", filepath.Join(dir, "missing.json")}, 1, "config"},
		{"invalid config", []string{"-addr", "127.0.0.1:0", "-config", badCfg}, 1, "needs an id"},
		{"corrupt state", []string{"-addr", "127.0.0.1:0", "-state", badState}, 1, "not a readable state database"},
		{"bad address", []string{"-addr", "256.0.0.1:bad"}, 1, "listen"},
		{"cors origin *", []string{"-addr", "127.0.0.1:0", "-cors-origin", "*"}, 1, "CORS origin"},
		{"cors origin with a path", []string{"-addr", "127.0.0.1:0", "-cors-origin", "https://app.example/x"}, 1, "CORS origin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			code := runCLI(context.Background(), env, append([]string{"serve"}, tc.args...))
			assert.Equal(t, tc.code, code)
			assert.Contains(t, errb.String(), tc.msg)
			assert.Empty(t, out.String())
		})
	}
}

// TestServeInteropBoto3 drives a running `cognitoctl serve` with boto3 and
// the AWS CLI: create a pool, a client and a user, then admin-initiate-auth.
func TestServeInteropBoto3(t *testing.T) {
	py := interop.Python(t, "boto3")
	url, _ := startServe(t, "-addr", "127.0.0.1:0")
	script := `
import boto3, json, sys
c = boto3.client("cognito-idp", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKID", aws_secret_access_key="SECRET")
pool = c.create_user_pool(PoolName="boto")["UserPool"]["Id"]
cl = c.create_user_pool_client(UserPoolId=pool, ClientName="cli", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
c.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="TempPassw0rd!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
c.admin_set_user_password(UserPoolId=pool, Username="bob", Password="BobPassw0rd!", Permanent=True)
r = c.admin_initiate_auth(UserPoolId=pool, ClientId=cl, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": "BobPassw0rd!"})
ok = "IdToken" in r["AuthenticationResult"]
try:
    c.admin_initiate_auth(UserPoolId=pool, ClientId=cl, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": "WrongPassw0rd!"})
    refused = "accepted"
except c.exceptions.NotAuthorizedException as e:
    refused = e.response["Error"]["Message"]
try:
    c.describe_user_pool(UserPoolId="us-east-1_nope")
    missing = "found"
except c.exceptions.ResourceNotFoundException:
    missing = "ResourceNotFoundException"
print(json.dumps({"pool": pool, "client": cl, "ok": ok, "refused": refused, "missing": missing}))
`
	f := filepath.Join(t.TempDir(), "boto.py")
	require.NoError(t, os.WriteFile(f, []byte(script), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, f, url).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), `"ok": true`)
	assert.Contains(t, string(out), `"refused": "Incorrect username or password."`)
	assert.Contains(t, string(out), `"missing": "ResourceNotFoundException"`)

	// The AWS CLI against the same server.
	awsBin := interop.LookPath(t, "aws")
	cmd := exec.CommandContext(ctx, awsBin, "--endpoint-url", url, "--region", "us-east-1", "--output", "json",
		"cognito-idp", "list-user-pools", "--max-results", "10")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_PAGER=")
	cliOut, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", cliOut)
	assert.Contains(t, string(cliOut), `"Name": "boto"`)
	cmd = exec.CommandContext(ctx, awsBin, "--endpoint-url", url, "--region", "us-east-1", "cognito-idp", "describe-user-pool", "--user-pool-id", "us-east-1_nope")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_PAGER=")
	cliOut, err = cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(cliOut), "ResourceNotFoundException")
}

// signedReq is a request with a well-formed SigV4 Authorization header
// (serve checks its shape and date, not the signature).
func signedReq(t *testing.T, method, url, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	service := "cognito-idp"
	if strings.HasPrefix(target, "AWSCognitoIdentityService.") {
		service = "cognito-identity"
	}
	now := time.Now().UTC()
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+now.Format("20060102")+
		"/us-east-1/"+service+"/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	return req
}

func do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// TestServeSeedExample: the shipped seed.example.json (the README's
// config) loads, and serve prints what it created, IDs and names only,
// after the unchanged "listening on" line, then the export line.
func TestServeSeedExample(t *testing.T) {
	cfg, err := loadSeedConfig("seed.example.json")
	require.NoError(t, err)
	require.Len(t, cfg.UserPools, 1)

	url, stop, out, _ := startServeOutput(t, "-addr", "127.0.0.1:0", "-config", "seed.example.json")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Equal(t, []string{
		"listening on " + url,
		"user pool us-east-1_Example01 (demo)",
		"  app client democlient0000000000000001 (web)",
		"identity pool us-east-1:00000000-0000-4000-8000-000000000001 (demo)",
		"api demoapi",
		"export AWS_ENDPOINT_URL=" + url,
	}, lines)
	assert.NotContains(t, out.String(), "Passw0rd!")

	u, err := sdk(url).AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Example01"), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(u.Username))
	assert.Equal(t, 0, stop())

	// Without a config, only the address and the export line.
	url, _, out, _ = startServeOutput(t, "-addr", "127.0.0.1:0")
	assert.Equal(t, "listening on "+url+"\nexport AWS_ENDPOINT_URL="+url+"\n", out.String())
}

// TestServeVerboseLogsEveryService: serve -v logs one line per request of
// every service it answers, unknown operations and paths included, and
// never a password, code, token or query string.
func TestServeVerboseLogsEveryService(t *testing.T) {
	url, stop, _, errb := startServeOutput(t, "-addr", "127.0.0.1:0", "-config", "seed.example.json", "-v")
	const secret = "SeCrEtVaLuE123"
	idpT := "AWSCognitoIdentityProviderService."
	requests := []struct {
		req  *http.Request
		want string
	}{
		{signedReq(t, "POST", url+"/", idpT+"InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"democlient0000000000000001","AuthParameters":{"USERNAME":"alice","PASSWORD":"`+secret+`"}}`),
			"POST cognito-idp.InitiateAuth 400 "},
		{signedReq(t, "POST", url+"/", idpT+"AdminGetUser", `{"UserPoolId":"us-east-1_Example01","Username":"alice"}`), "POST cognito-idp.AdminGetUser 200 "},
		{signedReq(t, "POST", url+"/", idpT+"NoSuchOp", `{}`), "POST cognito-idp.NoSuchOp 400 UnknownOperationException "},
		{signedReq(t, "POST", url+"/", "AWSCognitoIdentityService.GetId", `{"IdentityPoolId":"us-east-1:00000000-0000-4000-8000-000000000001"}`), "POST cognito-identity.GetId 200 "},
		{signedReq(t, "POST", url+"/", "", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/Auth&RoleSessionName=x&WebIdentityToken="+secret),
			"POST query.AssumeRoleWithWebIdentity "},
		{signedReq(t, "GET", url+"/apis/demoapi/prod/public?token="+secret, "", ""), "GET /apis/demoapi/prod/public "},
		{signedReq(t, "GET", url+"/us-east-1_Example01/.well-known/jwks.json", "", ""), "GET /us-east-1_Example01/.well-known/jwks.json 200 "},
		{signedReq(t, "GET", url+"/_emulator/messages", "", ""), "GET /_emulator/messages 200 "},
		{signedReq(t, "GET", url+"/oauth2/idpresponse?code="+secret+"&state="+secret, "", ""), "GET /oauth2/idpresponse 400 "},
		{signedReq(t, "POST", url+"/oauth2/token", "", "grant_type=authorization_code&code="+secret), "POST /oauth2/token 400 "},
		{signedReq(t, "GET", url+"/no/such/path", "", ""), "GET /no/such/path 404 "},
	}
	for _, r := range requests {
		if r.req.Header.Get("X-Amz-Target") == "" && r.req.Method == "POST" {
			r.req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		do(t, r.req)
	}
	assert.Equal(t, 0, stop())
	logs := errb.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	assert.Len(t, lines, len(requests), logs)
	for i, r := range requests {
		if assert.Less(t, i, len(lines)) {
			assert.Contains(t, lines[i], r.want)
			assert.Regexp(t, ` [0-9.]+(µs|ms|s)$`, lines[i], "a duration")
		}
	}
	for _, bad := range []string{secret, "Passw0rd!", "?", "code="} {
		assert.NotContains(t, logs, bad)
	}
}

// TestSecurityReview4_ServeForeignOrigin: serve grants CORS to loopback
// origins and to -cors-origin, and refuses other origins' preflights,
// admin operations and /_emulator/ reads.
func TestSecurityReview4_ServeForeignOrigin(t *testing.T) {
	url, _, _, _ := startServeOutput(t, "-addr", "127.0.0.1:0", "-config", "seed.example.json",
		"-cors-origin", "https://app.example", "-cors-origin", "http://dev.example:8080")
	preflight := func(origin string) (int, http.Header) {
		req, _ := http.NewRequest("OPTIONS", url+"/", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
		status, h, _ := do(t, req)
		return status, h
	}
	tests := []struct {
		origin string
		ok     bool
	}{
		{"http://localhost:3000", true},
		{"http://127.0.0.1:5173", true},
		{"http://[::1]:8080", true},
		{"https://app.example", true},
		{"http://dev.example:8080", true},
		{"https://evil.example", false},
		{"http://dev.example:8081", false},
	}
	for _, tc := range tests {
		t.Run(tc.origin, func(t *testing.T) {
			status, h := preflight(tc.origin)
			if tc.ok {
				assert.Equal(t, http.StatusNoContent, status)
				assert.Equal(t, tc.origin, h.Get("Access-Control-Allow-Origin"))
			} else {
				assert.Equal(t, http.StatusForbidden, status)
				assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
			}

			// The drive-by of the review: create a user, read its temporary password.
			req := signedReq(t, "POST", url+"/", "AWSCognitoIdentityProviderService.AdminCreateUser",
				`{"UserPoolId":"us-east-1_Example01","Username":"u`+strings.NewReplacer(":", "", "/", "", ".", "", "[", "", "]", "").Replace(tc.origin)+`"}`)
			req.Header.Set("Origin", tc.origin)
			status, h, body := do(t, req)
			if tc.ok {
				assert.Equal(t, http.StatusOK, status, body)
			} else {
				assert.Equal(t, http.StatusForbidden, status, body)
				assert.Contains(t, body, "AccessDeniedException")
				assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
			}
			req, _ = http.NewRequest("GET", url+"/_emulator/messages", nil)
			req.Header.Set("Origin", tc.origin)
			status, h, body = do(t, req)
			if tc.ok {
				assert.Equal(t, http.StatusOK, status)
			} else {
				assert.Equal(t, http.StatusForbidden, status)
				assert.NotContains(t, body, "temporary password")
				assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}
