package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// TestSecretFlags is the regression test for secrets that could only be
// typed on the command line (and -password @pw.txt sent as the literal
// password): every secret flag of every command reads @FILE, @- (stdin) and
// its environment variable, against the emulator.
func TestSecretFlags(t *testing.T) {
	f := newFedEmulator(t)
	ctx := context.Background()
	admin := cognito.New(f.s.Config(), f.pool, f.client.ID)
	signIn := func(pool string, client cognitotest.AppClient) *cognito.Tokens {
		c := cognito.New(f.s.Config(), pool, client.ID, func(o *cognito.Options) { o.ClientSecret = client.Secret })
		res, err := c.SignIn(ctx, "alice", fedPassword)
		require.NoError(t, err)
		return res.Tokens
	}
	plain, withSecret := signIn(f.pool, f.client), signIn(f.secretPool, f.secretClient)
	pool := []string{"-user-pool-id", f.pool}
	secretPool := []string{"-user-pool-id", f.secretPool}
	fb := f.s.MustFacebookToken(fedFacebookID, cognitotest.FacebookUser{ID: "4242"})
	n := 0
	// newUser creates a user who must choose a new password.
	newUser := func() string {
		n++
		name := "nina" + strings.Repeat("x", n)
		_, err := admin.AdminCreateUser(ctx, name, func(o *cognito.AdminCreateUserOptions) {
			o.TemporaryPassword = "Temp-Passw0rd-9!"
			o.SuppressMessage = true
		})
		require.NoError(t, err)
		return name
	}
	tests := []struct {
		name, flag, envVar, secret string
		// args are the command line without the secret flag; user is a
		// fresh user for cases that change state.
		args func(user string) []string
		// prefix, for -login, goes before the value (KEY=).
		prefix   string
		needUser bool
		wantOut  string
	}{
		{name: "signin -password", flag: "-password", envVar: "COGNITO_PASSWORD", secret: fedPassword,
			args: func(string) []string {
				return append([]string{"signin", "-client-id", f.client.ID, "-username", "alice"}, pool...)
			}, wantOut: `"IdToken"`},
		{name: "signin -client-secret", flag: "-client-secret", envVar: "COGNITO_CLIENT_SECRET", secret: f.secretClient.Secret,
			args: func(string) []string {
				return append([]string{"signin", "-client-id", f.secretClient.ID, "-username", "alice", "-password", fedPassword}, secretPool...)
			}, wantOut: `"IdToken"`},
		{name: "signin -new-password", flag: "-new-password", envVar: "COGNITO_NEW_PASSWORD", secret: "Brand-New-Passw0rd!", needUser: true,
			args: func(user string) []string {
				return append([]string{"signin", "-client-id", f.client.ID, "-username", user, "-password", "Temp-Passw0rd-9!"}, pool...)
			}, wantOut: `"IdToken"`},
		{name: "refresh -refresh-token", flag: "-refresh-token", envVar: "COGNITO_REFRESH_TOKEN", secret: plain.RefreshToken,
			args: func(string) []string {
				return append([]string{"refresh", "-client-id", f.client.ID}, pool...)
			}, wantOut: `"AccessToken"`},
		{name: "refresh -client-secret", flag: "-client-secret", envVar: "COGNITO_CLIENT_SECRET", secret: f.secretClient.Secret,
			args: func(string) []string {
				return append([]string{"refresh", "-client-id", f.secretClient.ID, "-refresh-token", withSecret.RefreshToken, "-username", withSecret.Username}, secretPool...)
			}, wantOut: `"AccessToken"`},
		{name: "credentials -password", flag: "-password", envVar: "COGNITO_PASSWORD", secret: fedPassword,
			args: func(string) []string {
				return append([]string{"credentials", "-identity-pool-id", f.idPool, "-client-id", f.client.ID, "-username", "alice"}, pool...)
			}, wantOut: `"SecretAccessKey"`},
		{name: "credentials -client-secret", flag: "-client-secret", envVar: "COGNITO_CLIENT_SECRET", secret: f.secretClient.Secret,
			args: func(string) []string {
				return append([]string{"credentials", "-identity-pool-id", f.idPool, "-client-id", f.secretClient.ID, "-username", "alice", "-password", fedPassword}, secretPool...)
			}, wantOut: `"SecretAccessKey"`},
		{name: "credentials -id-token", flag: "-id-token", envVar: "COGNITO_ID_TOKEN", secret: plain.IDToken,
			args: func(string) []string {
				return append([]string{"credentials", "-identity-pool-id", f.idPool}, pool...)
			}, wantOut: `"SecretAccessKey"`},
		{name: "credentials -login (Facebook)", flag: "-login", envVar: "COGNITO_LOGINS", secret: fb, prefix: "graph.facebook.com=",
			args: func(string) []string {
				return []string{"credentials", "-identity-pool-id", f.idPool}
			}, wantOut: `"SecretAccessKey"`},
		{name: "call -password", flag: "-password", envVar: "COGNITO_PASSWORD", secret: fedPassword,
			args: func(string) []string {
				return []string{"call", "-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-client-id", f.client.ID, "-username", "alice"}
			}, wantOut: `"cognitoAuthenticationType":"authenticated"`},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		file := filepath.Join(dir, "secret"+strings.Repeat("_", i))
		require.NoError(t, os.WriteFile(file, []byte(tt.secret+"\n"), 0o600))
		for _, src := range []string{"@FILE", "@-", "env"} {
			t.Run(tt.name+"/"+src, func(t *testing.T) {
				user := ""
				if tt.needUser {
					user = newUser()
				}
				args := tt.args(user)
				vars := map[string]string{}
				for k, v := range f.vars {
					vars[k] = v
				}
				stdin := ""
				switch src {
				case "@FILE":
					args = append(args, tt.flag, tt.prefix+"@"+file)
				case "@-":
					args = append(args, tt.flag, tt.prefix+"@-")
					stdin = tt.secret + "\r\n"
				case "env":
					vars[tt.envVar] = tt.prefix + tt.secret
				}
				if args[0] == "call" {
					args = append(args, f.s.APIURL("callapi", "")+"/whoami")
				}
				code, stdout, stderr := runCredentialsCLI(t, vars, stdin, args...)
				require.Equal(t, 0, code, stderr)
				assert.Contains(t, strings.ReplaceAll(stdout, " ", ""), tt.wantOut)
				for _, a := range args {
					assert.NotEqual(t, tt.secret, a, "the secret is not on the command line")
				}
			})
		}
		t.Run(tt.name+"/wrong secret from the file", func(t *testing.T) {
			if tt.needUser || tt.flag == "-login" || tt.flag == "-id-token" || tt.flag == "-refresh-token" {
				t.Skip("a wrong value of this secret is covered by the command's own tests")
			}
			bad := filepath.Join(dir, "bad")
			require.NoError(t, os.WriteFile(bad, []byte("Wrong-"+tt.secret+"\n"), 0o600))
			args := append(tt.args(""), tt.flag, "@"+bad)
			if args[0] == "call" {
				args = append(args, f.s.APIURL("callapi", "")+"/whoami")
			}
			code, stdout, stderr := runCredentialsCLI(t, f.vars, "", args...)
			assert.Equal(t, 1, code, stderr)
			assert.Empty(t, stdout)
			assert.NotContains(t, stderr, tt.secret)
		})
	}
}

func TestSecretFlagErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"signin: missing file", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "@" + missing}, "", "-password: open " + missing},
		{"signin: empty stdin", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "@-"}, "\n", "-password: stdin: empty"},
		{"signin: two secrets on stdin", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "@-", "-client-secret", "@-"}, "x\n", "cannot both read stdin"},
		{"refresh: two secrets on stdin", []string{"refresh", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-refresh-token", "@-", "-client-secret", "@-"}, "x\n", "cannot both read stdin"},
		{"credentials: two secrets on stdin", []string{"credentials", "-identity-pool-id", "us-east-1:x", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "@-", "-client-secret", "@-"}, "x\n", "cannot both read stdin"},
		{"credentials: missing password", []string{"credentials", "-identity-pool-id", "us-east-1:x", "-client-id", "c"}, "", "signing in needs -user-pool-id, -username, -password (or $COGNITO_PASSWORD) too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCredentialsCLI(t, nil, tt.stdin, tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		})
	}
}

// TestSigninPasswordPrompt: with no password given and a terminal on
// stdin, signin asks for it without echo.
func TestSigninPasswordPrompt(t *testing.T) {
	f := newFedEmulator(t)
	run := func(terminal bool, read func() ([]byte, error)) (int, string, string) {
		var out, errb bytes.Buffer
		env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, stdinIsTerminal: terminal,
			readPassword: read, getenv: func(k string) string { return f.vars[k] }}
		code := runCLI(context.Background(), env, []string{"signin", "-user-pool-id", f.pool, "-client-id", f.client.ID, "-username", "alice"})
		return code, out.String(), errb.String()
	}
	asked := 0
	code, stdout, stderr := run(true, func() ([]byte, error) { asked++; return []byte(fedPassword), nil })
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 1, asked)
	assert.Equal(t, "Password: \n", stderr, "the prompt, and no echo")
	assert.Contains(t, stdout, `"IdToken"`)

	code, stdout, stderr = run(true, func() ([]byte, error) { return nil, errors.New("terminal gone") })
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "reading the password: terminal gone")

	code, _, stderr = run(false, func() ([]byte, error) { t.Fatal("no prompt without a terminal"); return nil, nil })
	assert.Equal(t, 2, code)
	assert.Equal(t, "cognitoctl signin: missing required flag: -password (or $COGNITO_PASSWORD)\n", stderr)
}
