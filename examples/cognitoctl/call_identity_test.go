package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/sigv4client"
)

const (
	fedAuthRole   = "arn:aws:iam::123456789012:role/CallAuth"
	fedUnauthRole = "arn:aws:iam::123456789012:role/CallUnauth"
	fedFacebookID = "5555555555"
	fedPassword   = "Corr3ct-Horse-Battery!"
)

// fedEmulator is an emulator with a user pool (user alice), an identity
// pool trusting it and a Facebook app, its roles, and an API "callapi"
// with AWS_IAM routes: /whoami (authenticated role only) and /public
// (both roles).
type fedEmulator struct {
	s      *cognitotest.Server
	pool   string
	client cognitotest.AppClient
	// secretPool has an app client with a secret, and alice too.
	secretPool   string
	secretClient cognitotest.AppClient
	idPool       string
	vars         map[string]string
}

func newFedEmulator(t *testing.T) *fedEmulator {
	t.Helper()
	s := cognitotest.NewServer()
	t.Cleanup(s.Close)
	f := &fedEmulator{s: s}
	f.pool = s.MustCreateUserPool(cognitotest.PoolOptions{Name: "call"})
	f.client = s.MustCreateUserPoolClient(f.pool, cognitotest.ClientOptions{Name: "cli"})
	f.secretPool = s.MustCreateUserPool(cognitotest.PoolOptions{Name: "call-secret"})
	f.secretClient = s.MustCreateUserPoolClient(f.secretPool, cognitotest.ClientOptions{Name: "cli-secret", GenerateSecret: true})
	s.MustCreateUser(f.secretPool, "alice", fedPassword, nil)
	s.MustCreateUser(f.pool, "alice", fedPassword, map[string]string{"email": "alice@example.com"})
	s.MustPutRole(cognitotest.Role{ARN: fedAuthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:callapi/*"}]}`})
	s.MustPutRole(cognitotest.Role{ARN: fedUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:callapi/*/GET/public"}]}`})
	s.MustPutAPI(cognitotest.API{ID: "callapi", Routes: []cognitotest.Route{
		{Method: "ANY", Path: "/whoami", Authorization: cognitotest.AuthIAM, Message: "hello"},
		{Method: "GET", Path: "/public", Authorization: cognitotest.AuthIAM},
	}})
	f.idPool = s.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowClassicFlow:     true,
		AllowUnauthenticated: true,
		UserPools: []cognitotest.IdentityPoolUserPool{
			{UserPoolID: f.pool, ClientID: f.client.ID}, {UserPoolID: f.secretPool, ClientID: f.secretClient.ID}},
		FacebookAppID:     fedFacebookID,
		AuthenticatedRole: fedAuthRole, UnauthenticatedRole: fedUnauthRole,
	})
	// No AWS keys: the identity-pool calls are unsigned.
	f.vars = map[string]string{"AWS_ENDPOINT_URL": s.URL}
	return f
}

