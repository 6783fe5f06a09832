package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// runCredentialsCLI runs cognitoctl in-process with the given environment
// and stdin, and returns the exit code, stdout and stderr.
func runCredentialsCLI(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	}
	code := runCLI(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// motoIdentityPool starts moto and creates an identity pool that allows
// guests and trusts Facebook.
func motoIdentityPool(t *testing.T) (url, poolID string) {
	t.Helper()
	url = interop.Moto(t)
	client := cognitoidentity.New(cognitoidentity.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", ""),
	})
	out, err := client.CreateIdentityPool(context.Background(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("cognitoctl_credentials"),
		AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders:        map[string]string{"graph.facebook.com": "1234567890"},
	})
	require.NoError(t, err)
	return url, aws.ToString(out.IdentityPoolId)
}

func TestCredentialsMoto(t *testing.T) {
	url, poolID := motoIdentityPool(t)
	vars := map[string]string{"AWS_ENDPOINT_URL": url}
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("fb-token-from-file\n"), 0o600))

	t.Run("guest, json", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "", "credentials", "-identity-pool-id", poolID)
		require.Equal(t, 0, code, stderr)
		var got map[string]string
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, got["IdentityId"])
		assert.NotEmpty(t, got["AccessKeyId"])
		assert.NotEmpty(t, got["SecretAccessKey"])
		assert.NotEmpty(t, got["SessionToken"])
		exp, err := time.Parse(time.RFC3339, got["Expiration"])
		require.NoError(t, err)
		assert.True(t, exp.After(time.Now()))
		assert.Empty(t, stderr)
	})
	t.Run("facebook login, process", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "", "credentials", "-identity-pool-id", poolID,
			"-login", "graph.facebook.com=fb-token", "-format", "process")
		require.Equal(t, 0, code, stderr)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		assert.Equal(t, float64(1), got["Version"])
		for _, k := range []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"} {
			assert.NotEmpty(t, got[k], k)
		}
		assert.NotContains(t, got, "IdentityId")
		_, err := time.Parse(time.RFC3339, got["Expiration"].(string))
		require.NoError(t, err)
	})
	t.Run("user pool token from stdin, env", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "eyJ.id.token\n", "credentials", "-identity-pool-id", poolID,
			"-user-pool-id", "us-east-1_AbCdEf123", "-id-token", "@-", "-format", "env")
		require.Equal(t, 0, code, stderr)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.Len(t, lines, 3)
		assert.True(t, strings.HasPrefix(lines[0], "export AWS_ACCESS_KEY_ID='"))
		assert.True(t, strings.HasPrefix(lines[1], "export AWS_SECRET_ACCESS_KEY='"))
		assert.True(t, strings.HasPrefix(lines[2], "export AWS_SESSION_TOKEN='"))
	})
	t.Run("token from a file, basic flow", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "", "credentials", "-identity-pool-id", poolID,
			"-login", "graph.facebook.com=@"+tokenFile, "-role-arn", "arn:aws:iam::123456789012:role/Cognito_Auth", "-duration", "15m")
		require.Equal(t, 0, code, stderr)
		var got map[string]string
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		assert.NotEmpty(t, got["AccessKeyId"])
	})
	t.Run("service-specific endpoint", func(t *testing.T) {
		v := map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_COGNITO_IDENTITY": url}
		code, _, stderr := runCredentialsCLI(t, v, "", "credentials", "-identity-pool-id", poolID)
		require.Equal(t, 0, code, stderr)
	})
}

// TestCredentialsSignInMoto signs in with the cognito package
// (USER_PASSWORD_AUTH; moto's SRP is fake) and trades the session's ID token.
func TestCredentialsSignInMoto(t *testing.T) {
	url, poolID := motoIdentityPool(t)
	ctx := context.Background()
	idp := cip.New(cip.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", ""),
	})
	up, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("credentials")})
	require.NoError(t, err)
	userPoolID := aws.ToString(up.UserPool.Id)
	cl, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(userPoolID), ClientName: aws.String("cli"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	require.NoError(t, err)
	clientID := aws.ToString(cl.UserPoolClient.ClientId)
	_, err = idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(userPoolID), Username: aws.String("alice"),
		MessageAction: ciptypes.MessageActionTypeSuppress})
	require.NoError(t, err)
	_, err = idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(userPoolID), Username: aws.String("alice"),
		Password: aws.String("Corr3ct-Horse!"), Permanent: true})
	require.NoError(t, err)
	vars := map[string]string{"AWS_ENDPOINT_URL": url}
	signIn := []string{"credentials", "-identity-pool-id", poolID, "-user-pool-id", userPoolID, "-client-id", clientID,
		"-username", "alice", "-flow", "password", "-format", "process"}

	t.Run("signed in", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "Corr3ct-Horse!\n", append(signIn, "-password", "@-")...)
		require.Equal(t, 0, code, stderr)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		assert.Equal(t, float64(1), got["Version"])
		assert.NotEmpty(t, got["AccessKeyId"])
	})
	t.Run("wrong password", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, vars, "", append(signIn, "-password", "wrong-password")...)
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "NotAuthorized")
		assert.NotContains(t, stderr, "wrong-password")
	})
}

