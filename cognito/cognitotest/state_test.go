package cognitotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	// Close only releases the database's lock: every answered request is
	// already on disk (TestKillStormServer kills a server instead).
	defer s1.Close()
	c1 := idp(s1)
	pool := s1.MustCreateUserPool(PoolOptions{})
	cl := s1.MustCreateUserPoolClient(pool, ClientOptions{GenerateSecret: true})
	f1 := &fixture{s: s1, c: c1, pool: pool, client: cl}
	_, err := c1.SignUp(ctx(), &cip.SignUpInput{ClientId: &cl.ID, SecretHash: secretHash(cl, "bob"), Username: aws.String("bob"),
		Password: aws.String(testPassword), UserAttributes: []types.AttributeType{attr("email", "bob@example.com")}})
	require.NoError(t, err)
	code, _ := s1.LastCode(pool, "bob")
	_, err = c1.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: &cl.ID, SecretHash: secretHash(cl, "bob"), Username: aws.String("bob"), ConfirmationCode: &code})
	require.NoError(t, err)
	out, err := srpSignIn(t, f1, "bob", testPassword)
	require.NoError(t, err)
	tok := out.AuthenticationResult
	revoked, err := srpSignIn(t, f1, "bob", testPassword)
	require.NoError(t, err)
	_, err = c1.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: &cl.ID, ClientSecret: &cl.Secret, Token: revoked.AuthenticationResult.RefreshToken})
	require.NoError(t, err)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	raw, _ := os.ReadFile(path)
	assert.NotContains(t, string(raw), testPassword, "passwords are never stored")
	assert.NotContains(t, string(raw), *tok.RefreshToken, "refresh tokens are stored hashed")

	s1.Close()
	s2 := NewServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	f2 := &fixture{s: s2, c: idp(s2), pool: pool, client: cl}
	// The user, its password, the refresh token and the signing key survive.
	r, err := f2.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &cl.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken, "SECRET_HASH": *secretHash(cl, "bob")}})
	require.NoError(t, err)
	_, err = f2.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: r.AuthenticationResult.AccessToken})
	require.NoError(t, err)
	_, err = f2.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	require.NoError(t, err, "a token from before the restart still verifies")
	_, err = srpSignIn(t, f2, "bob", testPassword)
	require.NoError(t, err)
	_, err = f2.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &cl.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *revoked.AuthenticationResult.RefreshToken, "SECRET_HASH": *secretHash(cl, "bob")}})
	requireCode(t, err, "NotAuthorizedException")
	assert.Len(t, s2.Messages(pool), 1)

	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1)
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content, want string }{
		{"garbage", "{not json", "bad state document"},
		{"wrong version", `{"version": 99}`, "version 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".json")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o600))
			_, err := NewHandlerServer(func(o *Options) { o.StatePath = p })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Panics(t, func() { NewUnstartedServer(func(o *Options) { o.StatePath = p }) })
		})
	}
	// A missing file is an empty state.
	s, err := NewHandlerServer(func(o *Options) { o.StatePath = filepath.Join(dir, "new.json") })
	require.NoError(t, err)
	require.NotNil(t, s)
}

func TestSeed(t *testing.T) {
	cfg, err := ParseSeedConfig(strings.NewReader(`{"userPools": [{
	  "id": "us-east-1_Example01", "name": "demo", "aliasAttributes": ["email"],
	  "clients": [{"id": "democlient0000000000000001", "name": "web"},
	              {"id": "democlient0000000000000002", "name": "server", "secret": "s3cr3t", "explicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]}],
	  "groups":  [{"name": "admins", "precedence": 1}],
	  "users":   [{"username": "alice", "password": "Passw0rd!", "attributes": {"email": "alice@example.com"}, "groups": ["admins"]}]
	}]}`))
	require.NoError(t, err)
	s := newServer(t)
	require.NoError(t, s.Seed(cfg))
	require.NoError(t, s.Seed(cfg), "seeding twice is a no-op")
	f := &fixture{s: s, c: idp(s), pool: "us-east-1_Example01", client: AppClient{ID: "democlient0000000000000001"}}
	out, err := srpSignIn(t, f, "alice@example.com", testPassword)
	require.NoError(t, err)
	assert.Equal(t, []any{"admins"}, decodeClaims(t, *out.AuthenticationResult.AccessToken)["cognito:groups"])
	f.client = AppClient{ID: "democlient0000000000000002", Secret: "s3cr3t"}
	_, err = adminSignIn(f, "alice", testPassword)
	require.NoError(t, err)

	bad := []string{
		`{"userPools": [{"name": "no id"}]}`,
		`{"userPools": [{"id": "not-a-pool-id"}]}`,
		`{"userPools": [{"id": "us-east-1_X", "clients": [{"name": "no id"}]}]}`,
		`{"userPools": [{"id": "us-east-1_Y", "users": [{"username": "u", "password": "weak"}]}]}`,
		`{"userPools": [{"id": "us-east-1_Z", "users": [{"username": "u", "password": "Passw0rd!", "groups": ["nope"]}]}]}`,
	}
	for _, b := range bad {
		cfg, err := ParseSeedConfig(strings.NewReader(b))
		require.NoError(t, err)
		assert.Error(t, newServer(t).Seed(cfg), b)
	}
	_, err = ParseSeedConfig(strings.NewReader(`{"userPools": [{"id": "us-east-1_X", "unknownField": 1}]}`))
	assert.Error(t, err)
}
