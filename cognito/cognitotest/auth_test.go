package cognitotest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

func TestSRPSignIn(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true})
	out, err := srpSignIn(t, f, "alice", testPassword)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	assert.Equal(t, int32(3600), out.AuthenticationResult.ExpiresIn)
	assert.Equal(t, "Bearer", *out.AuthenticationResult.TokenType)
	assert.NotEmpty(t, *out.AuthenticationResult.RefreshToken)

	t.Run("wrong password", func(t *testing.T) {
		_, err := srpSignIn(t, f, "alice", "Wrong0Passw!")
		requireCode(t, err, "NotAuthorizedException")
		assert.Equal(t, "Incorrect username or password.", message(err))
	})
	t.Run("unknown user", func(t *testing.T) {
		_, _, err := srpStart(t, f, "nobody", nil)
		requireCode(t, err, "UserNotFoundException")
	})
	t.Run("stale timestamp", func(t *testing.T) {
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now().Add(-10*time.Minute), nil)
		requireCode(t, err, "NotAuthorizedException")
	})
	t.Run("secret block from another session", func(t *testing.T) {
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		_, ch2, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		ch.ChallengeParameters["SECRET_BLOCK"] = ch2.ChallengeParameters["SECRET_BLOCK"]
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
	})
	t.Run("session reuse", func(t *testing.T) {
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		require.NoError(t, err)
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
	})
	t.Run("session expiry", func(t *testing.T) {
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		f.s.Advance(4 * time.Minute)
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
		assert.Contains(t, message(err), "session is expired")
	})
	t.Run("no session: found by secret block", func(t *testing.T) {
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		ch.Session = nil
		out, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		require.NoError(t, err)
		require.NotNil(t, out.AuthenticationResult)
	})
	t.Run("bad SRP_A", func(t *testing.T) {
		for _, a := range []string{"0", "zz", srp.PadHex(srp.N())} {
			_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &f.client.ID,
				AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": a, "SECRET_HASH": *secretHash(f.client, "alice")}})
			requireCode(t, err, "InvalidParameterException")
		}
	})
}

func TestSecretHashAndFlows(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	tests := []struct {
		name   string
		flow   types.AuthFlowType
		params map[string]string
		want   string
	}{
		{"password flow disabled", types.AuthFlowTypeUserPasswordAuth, map[string]string{"USERNAME": "alice", "PASSWORD": testPassword,
			"SECRET_HASH": *secretHash(f.client, "alice")}, "InvalidParameterException"},
		{"missing secret hash", types.AuthFlowTypeUserSrpAuth, map[string]string{"USERNAME": "alice", "SRP_A": "abc123"}, "NotAuthorizedException"},
		{"wrong secret hash", types.AuthFlowTypeUserSrpAuth, map[string]string{"USERNAME": "alice", "SRP_A": "abc123",
			"SECRET_HASH": srp.SecretHash("alice", f.client.ID, "wrong")}, "NotAuthorizedException"},
		{"hash of other user", types.AuthFlowTypeUserSrpAuth, map[string]string{"USERNAME": "alice", "SRP_A": "abc123",
			"SECRET_HASH": *secretHash(f.client, "bob")}, "NotAuthorizedException"},
		{"admin flow on public API", types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "alice"}, "InvalidParameterException"},
		{"unknown flow", types.AuthFlowType("MAGIC"), map[string]string{"USERNAME": "alice"}, "InvalidParameterException"},
		{"no username", types.AuthFlowTypeUserSrpAuth, map[string]string{"SRP_A": "abc"}, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: tc.flow, ClientId: &f.client.ID, AuthParameters: tc.params})
			requireCode(t, err, tc.want)
		})
	}
	_, err := adminSignIn(f, "alice", testPassword)
	requireCode(t, err, "InvalidParameterException")
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String("nosuch"), AuthParameters: map[string]string{"USERNAME": "a"}})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestPasswordFlowsAndLockout(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	_, err := passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	_, err = adminSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	_, err = f.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminNoSrpAuth, ClientId: &f.client.ID, UserPoolId: &f.pool,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.NoError(t, err)
	_, err = f.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: &f.client.ID, UserPoolId: aws.String("us-east-1_nope"),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	requireCode(t, err, "ResourceNotFoundException")

	for i := 0; i < lockoutThreshold; i++ {
		_, err = passwordSignIn(f, "alice", "Wrong0Passw!")
		requireCode(t, err, "NotAuthorizedException")
		assert.Equal(t, "Incorrect username or password.", message(err))
	}
	// Locked now, even with the right password.
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "Password attempts exceeded", message(err))
	_, err = srpSignIn(t, f, "alice", testPassword)
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "Password attempts exceeded", message(err))
	f.s.Advance(2 * time.Second)
	_, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
}