func TestCredentialsUsage(t *testing.T) {
	const secret = "SECRET-LOGIN-TOKEN"
	pool := "us-east-1:11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no pool", []string{}, "missing required flag: -identity-pool-id"},
		{"bad format", []string{"-identity-pool-id", pool, "-format", "yaml"}, "-format must be json, env or process"},
		{"login without =", []string{"-identity-pool-id", pool, "-login", secret}, "-login #1: want KEY=TOKEN"},
		{"login without token", []string{"-identity-pool-id", pool, "-login", "graph.facebook.com="}, "-login #1"},
		{"login twice", []string{"-identity-pool-id", pool, "-login", "k=" + secret, "-login", "k=" + secret}, "-login k: given twice"},
		{"id token without pool", []string{"-identity-pool-id", pool, "-id-token", secret}, "-user-pool-id needs -id-token (or $COGNITO_ID_TOKEN) or the sign-in flags"},
		{"pool without token", []string{"-identity-pool-id", pool, "-user-pool-id", "us-east-1_A"}, "-user-pool-id needs -id-token (or $COGNITO_ID_TOKEN) or the sign-in flags"},
		{"sign-in and token", []string{"-identity-pool-id", pool, "-user-pool-id", "us-east-1_A", "-id-token", secret, "-username", "u"}, "exclude each other"},
		{"sign-in incomplete", []string{"-identity-pool-id", pool, "-user-pool-id", "us-east-1_A", "-username", "u", "-password", secret}, "signing in needs"},
		{"bad flow", []string{"-identity-pool-id", pool, "-flow", "magic"}, "-flow must be srp, password or admin"},
		{"duration without role", []string{"-identity-pool-id", pool, "-duration", "1h"}, "need -role-arn"},
		{"both roles", []string{"-identity-pool-id", pool, "-role-arn", "a", "-custom-role-arn", "b"}, "-custom-role-arn is for the enhanced flow"},
		{"missing file", []string{"-identity-pool-id", pool, "-login", "k=@/nonexistent/" + secret}, "-login k:"},
		{"empty stdin", []string{"-identity-pool-id", pool, "-login", "k=@-"}, "-login k: stdin: empty"},
		{"extra argument", []string{"-identity-pool-id", pool, "extra"}, `unexpected argument "extra"`},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCredentialsCLI(t, nil, "", append([]string{"credentials"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			if !strings.Contains(tt.name, "missing file") {
				assert.NotContains(t, stderr, secret)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stdout, stderr := runCredentialsCLI(t, nil, "", "credentials", "-h")
		assert.Equal(t, 0, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "credential_process")
	})
}

// TestCredentialsRefused: an identity pool refusing the login exits 1 with
// one line naming AWS's error, never the token.
func TestCredentialsRefused(t *testing.T) {
	const secret = "EXPIRED-FACEBOOK-TOKEN"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", "NotAuthorizedException")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"NotAuthorizedException","message":"Invalid login token. Token is expired."}`))
	}))
	defer srv.Close()
	code, stdout, stderr := runCredentialsCLI(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, "",
		"credentials", "-identity-pool-id", "us-east-1:11111111-2222-3333-4444-555555555555", "-login", "graph.facebook.com="+secret)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, "cognitoctl credentials: identity: GetId: NotAuthorizedException: Invalid login token. Token is expired.")
	assert.NotContains(t, stderr, secret)
}

// FuzzParseLogins: -login values never panic the parser and an error never
// repeats a token.
func FuzzParseLogins(f *testing.F) {
	for _, s := range []string{"graph.facebook.com=tok", "=tok", "k=", "k", "", "a=b=c", "k=@-", "k=@/tmp/x", "cognito-idp.us-east-1.amazonaws.com/us-east-1_A=eyJ"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		m, err := parseLogins([]string{a, b})
		if err == nil {
			for k, v := range m {
				if k == "" || v == "" {
					t.Fatalf("accepted an empty key or token: %q", []string{a, b})
				}
			}
			return
		}
		for _, s := range []string{a, b} {
			k, v, ok := strings.Cut(s, "=")
			if !ok || len(v) < 4 || strings.Contains(k, v) || strings.Contains("-login #1: want KEY=TOKEN, KEY=@FILE or KEY=@- (stdin) given twice", v) {
				continue
			}
			if strings.Contains(err.Error(), v) {
				t.Fatalf("error %q repeats token %q", err, v)
			}
		}
	})
}
