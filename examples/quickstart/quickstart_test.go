package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func startEmulator(t *testing.T) *Emulator {
	t.Helper()
	emu, err := StartEmulator("alice")
	require.NoError(t, err)
	t.Cleanup(emu.Close)
	return emu
}

// lines returns the numbered step lines of out, by step name.
func lines(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 4 && l[2] == '.' {
			rest := strings.TrimSpace(l[3:])
			for _, name := range []string{"sign up", "confirm", "sign in (SRP)", "verify ID", "verify access", "credentials",
				"signed call", "unsigned call", "Facebook", "guest", "refresh", "sign out"} {
				if strings.HasPrefix(rest, name+" ") {
					m[name] = strings.TrimSpace(strings.TrimPrefix(rest, name))
				}
			}
		}
	}
	return m
}

func TestQuickstartAgainstEmulator(t *testing.T) {
	var out bytes.Buffer
	code := realMain(context.Background(), nil, func(string) string { return "" }, strings.NewReader(""), false, &out, &out)
	require.Equal(t, 0, code, out.String())
	s := out.String()
	t.Log("\n" + s)
	got := lines(s)
	require.Len(t, got, 12, s)
	for name, want := range map[string][]string{
		"sign up":       {"alice registered", "UNCONFIRMED", "code sent by EMAIL to a***@e***"},
		"confirm":       {"the emulator's outbox", "alice is CONFIRMED"},
		"sign in (SRP)": {"USER_SRP_AUTH as alice", "valid 1h0m0s"},
		"verify ID":     {"alice <alice@example.com>", `nickname "Ali"`},
		"verify access": {`scope "aws.cognito.signin.user.admin"`},
		"credentials":   {"Logins {cognito-idp.us-east-1.amazonaws.com/us-east-1_", "→ identity us-east-1:"},
		"signed call":   {`POST /test signed with SigV4 → 200 "hello world", caller us-east-1:`, "(authenticated)"},
		"unsigned call": {`403 "Missing Authentication Token"`, `GET /public → 200`},
		"Facebook":      {"the emulator's fake Facebook", "graph.facebook.com", `→ 200 "hello world"`},
		"guest":         {"→ 403", "Cognito_quickstartUnauth_Role", "is not authorized"},
		"refresh":       {"REFRESH_TOKEN_AUTH: new ID and access tokens (verified)"},
		"sign out":      {"NotAuthorizedException", "the refresh token is refused too", "and so is the ID token by the identity pool", "jwks still accepts the token locally"},
	} {
		for _, w := range want {
			assert.Contains(t, got[name], w, "step %s", name)
		}
		assert.NotContains(t, got[name], "FAILED", name)
		assert.NotContains(t, got[name], "skipped", name)
	}
	assert.Contains(t, s, "quickstart: all steps passed: 12 passed, 0 skipped")
	assert.Contains(t, s, "the in-process emulator at http://127.0.0.1:")
	assert.NotContains(t, s, "eyJ", "no token is printed")
}