func TestPreventUserExistenceErrors(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{PreventUserExistenceErrors: true})
	_, err := passwordSignIn(f, "nobody", testPassword)
	requireCode(t, err, "NotAuthorizedException")
	sc, ch, err := srpStart(t, f, "nobody", nil)
	require.NoError(t, err, "a plausible challenge for an unknown user")
	_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
	requireCode(t, err, "NotAuthorizedException")
}

func TestTokens(t *testing.T) {
	base := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	f := setup(t, PoolOptions{}, ClientOptions{AccessTokenValidity: 10 * time.Minute, IDTokenValidity: 20 * time.Minute},
		func(o *Options) { o.Clock = func() time.Time { return base } })
	pool2 := f.s.MustCreateUserPool(PoolOptions{})
	cl2 := f.s.MustCreateUserPoolClient(pool2, ClientOptions{})
	f.s.MustCreateUser(pool2, "alice", testPassword, nil)
	f2 := &fixture{s: f.s, c: f.c, pool: pool2, client: cl2}
	tok := mustTokens(t, f, "alice")
	tok2 := mustTokens(t, f2, "alice")
	assert.Equal(t, int32(600), tok.ExpiresIn)

	set := fetchJWKS(t, f.s.JWKSURL(f.pool))
	set2 := fetchJWKS(t, f.s.JWKSURL(pool2))
	require.Len(t, set, 2, "one key for ID tokens, one for access tokens")
	require.Len(t, set2, 2)
	for kid := range set {
		assert.NotContains(t, set2, kid, "every pool has its own key")
	}
	now := f.s.Now()
	require.NoError(t, verifyRS256(set, *tok.AccessToken))
	require.NoError(t, verifyRS256(set, *tok.IdToken))
	assert.Error(t, verifyRS256(set, *tok2.AccessToken), "pool 2's token does not verify with pool 1's keys")
	require.NoError(t, verifyRS256(set2, *tok2.AccessToken))

	ac, ic := decodeClaims(t, *tok.AccessToken), decodeClaims(t, *tok.IdToken)
	for _, c := range []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "username"} {
		assert.Contains(t, ac, c)
	}
	for _, c := range []string{"sub", "iss", "aud", "origin_jti", "event_id", "token_use", "auth_time", "exp", "iat", "jti", "cognito:username", "email", "email_verified"} {
		assert.Contains(t, ic, c)
	}
	assert.Equal(t, "access", ac["token_use"])
	assert.Equal(t, "id", ic["token_use"])
	assert.Equal(t, true, ic["email_verified"])
	assert.Equal(t, "aws.cognito.signin.user.admin", ac["scope"])
	assert.Equal(t, ac["origin_jti"], ic["origin_jti"])
	assert.Equal(t, ac["event_id"], ic["event_id"])
	assert.NotEqual(t, ac["jti"], ic["jti"])
	assert.Equal(t, float64(now.Add(10*time.Minute).Unix()), ac["exp"])
	assert.Equal(t, float64(now.Add(20*time.Minute).Unix()), ic["exp"])
	assert.Equal(t, f.s.Issuer(f.pool), ac["iss"])
	assert.Equal(t, f.client.ID, ic["aud"])
	assert.Equal(t, f.client.ID, ac["client_id"])

	// OpenID discovery.
	resp, err := http.Get(f.s.Issuer(f.pool) + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var disc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&disc))
	resp.Body.Close()
	assert.Equal(t, f.s.Issuer(f.pool), disc["issuer"])
	assert.Equal(t, f.s.JWKSURL(f.pool), disc["jwks_uri"])
	for _, path := range []string{"/us-east-1_nope/.well-known/jwks.json", "/us-east-1_nope/.well-known/openid-configuration"} {
		resp, err := http.Get(f.s.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 404, resp.StatusCode)
	}

	// Expiry on the server clock.
	f.s.Advance(11 * time.Minute)
	_, err = f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "Access Token has expired", message(err))

	// Refresh gives new tokens with the same origin and auth_time.
	r, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	require.NoError(t, err)
	assert.Nil(t, r.AuthenticationResult.RefreshToken)
	rc := decodeClaims(t, *r.AuthenticationResult.AccessToken)
	assert.Equal(t, ac["origin_jti"], rc["origin_jti"])
	assert.Equal(t, ac["auth_time"], rc["auth_time"])
	_, err = f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: r.AuthenticationResult.AccessToken})
	require.NoError(t, err)

	// Tampered token (one signature character swapped for another
	// base64url one, so that the model's pattern check passes and the
	// signature check refuses it).
	bad := []byte(*r.AuthenticationResult.AccessToken)
	if bad[len(bad)-5] == 'A' {
		bad[len(bad)-5] = 'B'
	} else {
		bad[len(bad)-5] = 'A'
	}
	_, err = f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String(string(bad))})
	requireCode(t, err, "NotAuthorizedException")

	// Refresh token of another client, or garbage.
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshToken, ClientId: &cl2.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	requireCode(t, err, "NotAuthorizedException")
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": "garbage"}})
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "Invalid Refresh Token", message(err))

	// Refresh tokens expire too (30 days by default).
	f.s.Advance(31 * 24 * time.Hour)
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	requireCode(t, err, "NotAuthorizedException")
}

