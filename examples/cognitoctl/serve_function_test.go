package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/jwks"
)

const triggersARN = "arn:aws:lambda:us-east-1:123456789012:function:cognito-triggers"

// triggersSeed is examples/triggers' seed config: a pool whose triggers
// are the example, as its doc tells users to run it.
const triggersSeed = "../triggers/seed.json"

// TestServeFunctionExampleTriggers: `serve -function ARN=./bootstrap` runs
// the compiled examples/triggers through the Lambda Runtime API for a pool
// seeded with a lambdaConfig; an AWS CLI sign-up of the auto-confirmed
// domain answers UserConfirmed true, another gets the example's custom
// message, and the ID token of a sign-in verifies with jwks and carries
// the tenant claim the example's pre token generation adds.
func TestServeFunctionExampleTriggers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/triggers; skipped with -short")
	}
	awsCLI := interop.LookPath(t, "aws")
	bin := interop.BuildLambda(t, "../triggers")
	url, stop, out, errb := startServeOutput(t, "-addr", "127.0.0.1:0", "-config", triggersSeed, "-function", triggersARN+"="+bin)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve stderr (the function's output):\n%s", errb.String())
		}
	})
	assert.Contains(t, out.String(), "function "+triggersARN+" -> "+bin+"\n")

	const pool, client, password = "us-east-1_Triggers1", "triggersclient000000000001", "Passw0rd!"
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append([]string{"cognito-idp", "--endpoint-url", url, "--region", "us-east-1", "--output", "json"}, args...)...)
		for _, kv := range os.Environ() { // none of the host's AWS settings
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=example",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		require.NoError(t, err, "aws %s: %s", strings.Join(args, " "), stderr.String())
		var v map[string]any
		require.NoError(t, json.Unmarshal(b, &v), "%s", b)
		return v
	}
	signUp := func(user, email string) map[string]any {
		return cli("sign-up", "--client-id", client, "--username", user, "--password", password,
			"--user-attributes", "Name=email,Value="+email)
	}

	res := signUp("ann", "ann@example.com")
	assert.Equal(t, true, res["UserConfirmed"], "pre sign-up auto-confirms example.com")
	res = signUp("bob", "bob@other.test")
	assert.Equal(t, false, res["UserConfirmed"])
	msgs := sdkMessages(t, url, pool, "bob")
	require.Len(t, msgs, 1)
	assert.Equal(t, "Verify your Example App account", msgs[0].Subject)
	assert.Equal(t, "<p>Welcome to Example App. Your verification code is "+msgs[0].Code+".</p>", msgs[0].Body)

	auth := cli("initiate-auth", "--client-id", client, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=ann,PASSWORD="+password)
	ar, _ := auth["AuthenticationResult"].(map[string]any)
	require.NotNil(t, ar, "%v", auth)
	v, err := jwks.NewVerifier(pool, func(o *jwks.Options) {
		o.Endpoint = url
		o.TokenUse = jwks.TokenUseID
		o.ClientIDs = []string{client}
	})
	require.NoError(t, err)
	claims, err := v.Verify(context.Background(), ar["IdToken"].(string))
	require.NoError(t, err)
	email, _ := claims.StringClaim("email")
	assert.Equal(t, "ann@example.com", email)
	u, err := sdk(url).AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ann")})
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", string(u.UserStatus))
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	assert.Equal(t, "true", attrs["email_verified"], "pre sign-up auto-verified the e-mail")

	tenant, ok := claims.StringClaim("tenant")
	assert.True(t, ok, "the example's pre token generation adds the tenant claim")
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, 0, stop())
}

// outboxMessage is one message of GET /_emulator/messages.
type outboxMessage struct {
	Code    string `json:"code"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// sdkMessages reads what the emulator at url sent to a user.
func sdkMessages(t *testing.T, url, pool, username string) []outboxMessage {
	t.Helper()
	resp, err := http.Get(url + "/_emulator/messages?poolId=" + pool + "&username=" + username)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Messages []outboxMessage `json:"messages"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Messages
}

// TestServeFunctionFlags: -function and the seed config's functions are
// checked at start-up (a bad one exits 1 with one line saying why), and
// serve prints one line per function, a flag replacing the config's
// function of the same ARN.
func TestServeFunctionFlags(t *testing.T) {
	dir := t.TempDir()
	seed := func(name, fns string) string {
		p := filepath.Join(dir, name+".json")
		require.NoError(t, os.WriteFile(p, []byte(`{"functions": `+fns+`}`), 0o600))
		return p
	}
	const other = "arn:aws:lambda:us-east-1:123456789012:function:other"
	for _, tt := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"not an ARN", []string{"-function", "triggers=http://127.0.0.1:1"}, "-function"},
		{"no such program", []string{"-function", triggersARN + "=" + filepath.Join(dir, "missing")}, "missing"},
		{"ARN twice", []string{"-function", triggersARN + "=http://127.0.0.1:1", "-function", triggersARN + "=http://127.0.0.1:2"}, triggersARN},
		{"bad config function", []string{"-config", seed("bad", `{"`+triggersARN+`": "ftp://x"}`)}, triggersARN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb syncBuffer
			env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			code := runCLI(context.Background(), env, append([]string{"serve", "-addr", "127.0.0.1:0"}, tt.args...))
			assert.NotEqual(t, 0, code)
			assert.Contains(t, errb.String(), tt.want)
			assert.NotContains(t, out.String(), "listening on")
		})
	}

	cfg := seed("good", `{"`+triggersARN+`": "http://127.0.0.1:3001", "`+other+`": "http://127.0.0.1:3002"}`)
	_, stop, out, _ := startServeOutput(t, "-addr", "127.0.0.1:0", "-config", cfg, "-function", triggersARN+"=http://127.0.0.1:3003")
	var fnLines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "function ") {
			fnLines = append(fnLines, l)
		}
	}
	assert.Equal(t, []string{"function " + triggersARN + " -> http://127.0.0.1:3003", "function " + other + " -> http://127.0.0.1:3002"}, fnLines)
	assert.Equal(t, 0, stop())
}