// The same steps "against AWS", here an emulator reached as real AWS would
// be (AWS_ENDPOINT_URL): sign-up without -email and Facebook without a
// token are skipped, the rest pass.
func TestQuickstartAgainstEndpoint(t *testing.T) {
	emu := startEmulator(t)
	c := emu.Config
	emu.Server.MustCreateUser(c.UserPoolID, "bob", c.Password, map[string]string{"email": "bob@example.com", "nickname": "Bo"})
	env := map[string]string{
		"AWS_ENDPOINT_URL":     emu.Server.URL,
		"COGNITO_USER_POOL_ID": c.UserPoolID, "COGNITO_CLIENT_ID": c.ClientID, "COGNITO_IDENTITY_POOL_ID": c.IdentityPoolID,
		"COGNITO_PASSWORD": c.Password,
	}
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-api-url", c.APIURL + "/", "-username", "bob"},
		func(k string) string { return env[k] }, strings.NewReader(""), false, &out, &errOut)
	require.Equal(t, 0, code, "%s\n%s", out.String(), errOut.String())
	s := out.String()
	got := lines(s)
	assert.Contains(t, got["sign up"], `skipped: no -email: signing in as the existing user "bob"`)
	assert.Contains(t, got["confirm"], "skipped: no sign-up")
	assert.Contains(t, got["Facebook"], "skipped: no -facebook-token")
	assert.Contains(t, got["signed call"], `→ 200 "hello world", caller us-east-1:`)
	assert.Contains(t, got["guest"], "→ 403")
	assert.NotContains(t, got["unsigned call"], "/public", "GET /public is the emulator's")
	assert.Contains(t, s, "all steps passed: 9 passed, 3 skipped")
	assert.Contains(t, s, "(AWS_ENDPOINT_URL)")

	// A Facebook token given on the command line is used.
	fb := emu.Server.MustFacebookToken(facebookAppID, cognitotest.FacebookUser{ID: "10002"})
	out.Reset()
	env["FACEBOOK_TOKEN"] = fb
	code = realMain(context.Background(), []string{"-api-url", c.APIURL, "-username", "bob"},
		func(k string) string { return env[k] }, strings.NewReader(""), false, &out, &errOut)
	require.Equal(t, 0, code, out.String())
	assert.Contains(t, lines(out.String())["Facebook"], "token from -facebook-token")

	// Sign-up with -email: the code is asked for on the terminal.
	out.Reset()
	codes := &outboxReader{srv: emu.Server, pool: c.UserPoolID, user: "carol"}
	code = realMain(context.Background(), []string{"-api-url", c.APIURL, "-username", "carol", "-email", "carol@example.com", "-nickname", "Caz"},
		func(k string) string { return env[k] }, codes, true, &out, &errOut)
	require.Equal(t, 0, code, out.String())
	assert.Contains(t, out.String(), "confirmation code sent to c***@e***: ")
	assert.Contains(t, out.String(), "confirm        ConfirmSignUp with the code from the terminal: carol is CONFIRMED")
	assert.Contains(t, out.String(), "all steps passed: 12 passed, 0 skipped")
}

// outboxReader plays a user typing the code they received.
type outboxReader struct {
	srv        *cognitotest.Server
	pool, user string
	buf        *strings.Reader
}

func (r *outboxReader) Read(p []byte) (int, error) {
	if r.buf == nil {
		code, _ := r.srv.LastCode(r.pool, r.user)
		r.buf = strings.NewReader(code + "\n")
	}
	return r.buf.Read(p)
}