func TestRevocation(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true})
	signIn := func() *types.AuthenticationResultType {
		out, err := srpSignIn(t, f, "alice", testPassword)
		require.NoError(t, err)
		return out.AuthenticationResult
	}
	refresh := func(rt *string) error {
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"REFRESH_TOKEN": *rt, "SECRET_HASH": *secretHash(f.client, "alice")}})
		return err
	}
	getUser := func(at *string) error {
		_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
		return err
	}

	t.Run("RevokeToken", func(t *testing.T) {
		a, b := signIn(), signIn()
		_, err := f.c.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: &f.client.ID, Token: a.RefreshToken})
		requireCode(t, err, "NotAuthorizedException") // no client secret
		_, err = f.c.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: &f.client.ID, ClientSecret: &f.client.Secret, Token: a.AccessToken})
		requireCode(t, err, "UnsupportedTokenTypeException")
		_, err = f.c.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: &f.client.ID, ClientSecret: &f.client.Secret, Token: a.RefreshToken})
		require.NoError(t, err)
		requireCode(t, refresh(a.RefreshToken), "NotAuthorizedException")
		requireCode(t, getUser(a.AccessToken), "NotAuthorizedException")
		// The other sign-in is untouched.
		require.NoError(t, refresh(b.RefreshToken))
		require.NoError(t, getUser(b.AccessToken))
	})
	t.Run("GlobalSignOut", func(t *testing.T) {
		a, b := signIn(), signIn()
		_, err := f.c.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		require.NoError(t, err)
		for _, x := range []*types.AuthenticationResultType{a, b} {
			requireCode(t, refresh(x.RefreshToken), "NotAuthorizedException")
			err := getUser(x.AccessToken)
			requireCode(t, err, "NotAuthorizedException")
			assert.Equal(t, "Access Token has been revoked", message(err))
		}
		_, err = f.c.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
		requireCode(t, err, "NotAuthorizedException")
		c := signIn()
		require.NoError(t, getUser(c.AccessToken), "a new sign-in works")
	})
	t.Run("AdminUserGlobalSignOut", func(t *testing.T) {
		a := signIn()
		_, err := f.c.AdminUserGlobalSignOut(ctx(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.pool, Username: aws.String("alice")})
		require.NoError(t, err)
		requireCode(t, refresh(a.RefreshToken), "NotAuthorizedException")
		requireCode(t, getUser(a.AccessToken), "NotAuthorizedException")
		_, err = f.c.AdminUserGlobalSignOut(ctx(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.pool, Username: aws.String("nobody")})
		requireCode(t, err, "UserNotFoundException")
	})
	t.Run("disabled user", func(t *testing.T) {
		a := signIn()
		_, err := f.c.AdminDisableUser(ctx(), &cip.AdminDisableUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
		require.NoError(t, err)
		requireCode(t, getUser(a.AccessToken), "NotAuthorizedException")
		requireCode(t, refresh(a.RefreshToken), "NotAuthorizedException")
	})
}
