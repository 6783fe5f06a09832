package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/interop"
)

// signinMoto is a moto_server with one pool, app client and user, and the
// environment pointing cognitoctl at it.
type signinMoto struct {
	url, poolID, clientID, secret string
	api                           *cip.Client
	env                           map[string]string
}

func newSigninMoto(t *testing.T, withSecret bool) *signinMoto {
	t.Helper()
	url := interop.Moto(t)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", "")}
	api := cip.NewFromConfig(cfg)
	ctx := context.Background()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("cli")})
	require.NoError(t, err)
	cl, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool.UserPool.Id, ClientName: aws.String("cli"), GenerateSecret: withSecret,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	require.NoError(t, err)
	m := &signinMoto{url: url, poolID: aws.ToString(pool.UserPool.Id), clientID: aws.ToString(cl.UserPoolClient.ClientId), secret: aws.ToString(cl.UserPoolClient.ClientSecret), api: api}
	dir := t.TempDir()
	m.env = map[string]string{
		"AWS_ENDPOINT_URL":            url,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "AKIDMOTO",
		"AWS_SECRET_ACCESS_KEY":       "moto-secret",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	for k, v := range m.env {
		t.Setenv(k, v)
	}
	return m
}

// client is the library client for setting users up.
func (m *signinMoto) client() *cognito.Client {
	return cognito.NewFromAPI(m.api, m.poolID, m.clientID, func(o *cognito.Options) { o.ClientSecret = m.secret })
}

type signinCLIRun struct {
	code           int
	stdout, stderr string
}

// signinRun runs cognitoctl in-process with the process environment.
func signinRun(t *testing.T, stdin string, terminal bool, args ...string) signinCLIRun {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, stdinIsTerminal: terminal, getenv: os.Getenv}
	code := runCLI(context.Background(), env, args)
	return signinCLIRun{code, out.String(), errb.String()}
}

func (m *signinMoto) signinArgs(extra ...string) []string {
	args := []string{"signin", "-user-pool-id", m.poolID, "-client-id", m.clientID}
	if m.secret != "" {
		args = append(args, "-client-secret", m.secret)
	}
	return append(args, extra...)
}

func signinDecodeTokens(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}, keys)
	return m
}

func TestSigninCommand(t *testing.T) {
	for _, withSecret := range []bool{false, true} {
		t.Run(map[bool]string{false: "no secret", true: "secret"}[withSecret], func(t *testing.T) {
			m := newSigninMoto(t, withSecret)
			ctx := context.Background()
			_, err := m.client().AdminCreateConfirmedUser(ctx, "alice", "Alice-Passw0rd!", nil)
			require.NoError(t, err)

			for _, flow := range []string{"password", "admin"} {
				r := signinRun(t, "", false, m.signinArgs("-username", "alice", "-password", "Alice-Passw0rd!", "-flow", flow)...)
				require.Equal(t, 0, r.code, r.stderr)
				tk := signinDecodeTokens(t, r.stdout)
				assert.NotEmpty(t, tk["IdToken"])
				assert.NotEmpty(t, tk["RefreshToken"])
				assert.Equal(t, float64(3600), tk["ExpiresIn"])
				assert.Equal(t, "Bearer", tk["TokenType"])

				r = signinRun(t, "", false, m.signinArgs("-username", "alice", "-password", "Wrong-Passw0rd!", "-flow", flow)...)
				assert.Equal(t, 1, r.code)
				assert.Empty(t, r.stdout)
				assert.Contains(t, r.stderr, "NotAuthorizedException")
				if flow == "password" {
					// Cognito's message (moto's admin flow puts the username there).
					assert.Contains(t, r.stderr, "Incorrect username or password.")
				}
				assert.NotContains(t, r.stderr, "Wrong-Passw0rd!")
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			}
		})
	}
}

