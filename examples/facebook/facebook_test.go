package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
)

func noEnv(string) string { return "" }

func TestDefaultRunAgainstEmulator(t *testing.T) {
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), nil, noEnv, &out, &errOut)
	require.Equal(t, 0, code, "%s\n%s", out.String(), errOut.String())
	s := out.String()
	assert.Contains(t, s, "with a token from its fake Facebook")
	assert.Regexp(t, `identity us-east-1:[0-9a-f-]{36}: temporary credentials until `, s)
	assert.Contains(t, s, "/apis/facebookdemo/prod/test → 200 OK")
	assert.Contains(t, s, `"message":"hello world"`)
	assert.Contains(t, s, `"cognitoAuthenticationProvider":"graph.facebook.com"`)
	assert.Empty(t, errOut.String())
}

func TestCall(t *testing.T) {
	srv, cfg, err := startEmulator()
	require.NoError(t, err)
	t.Cleanup(srv.Close)

	t.Run("forged token", func(t *testing.T) {
		c := cfg
		c.FacebookToken = "EAAB-not-a-token"
		var out bytes.Buffer
		_, err := Call(context.Background(), c, &out)
		require.Error(t, err)
		assert.True(t, errors.Is(err, identity.ErrNotAuthorized), "%v", err)
		assert.NotContains(t, err.Error(), "EAAB-not-a-token")
	})
	t.Run("token of another Facebook app", func(t *testing.T) {
		c := cfg
		c.FacebookToken = srv.MustFacebookToken("999", cognitotest.FacebookUser{ID: "10001"})
		_, err := Call(context.Background(), c, &bytes.Buffer{})
		assert.True(t, errors.Is(err, identity.ErrNotAuthorized), "%v", err)
	})
	t.Run("route the role may not invoke", func(t *testing.T) {
		require.NoError(t, srv.PutAPI(cognitotest.API{ID: "otherapi", Routes: []cognitotest.Route{
			{Method: "POST", Path: "/test", Authorization: cognitotest.AuthIAM},
		}}))
		c := cfg
		c.URL = srv.APIURL("otherapi", "") + "/test"
		var out bytes.Buffer
		status, err := Call(context.Background(), c, &out)
		require.NoError(t, err)
		assert.Equal(t, 403, status)
		assert.Contains(t, out.String(), "is not authorized to perform: execute-api:Invoke")
	})
	t.Run("flags against an endpoint", func(t *testing.T) {
		env := map[string]string{"AWS_ENDPOINT_URL": srv.URL, "FACEBOOK_TOKEN": cfg.FacebookToken}
		var out, errOut bytes.Buffer
		code := realMain(context.Background(), []string{"-identity-pool-id", cfg.IdentityPoolID,
			"-api-url", strings.TrimSuffix(cfg.URL, "/test") + "/", "-method", "post"},
			func(k string) string { return env[k] }, &out, &errOut)
		require.Equal(t, 0, code, "%s\n%s", out.String(), errOut.String())
		assert.Contains(t, out.String(), "POST "+cfg.URL+" → 200 OK")

		out.Reset()
		errOut.Reset()
		code = realMain(context.Background(), []string{"-identity-pool-id", cfg.IdentityPoolID,
			"-api-url", strings.TrimSuffix(cfg.URL, "/test"), "-path", "/nope"},
			func(k string) string { return env[k] }, &out, &errOut)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut.String(), "facebook: the API answered 40")
	})
	t.Run("missing flags", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := realMain(context.Background(), []string{"-identity-pool-id", "us-east-1:x"}, noEnv, &out, &errOut)
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut.String(), "against AWS these are needed: -facebook-token (or FACEBOOK_TOKEN), -api-url")
		assert.Equal(t, 2, realMain(context.Background(), []string{"-nope"}, noEnv, &out, &errOut))
	})
}
