package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

var (
	verifyKeyOnce sync.Once
	verifyKey     *rsa.PrivateKey
)

// verifyFixture serves a JWKS like an emulator at <URL>/<pool>/.well-known/jwks.json
// and mints tokens with its key.
type verifyFixture struct {
	srv    *httptest.Server
	pool   string
	issuer string
}

func newVerifyFixture(t *testing.T) *verifyFixture {
	verifyKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		verifyKey = k
	})
	f := &verifyFixture{pool: "us-east-1_VerifyCLI"}
	enc := base64.RawURLEncoding.EncodeToString
	doc, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "cli", "alg": "RS256", "use": "sig",
		"n": enc(verifyKey.N.Bytes()), "e": enc(big.NewInt(int64(verifyKey.E)).Bytes()),
	}}})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+f.pool+"/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(doc)
	}))
	t.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/" + f.pool
	return f
}

func (f *verifyFixture) mint(claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]any{"kid": "cli", "alg": "RS256"})
	p, _ := json.Marshal(claims)
	in := enc(h) + "." + enc(p)
	d := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, verifyKey, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	return in + "." + enc(sig)
}

func (f *verifyFixture) access(extra ...any) map[string]any {
	m := map[string]any{
		"iss": f.issuer, "sub": "sub-1", "token_use": "access", "client_id": "app1",
		"username": "alice", "scope": "openid profile", "cognito:groups": []string{"admins"},
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	}
	for i := 0; i < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func runVerifyCLI(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{
		stdin:  strings.NewReader(stdin),
		stdout: &out, stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	}
	code := runCLI(context.Background(), env, append([]string{"verify"}, args...))
	return code, out.String(), errb.String()
}

func TestVerifyCLI(t *testing.T) {
	f := newVerifyFixture(t)
	valid := f.mint(f.access())
	base := []string{"-user-pool-id", f.pool, "-issuer", f.issuer, "-client-id", "other,app1"}
	cases := []struct {
		name     string
		vars     map[string]string
		stdin    string
		args     []string
		code     int
		stderrIn string
	}{
		{"valid token argument", nil, "", append(base, valid), 0, ""},
		{"valid token on stdin", nil, valid + "\n", append(base, "-"), 0, ""},
		{"emulator endpoint from AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": f.srv.URL}, "", []string{"-user-pool-id", f.pool, "-client-id", "app1", valid}, 0, ""},
		{"access only", nil, "", append(base, "-token-use", "access", valid), 0, ""},
		{"group present", nil, "", append(base, "-groups", "ops,admins", valid), 0, ""},
		{"scopes present", nil, "", append(base, "-scopes", "openid,profile", valid), 0, ""},
		{"no client ID warns", nil, "", []string{"-user-pool-id", f.pool, "-issuer", f.issuer, valid}, 0, "warning: no -client-id"},
		{"expired", nil, "", append(base, f.mint(f.access("exp", time.Now().Add(-time.Hour).Unix()))), 1, "token expired"},
		{"wrong client", nil, "", []string{"-user-pool-id", f.pool, "-issuer", f.issuer, "-client-id", "nope", valid}, 1, "client ID not allowed"},
		{"wrong token use", nil, "", append(base, "-token-use", "id", valid), 1, "wrong token use"},
		{"group missing", nil, "", append(base, "-groups", "ops", valid), 1, "required group missing"},
		{"scope missing", nil, "", append(base, "-scopes", "email", valid), 1, "required scope missing"},
		{"derived AWS issuer refuses the emulator's", nil, "", []string{"-user-pool-id", f.pool, "-client-id", "app1", valid}, 1, "issuer not accepted"},
		{"garbage", nil, "", append(base, "garbage"), 1, "malformed token"},
		{"no pool", nil, "", []string{valid}, 2, "missing required flag: -user-pool-id"},
		{"bad pool", nil, "", []string{"-user-pool-id", "nope", "-client-id", "a", valid}, 2, "not of the form"},
		{"bad token use", nil, "", append(base, "-token-use", "refresh", valid), 2, "-token-use"},
		{"empty stdin", nil, "", append(base, "-"), 2, "no token on stdin"},
		{"two tokens", nil, "", append(base, valid, valid), 2, "at most one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runVerifyCLI(t, tc.vars, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			if tc.stderrIn != "" {
				assert.Contains(t, stderr, tc.stderrIn)
			}
			assert.NotContains(t, stderr, valid)
			if tc.code != 0 {
				assert.Empty(t, stdout)
				if tc.code == 1 {
					assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line on stderr: %q", stderr)
				}
				return
			}
			var claims map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &claims), stdout)
			assert.Equal(t, "alice", claims["username"])
			assert.Equal(t, f.issuer, claims["iss"])
		})
	}
}

// TestVerifyCLIMoto verifies a token minted by moto with only the pool ID,
// the client ID and AWS_ENDPOINT_URL: moto's tokens carry AWS's issuer form
// and its keys are served at <endpoint>/<pool>/.well-known/jwks.json.
func TestVerifyCLIMoto(t *testing.T) {
	endpoint := interop.Moto(t)
	ctx := context.Background()
	client := cip.New(cip.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", ""),
	})
	pool, err := client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("verify-cli")})
	require.NoError(t, err)
	poolID := aws.ToString(pool.UserPool.Id)
	app, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("cli"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth},
	})
	require.NoError(t, err)
	clientID := aws.ToString(app.UserPoolClient.ClientId)
	_, err = client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String("bob"), MessageAction: ciptypes.MessageActionTypeSuppress,
	})
	require.NoError(t, err)
	_, err = client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String("bob"), Password: aws.String("Secret-Passw0rd"), Permanent: true,
	})
	require.NoError(t, err)
	auth, err := client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Secret-Passw0rd"},
	})
	require.NoError(t, err)
	access := aws.ToString(auth.AuthenticationResult.AccessToken)
	vars := map[string]string{"AWS_ENDPOINT_URL": endpoint}

	code, stdout, stderr := runVerifyCLI(t, vars, "", "-user-pool-id", poolID, "-client-id", clientID, "-token-use", "access", access)
	require.Equal(t, 0, code, stderr)
	var claims map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &claims))
	assert.Equal(t, "bob", claims["username"])
	assert.Equal(t, "https://cognito-idp.us-east-1.amazonaws.com/"+poolID, claims["iss"])

	code, _, stderr = runVerifyCLI(t, vars, "", "-user-pool-id", poolID, "-client-id", clientID, "-token-use", "id", access)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "wrong token use")
}