// idToken signs alice in and returns her ID token.
func (f *fedEmulator) idToken(t *testing.T) string {
	t.Helper()
	c := cognito.New(f.s.Config(), f.pool, f.client.ID)
	res, err := c.SignIn(context.Background(), "alice", fedPassword, func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
	require.NoError(t, err)
	return res.Tokens.IDToken
}

func TestCallIdentityPool(t *testing.T) {
	f := newFedEmulator(t)
	url := f.s.APIURL("callapi", "") + "/whoami"
	tok := f.idToken(t)
	tokFile := filepath.Join(t.TempDir(), "id-token")
	require.NoError(t, os.WriteFile(tokFile, []byte(tok+"\n"), 0o600))
	signIn := []string{"-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-client-id", f.client.ID, "-username", "alice"}
	fb := f.s.MustFacebookToken(fedFacebookID, cognitotest.FacebookUser{ID: "777"})
	noKeys := func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_PROFILE", "")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	}

	for _, tc := range []struct {
		name      string
		args      []string
		stdin     string
		vars      map[string]string
		code      int
		authType  string
		provider  string
		body      string
		stderr    string
		userARN   string
		noSecrets []string
	}{
		{name: "sign in (SRP), then sign with the identity's credentials",
			args: append(append([]string{}, signIn...), "-password", fedPassword, url), authType: "authenticated",
			provider: "cognito-idp.us-east-1.amazonaws.com/" + f.pool},
		{name: "sign in with the password flow, password from stdin, POST a body",
			args:  append(append([]string{}, signIn...), "-flow", "password", "-password", "@-", "-d", `{"a":1}`, url),
			stdin: fedPassword + "\n", authType: "authenticated", body: `{"a":1}`},
		{name: "ID token from a file",
			args: []string{"-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-id-token", "@" + tokFile, url}, authType: "authenticated"},
		{name: "Facebook login", args: []string{"-identity-pool-id", f.idPool, "-login", "graph.facebook.com=" + fb, url},
			authType: "authenticated", provider: "graph.facebook.com"},
		{name: "basic flow: STS AssumeRoleWithWebIdentity of -role-arn",
			args: []string{"-identity-pool-id", f.idPool, "-login", "graph.facebook.com=" + fb, "-role-arn", fedAuthRole,
				"-role-session-name", "cli-user", "-duration", "15m", url},
			authType: "authenticated", userARN: "arn:aws:sts::123456789012:assumed-role/CallAuth/cli-user"},
		{name: "guest on a route its role allows", args: []string{"-identity-pool-id", f.idPool, f.s.APIURL("callapi", "") + "/public"},
			authType: "unauthenticated"},
		{name: "guest denied: 403, exit 22", args: []string{"-identity-pool-id", f.idPool, url},
			code: 22, stderr: "cognitoctl call: HTTP/1.1 403 Forbidden: User: arn:aws:sts::123456789012:assumed-role/CallUnauth/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke"},
		{name: "forged ID token: the exchange is refused, exit 1",
			args: []string{"-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-id-token", tok + "x", url},
			code: 1, stderr: "cognitoctl call: identity: GetId: NotAuthorizedException: Invalid login token", noSecrets: []string{tok}},
		{name: "wrong password, exit 1", args: append(append([]string{}, signIn...), "-password", "Wrong-Passw0rd!", url),
			code: 1, stderr: "NotAuthorized", noSecrets: []string{"Wrong-Passw0rd!"}},
		{name: "keys the gateway does not know (default chain): 403, exit 22", args: []string{"-region", "us-east-1", url},
			vars: map[string]string{"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN", "AWS_SECRET_ACCESS_KEY": "unknown"},
			code: 22, stderr: "cognitoctl call: HTTP/1.1 403 Forbidden: " + sigv4client.MsgInvalidToken},
		{name: "unknown route: 403, exit 22", args: []string{"-identity-pool-id", f.idPool, f.s.APIURL("callapi", "") + "/nowhere"},
			code: 22, stderr: "403 Forbidden: Missing Authentication Token"},
		{name: "identity flags without a pool", args: []string{"-login", "graph.facebook.com=" + fb, url},
			code: 2, stderr: "missing required flag: -identity-pool-id", noSecrets: []string{fb}},
		{name: "stdin twice", args: []string{"-identity-pool-id", f.idPool, "-login", "graph.facebook.com=@-", "-d", "@-", url},
			code: 2, stderr: "cannot share stdin"},
		{name: "bad flow", args: []string{"-identity-pool-id", f.idPool, "-flow", "magic", url}, code: 2, stderr: "-flow must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noKeys(t)
			vars := tc.vars
			if vars == nil {
				vars = f.vars
			}
			env, out, errb := callEnv(tc.stdin, vars)
			code := runCLI(context.Background(), env, append([]string{"call"}, tc.args...))
			require.Equal(t, tc.code, code, "stderr: %s", errb.String())
			if tc.stderr != "" {
				assert.Contains(t, errb.String(), tc.stderr)
				assert.Equal(t, 1, strings.Count(errb.String(), "\n"), "one line: %s", errb.String())
			}
			for _, s := range tc.noSecrets {
				assert.NotContains(t, errb.String(), s)
			}
			if tc.code != 0 {
				assert.Empty(t, out.String())
				return
			}
			var got map[string]any
			require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
			who := got["requestContext"].(map[string]any)["identity"].(map[string]any)
			assert.Equal(t, tc.authType, who["cognitoAuthenticationType"])
			assert.Equal(t, f.idPool, who["cognitoIdentityPoolId"])
			assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, who["cognitoIdentityId"])
			if tc.provider != "" {
				// A user-pool caller also gets "{provider}:CognitoSignIn:{sub}".
				first, _, _ := strings.Cut(who["cognitoAuthenticationProvider"].(string), ",")
				assert.Equal(t, tc.provider, first)
			}
			if tc.userARN != "" {
				assert.Equal(t, tc.userARN, who["userArn"])
			}
			if tc.body != "" {
				assert.Equal(t, tc.body, got["body"])
				assert.Equal(t, "POST", got["method"])
			}
		})
	}
}

// TestCredentialsProcessEmulator: the -format process JSON is accepted by
// aws-sdk-go-v2's credential_process provider, whose credentials then call
// the emulated API Gateway as the identity.
func TestCredentialsProcessEmulator(t *testing.T) {
	f := newFedEmulator(t)
	tok := f.idToken(t)
	code, stdout, stderr := runCredentialsCLI(t, f.vars, tok+"\n", "credentials", "-identity-pool-id", f.idPool,
		"-user-pool-id", f.pool, "-id-token", "@-", "-format", "process")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, tok)

	dir := t.TempDir()
	out := filepath.Join(dir, "process.json")
	require.NoError(t, os.WriteFile(out, []byte(stdout), 0o600))
	// The process prints the file with the shell's builtins only, so that
	// the test runs where sh is the only program on PATH (CI's go-only run).
	p := processcreds.NewProvider(`while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < ` + out)
	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.True(t, c.CanExpire)
	assert.WithinDuration(t, f.s.Now().Add(time.Hour), c.Expires, 5*time.Second)

	client := sigv4client.NewClient(aws.NewCredentialsCache(p), func(tr *sigv4client.Transport) { tr.Region = "us-east-1" })
	resp, err := client.Post(f.s.APIURL("callapi", "")+"/whoami", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, got)
	assert.Equal(t, "authenticated", got["requestContext"].(map[string]any)["identity"].(map[string]any)["cognitoAuthenticationType"])

	t.Run("refused login: nothing on stdout", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, f.vars, "", "credentials", "-identity-pool-id", f.idPool,
			"-user-pool-id", f.pool, "-id-token", tok+"x", "-format", "process")
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "NotAuthorizedException")
		assert.NotContains(t, stderr, tok)
	})
	t.Run("process JSON without a version is refused by the SDK", func(t *testing.T) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &m))
		delete(m, "Version")
		b, _ := json.Marshal(m)
		bad := filepath.Join(dir, "bad.json")
		require.NoError(t, os.WriteFile(bad, b, 0o600))
		_, err := processcreds.NewProvider("cat " + bad).Retrieve(context.Background())
		assert.Error(t, err, "so the Version field is what makes the good output acceptable")
	})
}