func TestQuickstartFailures(t *testing.T) {
	t.Run("missing flags for AWS", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := realMain(context.Background(), []string{"-user-pool-id", "us-east-1_AbCdEf123"}, func(string) string { return "" },
			strings.NewReader(""), false, &out, &errOut)
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut.String(), "against real AWS these are needed too: -client-id, -identity-pool-id, -api-url, -username, -password")
	})
	t.Run("bad flag", func(t *testing.T) {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, realMain(context.Background(), []string{"-nope"}, func(string) string { return "" }, strings.NewReader(""), false, &out, &errOut))
		assert.Equal(t, 2, realMain(context.Background(), []string{"extra"}, func(string) string { return "" }, strings.NewReader(""), false, &out, &errOut))
	})
	t.Run("wrong password stops at sign-in", func(t *testing.T) {
		emu := startEmulator(t)
		c := emu.Config
		emu.Server.MustCreateUser(c.UserPoolID, "dave", c.Password, map[string]string{"email": "dave@example.com", "nickname": "D"})
		c.Email, c.Username, c.Password = "", "dave", "Wrong-passw0rd!"
		var out bytes.Buffer
		sum, err := Run(context.Background(), c, &out)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "step 3 (sign in (SRP))")
		assert.Contains(t, out.String(), " 3. sign in (SRP)  FAILED: ")
		assert.Contains(t, out.String(), "quickstart: FAILED at step 3 (sign in (SRP)) after 0 passed")
		assert.Equal(t, Summary{Passed: 0, Skipped: 2, Failed: 1}, Summary{sum.Passed, sum.Skipped, sum.Failed, 0})
		assert.NotContains(t, out.String(), "Wrong-passw0rd!")
	})
	t.Run("role that allows nothing fails the signed call", func(t *testing.T) {
		emu := startEmulator(t)
		emu.Server.MustPutRole(cognitotest.Role{ARN: authRoleARN}) // no policy: denied everything
		var out bytes.Buffer
		_, err := Run(context.Background(), emu.Config, &out)
		require.Error(t, err)
		assert.Contains(t, out.String(), "signed call    FAILED: POST /test answered 403")
	})
	t.Run("guest allowed is a failure", func(t *testing.T) {
		emu := startEmulator(t)
		emu.Server.MustPutRole(cognitotest.Role{ARN: unauthRoleARN,
			Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`})
		var out bytes.Buffer
		_, err := Run(context.Background(), emu.Config, &out)
		require.Error(t, err)
		assert.Contains(t, out.String(), "want 403 from the unauthenticated role")
	})
	t.Run("API unreachable", func(t *testing.T) {
		emu := startEmulator(t)
		c := emu.Config
		c.APIURL = "http://127.0.0.1:1/prod"
		c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
		var out bytes.Buffer
		_, err := Run(context.Background(), c, &out)
		require.Error(t, err)
		assert.Contains(t, out.String(), "signed call    FAILED")
	})
}

func TestSigningRegion(t *testing.T) {
	for _, c := range []struct {
		host string
		want bool
	}{
		{"abc123.execute-api.eu-west-1.amazonaws.com", true},
		{"abc123.execute-api.eu-west-1.amazonaws.com:443", true},
		{"127.0.0.1:9229", false},
		{"api.example.com", false},
	} {
		t.Run(c.host, func(t *testing.T) { assert.Equal(t, c.want, inferable(c.host)) })
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, realMain(context.Background(), []string{"-h"}, func(string) string { return "" }, strings.NewReader(""), false, &out, &errOut))
	assert.Contains(t, errOut.String(), "-identity-pool-id")
	assert.Empty(t, out.String())
}

func TestHelpPrintsNoSecret(t *testing.T) {
	env := map[string]string{"COGNITO_CLIENT_SECRET": "s3cr3t-value", "COGNITO_PASSWORD": "pw-value", "FACEBOOK_TOKEN": "EAAB-value"}
	var out, errOut bytes.Buffer
	realMain(context.Background(), []string{"-h"}, func(k string) string { return env[k] }, strings.NewReader(""), false, &out, &errOut)
	for _, v := range env {
		assert.NotContains(t, errOut.String(), v)
	}
	f, err := parseFlags(nil, func(k string) string { return env[k] }, strings.NewReader(""), &errOut)
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t-value", f.clientSecret)
	assert.Equal(t, "pw-value", f.password)
	assert.Equal(t, "EAAB-value", f.facebookToken)
}

// TestSecretFlagSources: each secret flag of the quickstart reads @FILE,
// @- (stdin) and its environment variable, as cognitoctl's do.
func TestSecretFlagSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(file, []byte("from-file\n"), 0o600))
	for _, tt := range []struct {
		flag, envVar string
		get          func(*flags) string
	}{
		{"-password", "COGNITO_PASSWORD", func(f *flags) string { return f.password }},
		{"-client-secret", "COGNITO_CLIENT_SECRET", func(f *flags) string { return f.clientSecret }},
		{"-facebook-token", "FACEBOOK_TOKEN", func(f *flags) string { return f.facebookToken }},
	} {
		for _, src := range []struct {
			name, stdin, want string
			args              []string
			env               map[string]string
		}{
			{"@FILE", "", "from-file", []string{tt.flag, "@" + file}, nil},
			{"@-", "from-stdin\r\n", "from-stdin", []string{tt.flag, "@-"}, nil},
			{"env", "", "from-env", nil, map[string]string{tt.envVar: "from-env"}},
			{"literal", "", "literal", []string{tt.flag, "literal"}, map[string]string{tt.envVar: "from-env"}},
		} {
			t.Run(tt.flag+"/"+src.name, func(t *testing.T) {
				var errOut bytes.Buffer
				f, err := parseFlags(src.args, func(k string) string { return src.env[k] }, strings.NewReader(src.stdin), &errOut)
				require.NoError(t, err)
				assert.Equal(t, src.want, tt.get(f))
			})
		}
		t.Run(tt.flag+"/missing file", func(t *testing.T) {
			var errOut bytes.Buffer
			_, err := parseFlags([]string{tt.flag, "@" + filepath.Join(dir, "nope")}, func(string) string { return "" }, strings.NewReader(""), &errOut)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.flag+": open ")
		})
	}
	t.Run("two secrets on stdin", func(t *testing.T) {
		var errOut bytes.Buffer
		_, err := parseFlags([]string{"-password", "@-", "-facebook-token", "@-"}, func(string) string { return "" }, strings.NewReader("x"), &errOut)
		assert.EqualError(t, err, "-password @- and -facebook-token @- cannot both read stdin")
	})
}
