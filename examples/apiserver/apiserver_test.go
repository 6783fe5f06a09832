package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func signIn(t *testing.T, e *Emulator, user string) *cognito.Tokens {
	t.Helper()
	c := cognito.New(e.Server.Config(), e.PoolID, e.ClientID)
	res, err := c.SignIn(context.Background(), user, e.Password)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	return res.Tokens
}

func TestRoutes(t *testing.T) {
	e, err := StartEmulator("admins")
	require.NoError(t, err)
	t.Cleanup(e.Close)
	v, err := e.Verifier()
	require.NoError(t, err)
	api := httptest.NewServer(NewHandler(v, "admins"))
	t.Cleanup(api.Close)

	alice, bob := signIn(t, e, "alice"), signIn(t, e, "bob")
	// A token of another app client of the same pool is refused.
	other := e.Server.MustCreateUserPoolClient(e.PoolID, cognitotest.ClientOptions{Name: "other"})
	res, err := cognito.New(e.Server.Config(), e.PoolID, other.ID).SignIn(context.Background(), "alice", e.Password)
	require.NoError(t, err)
	otherClient := res.Tokens.AccessToken

	for _, c := range []struct {
		name, path, auth string
		status           int
		want             string
	}{
		{"public, no token", "/public", "", 200, "hello, anyone"},
		{"private, no token", "/private", "", 401, ""},
		{"private, garbage", "/private", "Bearer garbage", 401, ""},
		{"private, ID token instead of access token", "/private", "Bearer " + alice.IDToken, 401, ""},
		{"private, other app client", "/private", "Bearer " + otherClient, 401, ""},
		{"private, access token", "/private", "Bearer " + alice.AccessToken, 200, "hello, alice"},
		{"private, bob", "/private", "Bearer " + bob.AccessToken, 200, "hello, bob"},
		{"admin, no token", "/admin", "", 401, ""},
		{"admin, bob not in group", "/admin", "Bearer " + bob.AccessToken, 403, ""},
		{"admin, alice in group", "/admin", "Bearer " + alice.AccessToken, 200, "hello, alice"},
		{"unknown route", "/nope", "Bearer " + alice.AccessToken, 404, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", api.URL+c.path, nil)
			require.NoError(t, err)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, c.status, resp.StatusCode, "%s", body)
			assert.NotContains(t, string(body), "eyJ", "no token echoed")
			if c.status == 401 {
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
			}
			if c.want != "" {
				var m map[string]any
				require.NoError(t, json.Unmarshal(body, &m))
				assert.Equal(t, c.want, m["message"])
			}
		})
	}

	// Verification is local: after GlobalSignOut the token still passes
	// until it expires (the README's security notes say so).
	require.NoError(t, cognito.New(e.Server.Config(), e.PoolID, e.ClientID).GlobalSignOut(context.Background(), bob.AccessToken))
	req, _ := http.NewRequest("GET", api.URL+"/private", nil)
	req.Header.Set("Authorization", "Bearer "+bob.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestMainPrintsInstructions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // print, then shut down at once
	var out, errOut bytes.Buffer
	code := realMain(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	s := out.String()
	assert.Contains(t, s, "apiserver: listening on http://127.0.0.1:")
	assert.Contains(t, s, "export AWS_ENDPOINT_URL=http://127.0.0.1:")
	assert.Contains(t, s, "go run ./examples/cognitoctl signin -user-pool-id us-east-1_")
	assert.Contains(t, s, "/admin         # 403: bob is not")
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"pool without client", []string{"-user-pool-id", "us-east-1_AbCdEf123"}, nil, 2, "-user-pool-id needs -client-id"},
		{"client without pool", []string{"-client-id", "abc"}, nil, 2, "-client-id needs -user-pool-id"},
		{"bad pool id", []string{"-user-pool-id", "nonsense", "-client-id", "abc", "-addr", "127.0.0.1:0"}, nil, 2, "apiserver: "},
		{"extra argument", []string{"extra"}, nil, 2, "unexpected argument"},
		{"bad address", []string{"-addr", "256.0.0.1:99999"}, nil, 1, "apiserver: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := realMain(context.Background(), c.args, func(k string) string { return c.env[k] }, &out, &errOut)
			assert.Equal(t, c.code, code)
			assert.Contains(t, errOut.String(), c.want)
		})
	}

	// A real pool from the environment: the verifier is built and the
	// server starts (it would fetch keys from Cognito on the first token).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	env := map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbCdEf123", "COGNITO_CLIENT_ID": "a,b"}
	code := realMain(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.True(t, strings.Contains(out.String(), "Tokens of user pool eu-west-1_AbCdEf123 (app clients a,b) are accepted"), out.String())
}
