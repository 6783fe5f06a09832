package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

const loginPassword = "Corr3ct-Horse-Battery!"

// loginEmulator is an emulator with two user pools (user alice in each),
// a public app client in one and a confidential one in the other, both
// with loopback callback URLs, an identity pool trusting both, and an API "loginapi" whose AWS_IAM route /whoami
// the authenticated role may call.
type loginEmulator struct {
	s                  *cognitotest.Server
	pool, idPool       string
	secretPool         string
	public, secret     cognitotest.AppClient
	publicCB, secretCB string
	dir                string // the token directory
	vars               map[string]string
}

// freeCallback returns http://localhost:PORT/callback on a free port.
func freeCallback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return fmt.Sprintf("http://localhost:%d/callback", port)
}

func newLoginEmulator(t *testing.T) *loginEmulator {
	t.Helper()
	s := cognitotest.NewServer()
	t.Cleanup(s.Close)
	e := &loginEmulator{s: s, publicCB: freeCallback(t), secretCB: freeCallback(t), dir: filepath.Join(t.TempDir(), "tokens")}
	e.pool = s.MustCreateUserPool(cognitotest.PoolOptions{Name: "login"})
	e.secretPool = s.MustCreateUserPool(cognitotest.PoolOptions{Name: "login-secret"})
	oauth := func(pool, name, cb string, secret bool) cognitotest.AppClient {
		return s.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{Name: name, GenerateSecret: secret, CallbackURLs: []string{cb},
			LogoutURLs: []string{"http://localhost:9/bye"}, AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}})
	}
	e.public = oauth(e.pool, "cli", e.publicCB, false)
	e.secret = oauth(e.secretPool, "cli-secret", e.secretCB, true)
	s.MustCreateUser(e.pool, "alice", loginPassword, map[string]string{"email": "alice@example.com"})
	s.MustCreateUser(e.secretPool, "alice", loginPassword, map[string]string{"email": "alice@example.com"})
	s.MustPutRole(cognitotest.Role{ARN: fedAuthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:loginapi/*"}]}`})
	s.MustPutRole(cognitotest.Role{ARN: fedUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`})
	s.MustPutAPI(cognitotest.API{ID: "loginapi", Routes: []cognitotest.Route{{Method: "ANY", Path: "/whoami", Authorization: cognitotest.AuthIAM}}})
	e.idPool = s.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		UserPools:         []cognitotest.IdentityPoolUserPool{{UserPoolID: e.pool, ClientID: e.public.ID}, {UserPoolID: e.secretPool, ClientID: e.secret.ID}},
		AuthenticatedRole: fedAuthRole, UnauthenticatedRole: fedUnauthRole,
	})
	e.vars = map[string]string{"AWS_ENDPOINT_URL": s.URL, envTokenDir: e.dir}
	return e
}

// run runs cognitoctl in-process with e's environment (plus extra) and,
// for login, a browser that does what browser does.
func (e *loginEmulator) run(t *testing.T, browser func(string) error, extra map[string]string, args ...string) (int, string, string) {
	t.Helper()
	vars := map[string]string{}
	for k, v := range e.vars {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }, openBrowser: browser}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := runCLI(ctx, env, args)
	return code, out.String(), errb.String()
}

// signsIn is the person at the browser: they sign in on the hosted UI as
// alice with password, and the browser follows the redirect to cognitoctl's
// loopback listener.
func (e *loginEmulator) signsIn(t *testing.T, password string) func(string) error {
	return func(authURL string) error {
		go func() {
			cb, err := e.s.HostedSignIn(authURL, "alice", password)
			if err != nil {
				t.Logf("hosted UI: %v", err)
				return
			}
			resp, err := http.Get(cb)
			if err != nil {
				t.Logf("callback: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

func (e *loginEmulator) login(t *testing.T, client cognitotest.AppClient, cb string, extra ...string) loginJSON {
	t.Helper()
	args := append([]string{"login", "-domain", e.s.HostedUIURL(), "-client-id", client.ID, "-redirect-uri", cb}, extra...)
	code, stdout, stderr := e.run(t, e.signsIn(t, loginPassword), map[string]string{envClientSecret: client.Secret}, args...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "/oauth2/authorize?", "the URL is shown in case the browser did not open")
	var got loginJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&got), stdout)
	assert.NotContains(t, stdout, "eyJ", "no token on stdout")
	return got
}

// stored returns the tokens stored for an app client.
func (e *loginEmulator) stored(t *testing.T, clientID string) (*cognito.Tokens, error) {
	return (&cognito.FileTokenStore{Dir: e.dir}).Load(context.Background(), cognito.TokenStoreKey(e.s.HostedUIURL(), clientID))
}

// expire makes the stored tokens of an app client look expired, so that
// the next run refreshes them.
func (e *loginEmulator) expire(t *testing.T, clientID string) *cognito.Tokens {
	t.Helper()
	tk, err := e.stored(t, clientID)
	require.NoError(t, err)
	tk.Expiry = time.Now().Add(-time.Minute)
	require.NoError(t, (&cognito.FileTokenStore{Dir: e.dir}).Save(context.Background(), cognito.TokenStoreKey(e.s.HostedUIURL(), clientID), tk))
	return tk
}

// TestLoginThenUseStored: login through the browser, then credentials, call
// and signin from the stored session with no password, a refresh saved
// back, and logout revoking the refresh token.
func TestLoginThenUseStored(t *testing.T) {
	e := newLoginEmulator(t)
	got := e.login(t, e.public, e.publicCB, "-scopes", "openid,email")
	assert.Equal(t, "alice", got.Username)
	assert.Equal(t, "alice@example.com", got.Email)
	assert.Equal(t, e.pool, got.UserPoolID)
	assert.Equal(t, e.public.ID, got.ClientID)
	assert.Equal(t, e.dir, got.TokenDir)
	exp, err := time.Parse(time.RFC3339, got.Expiration)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(time.Hour), exp, time.Minute)

	// The session is on disk, readable by its owner only.
	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "the tokens and the login index")
	for _, de := range entries {
		fi, err := de.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), de.Name())
	}
	index, err := os.ReadFile(filepath.Join(e.dir, loginIndexFile))
	require.NoError(t, err)
	assert.NotContains(t, string(index), "eyJ", "the index holds no token")

	// A second run, with no password anywhere: identity-pool credentials
	// from the stored session. The identity ID is kept for the next run.
	code, stdout, stderr := e.run(t, nil, nil, "credentials", "-identity-pool-id", e.idPool, "-use-stored")
	require.Equal(t, 0, code, stderr)
	var creds credentialsJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &creds))
	assert.NotEmpty(t, creds.AccessKeyID)
	assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, creds.IdentityID)
	ids, err := os.ReadFile(filepath.Join(e.dir, identityIDsFile))
	require.NoError(t, err)
	assert.Contains(t, string(ids), creds.IdentityID)

	// call signs with them: the API sees an authenticated identity.
	code, stdout, stderr = e.run(t, nil, nil, "call", "-identity-pool-id", e.idPool, "-use-stored", e.s.APIURL("loginapi", "")+"/whoami")
	require.Equal(t, 0, code, stderr)
	var who map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &who))
	identityCtx := who["requestContext"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, "authenticated", identityCtx["cognitoAuthenticationType"])
	assert.Equal(t, creds.IdentityID, identityCtx["cognitoIdentityId"], "the identity kept in the token directory")

	// signin -use-stored prints the stored tokens; once they are due, it
	// refreshes them through the hosted UI and saves them back.
	before := e.expire(t, e.public.ID)
	code, stdout, stderr = e.run(t, nil, nil, "signin", "-use-stored")
	require.Equal(t, 0, code, stderr)
	var tk tokensJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &tk))
	assert.NotEqual(t, before.AccessToken, tk.AccessToken, "refreshed")
	after, err := e.stored(t, e.public.ID)
	require.NoError(t, err)
	assert.Equal(t, tk.AccessToken, after.AccessToken, "saved back")
	assert.Equal(t, before.RefreshToken, after.RefreshToken)

	// logout revokes the refresh token and forgets the session.
	code, stdout, stderr = e.run(t, nil, nil, "logout", "-logout-uri", "http://localhost:9/bye")
	require.Equal(t, 0, code, stderr)
	var out logoutJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Equal(t, logoutJSON{Username: "alice", ClientID: e.public.ID, Revoked: true,
		LogoutURL: e.s.HostedUIURL() + "/logout?" + url.Values{"client_id": {e.public.ID}, "logout_uri": {"http://localhost:9/bye"}}.Encode()}, out)
	_, err = e.stored(t, e.public.ID)
	assert.ErrorIs(t, err, cognito.ErrNoStoredTokens)
	ui, err := cognito.NewHostedUI(e.s.HostedUIURL(), e.public.ID, e.publicCB)
	require.NoError(t, err)
	_, err = ui.Refresh(context.Background(), after.RefreshToken)
	assert.ErrorIs(t, err, cognito.ErrInvalidGrant, "the refresh token is revoked")

	code, _, stderr = e.run(t, nil, nil, "credentials", "-identity-pool-id", e.idPool, "-use-stored")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "no stored session in "+e.dir+": run cognitoctl login first")
	code, _, stderr = e.run(t, nil, nil, "logout")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "no stored session")
}

// TestLoginSeveralSessions: two app clients signed in; -client-id
// chooses; the confidential one needs its secret for every refresh.
func TestLoginSeveralSessions(t *testing.T) {
	e := newLoginEmulator(t)
	e.login(t, e.public, e.publicCB)
	e.login(t, e.secret, e.secretCB, "-token-dir", e.dir)

	code, _, stderr := e.run(t, nil, nil, "signin", "-use-stored")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "2 stored sessions: choose one with -client-id")

	for _, sel := range [][]string{{"-client-id", e.secret.ID}, {"-user-pool-id", e.secretPool}} {
		code, _, stderr = e.run(t, nil, nil, append([]string{"signin", "-use-stored"}, sel...)...)
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "the app client "+e.secret.ID+" has a secret: pass -client-secret")
	}
	code, _, stderr = e.run(t, nil, nil, "signin", "-use-stored", "-client-id", "nobody")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "no stored session matches; stored: ")

	before := e.expire(t, e.secret.ID)
	code, stdout, stderr := e.run(t, nil, map[string]string{envClientSecret: e.secret.Secret}, "credentials", "-identity-pool-id", e.idPool,
		"-use-stored", "-client-id", e.secret.ID)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "AccessKeyId")
	after, err := e.stored(t, e.secret.ID)
	require.NoError(t, err)
	assert.NotEqual(t, before.IDToken, after.IDToken, "refreshed with the client secret and saved")

	code, _, stderr = e.run(t, nil, map[string]string{envClientSecret: "wrong"}, "logout", "-client-id", e.secret.ID)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "the session is kept")
	assert.NotContains(t, stderr, "wrong")
	_, err = e.stored(t, e.secret.ID)
	require.NoError(t, err, "kept for another try")

	code, _, stderr = e.run(t, nil, map[string]string{envClientSecret: e.secret.Secret}, "logout", "-client-id", e.secret.ID)
	require.Equal(t, 0, code, stderr)
	// One session left: no choice to make.
	code, _, stderr = e.run(t, nil, nil, "signin", "-use-stored")
	assert.Equal(t, 0, code, stderr)
}

// TestUseStoredRefused: a stored session whose refresh token was revoked
// elsewhere tells the user to log in again.
func TestUseStoredRefused(t *testing.T) {
	e := newLoginEmulator(t)
	e.login(t, e.public, e.publicCB)
	tk := e.expire(t, e.public.ID)
	ui, err := cognito.NewHostedUI(e.s.HostedUIURL(), e.public.ID, e.publicCB)
	require.NoError(t, err)
	require.NoError(t, ui.Revoke(context.Background(), tk.RefreshToken))
	for _, args := range [][]string{{"signin", "-use-stored"}, {"credentials", "-identity-pool-id", e.idPool, "-use-stored"}} {
		code, stdout, stderr := e.run(t, nil, nil, args...)
		assert.Equal(t, 1, code, args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "the stored session of alice was refused (signed out, revoked or expired): run cognitoctl login again")
		assert.NotContains(t, stderr, tk.RefreshToken)
	}
	// logout still forgets it (revoking an invalid token succeeds, RFC 7009).
	code, _, stderr := e.run(t, nil, nil, "logout")
	require.Equal(t, 0, code, stderr)
	_, err = e.stored(t, e.public.ID)
	assert.ErrorIs(t, err, cognito.ErrNoStoredTokens)
}

func TestLoginRefusals(t *testing.T) {
	e := newLoginEmulator(t)
	cancels := func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		state := u.Query().Get("state")
		go func() {
			resp, err := http.Get(e.publicCB + "?error=access_denied&error_description=cancelled&state=" + url.QueryEscape(state))
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	noBrowser := func(string) error { return errors.New("no browser here") }
	base := []string{"login", "-domain", e.s.HostedUIURL(), "-client-id", e.public.ID, "-redirect-uri", e.publicCB}
	cases := []struct {
		name    string
		browser func(string) error
		args    []string
		code    int
		stderr  string
	}{
		{"missing flags", nil, []string{"login"}, 2, "missing required flags: -domain, -client-id, -redirect-uri"},
		{"not a loopback redirect URI", nil, []string{"login", "-domain", e.s.HostedUIURL(), "-client-id", e.public.ID,
			"-redirect-uri", "https://app.example/callback"}, 1, "must be http on a loopback host with a port"},
		{"plain http domain off loopback", nil, []string{"login", "-domain", "http://auth.example", "-client-id", "c",
			"-redirect-uri", e.publicCB}, 2, "hosted UI domain must be https"},
		{"the person cancels", cancels, base, 1, "access_denied"},
		{"wrong password, then nobody", e.signsIn(t, "Wrong-Horse-9!"), append(append([]string{}, base...), "-timeout", "2s"), 1,
			"no sign-in in the browser within 2s (-timeout)"},
		{"no browser: the URL is printed, nobody signs in", noBrowser, append(append([]string{}, base...), "-timeout", "200ms"), 1,
			"no sign-in in the browser within 200ms"},
		{"unexpected argument", nil, append(append([]string{}, base...), "extra"), 2, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := e.run(t, tc.browser, nil, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.stderr)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			assert.True(t, strings.HasPrefix(lines[len(lines)-1], "cognitoctl login: "), "one line saying what was wrong: %s", stderr)
		})
	}
	_, err := os.Stat(e.dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing stored")
}

func TestUseStoredFlagErrors(t *testing.T) {
	e := newLoginEmulator(t)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"signin", "-use-stored"}, 1, "no stored session in " + filepath.Clean(e.dir) + ": run cognitoctl login first"},
		{[]string{"signin", "-use-stored", "-username", "alice", "-password", "x"}, 2, "-use-stored runs from the stored session, without -password, -username"},
		{[]string{"signin", "-token-dir", e.dir, "-user-pool-id", e.pool, "-client-id", "c", "-username", "u", "-password", "p"}, 2, "-token-dir needs -use-stored"},
		{[]string{"credentials", "-identity-pool-id", e.idPool, "-use-stored", "-id-token", "x"}, 2, "-use-stored excludes -id-token, -username and -password"},
		{[]string{"credentials", "-identity-pool-id", e.idPool, "-token-dir", e.dir}, 2, "-token-dir needs -use-stored"},
		{[]string{"call", "-use-stored", "https://x.execute-api.us-east-1.amazonaws.com/"}, 2, "missing required flag: -identity-pool-id"},
		{[]string{"logout", "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := e.run(t, nil, nil, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

// TestLoginLogoutHelp: -h prints the usage with every flag and exits 0.
func TestLoginLogoutHelp(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"login":  {"-domain", "-client-id", "-redirect-uri", "-client-secret", "-scopes", "-identity-provider", "-token-dir", "-timeout"},
		"logout": {"-client-id", "-domain", "-client-secret", "-logout-uri", "-token-dir", "-timeout"},
		"signin": {"-use-stored", "-token-dir"},
	} {
		t.Run(cmd, func(t *testing.T) {
			var out bytes.Buffer
			env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &out, getenv: func(string) string { return "" }}
			require.Equal(t, 0, runCLI(context.Background(), env, []string{cmd, "-h"}))
			for _, f := range flags {
				assert.Regexp(t, `(?m)^  `+f+`\b`, out.String())
			}
		})
	}
}