func TestSigninCommandChallenges(t *testing.T) {
	m := newSigninMoto(t, true)
	ctx := context.Background()
	c := m.client()
	_, err := c.AdminCreateUser(ctx, "bob", func(o *cognito.AdminCreateUserOptions) {
		o.TemporaryPassword = "Temp-Passw0rd!"
		o.SuppressMessage = true
	})
	require.NoError(t, err)

	// Not answerable without -new-password when stdin is not a terminal.
	r := signinRun(t, "", false, m.signinArgs("-username", "bob", "-password", "Temp-Passw0rd!", "-flow", "password")...)
	assert.Equal(t, 2, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "NEW_PASSWORD_REQUIRED")
	assert.Contains(t, r.stderr, "-new-password")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)

	// Answered from the flag.
	r = signinRun(t, "", false, m.signinArgs("-username", "bob", "-password", "Temp-Passw0rd!", "-flow", "password", "-new-password", "Perm-Passw0rd!")...)
	require.Equal(t, 0, r.code, r.stderr)
	signinDecodeTokens(t, r.stdout)

	// MFA: set up TOTP for bob (moto accepts any code).
	res, err := c.SignIn(ctx, "bob", "Perm-Passw0rd!", func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
	require.NoError(t, err)
	at := res.Tokens.AccessToken
	_, err = c.AssociateSoftwareToken(ctx, at, "cli", "bob")
	require.NoError(t, err)
	require.NoError(t, c.VerifySoftwareToken(ctx, at, "123456", ""))
	require.NoError(t, c.SetMFAPreference(ctx, at, true))

	r = signinRun(t, "", false, m.signinArgs("-username", "bob", "-password", "Perm-Passw0rd!", "-flow", "admin")...)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "SOFTWARE_TOKEN_MFA")
	assert.Contains(t, r.stderr, "-mfa-code")

	r = signinRun(t, "", false, m.signinArgs("-username", "bob", "-password", "Perm-Passw0rd!", "-flow", "admin", "-mfa-code", "123456")...)
	require.Equal(t, 0, r.code, r.stderr)
	signinDecodeTokens(t, r.stdout)

	// Interactive: the code is read from the terminal.
	r = signinRun(t, "654321\n", true, m.signinArgs("-username", "bob", "-password", "Perm-Passw0rd!", "-flow", "password")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "SOFTWARE_TOKEN_MFA code")
	signinDecodeTokens(t, r.stdout)

	// A terminal that closes before answering.
	r = signinRun(t, "", true, m.signinArgs("-username", "bob", "-password", "Perm-Passw0rd!", "-flow", "password")...)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "SOFTWARE_TOKEN_MFA")
}

func TestSigninCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no pool", []string{"signin", "-client-id", "c", "-username", "u", "-password", "p"}, "missing required flag: -user-pool-id"},
		{"no password", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u"}, "missing required flag: -password (or $COGNITO_PASSWORD)"},
		{"bad flow", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "p", "-flow", "magic"}, "-flow must be"},
		{"bad flag", []string{"signin", "-nope"}, "flag provided but not defined"},
		{"extra arg", []string{"signin", "-user-pool-id", "us-east-1_X", "extra"}, "unexpected argument"},
		{"refresh no token", []string{"refresh", "-user-pool-id", "us-east-1_X", "-client-id", "c"}, "missing required flag: -refresh-token (or $COGNITO_REFRESH_TOKEN)"},
		{"refresh secret without username", []string{"refresh", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-client-secret", "s", "-refresh-token", "r"}, "-username is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signinRun(t, "", false, tc.args...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	r := signinRun(t, "", false, "signin", "-h")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, "-mfa-code")
}

func TestSigninCommandEndpointUnreachable(t *testing.T) {
	// AWS_ENDPOINT_URL is honoured: a closed port fails with exit 1.
	port := interop.FreePort(t)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": "http://127.0.0.1:" + signinItoa(port), "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "s"),
	} {
		t.Setenv(k, v)
	}
	r := signinRun(t, "", false, "signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "secret-pw", "-flow", "password")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "127.0.0.1:"+signinItoa(port))
	assert.NotContains(t, r.stderr, "secret-pw")
}

func signinItoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestSigninCommandSRP runs the default USER_SRP_AUTH flow against the
// emulator (moto fakes SRP), then refreshes with the printed token.
func TestSigninCommandSRP(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{UsernameAttributes: []string{"email"}})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{GenerateSecret: true})
	sub := srv.MustCreateUser(pool, "gil@example.com", "Correct-Horse-9!", map[string]string{"email": "gil@example.com"})
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "s"),
	} {
		t.Setenv(k, v)
	}
	base := []string{"signin", "-user-pool-id", pool, "-client-id", app.ID, "-client-secret", app.Secret, "-username", "gil@example.com"}
	r := signinRun(t, "", false, append(base, "-password", "Correct-Horse-9!")...)
	require.Equal(t, 0, r.code, r.stderr)
	tk := signinDecodeTokens(t, r.stdout)
	claims, err := cognito.ParseClaims(tk["IdToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, sub, claims.Subject)
	assert.Equal(t, srv.Issuer(pool), claims.Issuer)

	r = signinRun(t, "", false, append(base, "-password", "Wrong-Horse-9!")...)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Incorrect username or password.")
	assert.NotContains(t, r.stderr, "Wrong-Horse-9!")

	// SECRET_HASH at refresh is over the Cognito username (here the sub),
	// not the e-mail address the user typed.
	r = signinRun(t, "", false, "refresh", "-user-pool-id", pool, "-client-id", app.ID, "-client-secret", app.Secret,
		"-refresh-token", tk["RefreshToken"].(string), "-username", claims.CognitoUsername())
	require.Equal(t, 0, r.code, r.stderr)
	nt := signinDecodeTokens(t, r.stdout)
	assert.Equal(t, tk["RefreshToken"], nt["RefreshToken"])
	r = signinRun(t, "", false, "refresh", "-user-pool-id", pool, "-client-id", app.ID, "-client-secret", app.Secret,
		"-refresh-token", tk["RefreshToken"].(string), "-username", "gil@example.com")
	assert.Equal(t, 1, r.code, "SECRET_HASH over the alias is refused")
}
