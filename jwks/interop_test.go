package jwks

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// awsJWTVerifyScript verifies every token of TOKENS with aws-jwt-verify
// (the reference Cognito verifier) against the JWKS in JWKS, and prints one
// {"ok":bool,"error":name} per token.
const awsJWTVerifyScript = `
import { CognitoJwtVerifier } from "aws-jwt-verify";
const cases = JSON.parse(process.env.CASES);
const out = [];
for (const c of cases) {
  const v = CognitoJwtVerifier.create({ userPoolId: process.env.POOL, tokenUse: c.tokenUse, clientId: process.env.CLIENT });
  v.cacheJwks(JSON.parse(process.env.JWKS));
  try {
    await v.verify(c.token);
    out.push({ ok: true, error: "" });
  } catch (e) {
    out.push({ ok: false, error: e.constructor.name + ": " + e.message });
  }
}
console.log(JSON.stringify(out));
`

func TestInteropAWSJWTVerify(t *testing.T) {
	dir := interop.NPMInstall(t, "aws-jwt-verify@5")
	k := newKey(0, "k1")
	other := newKey(1, "k1")
	doc := jwksJSON(k.jwk(nil))
	now := time.Now()
	ac, ic := accessClaims(now), idClaims(now)
	valid := k.mint(ac)
	parts := strings.Split(valid, ".")
	cases := []struct {
		name     string
		token    string
		tokenUse TokenUse
		want     error
	}{
		{"access token", valid, TokenUseAccess, nil},
		{"ID token", k.mint(ic), TokenUseID, nil},
		{"expired", k.mint(with(ac, "exp", now.Add(-time.Hour).Unix())), TokenUseAccess, ErrExpired},
		{"wrong client", k.mint(with(ac, "client_id", "nope")), TokenUseAccess, ErrClientID},
		{"wrong aud", k.mint(with(ic, "aud", "nope")), TokenUseID, ErrClientID},
		{"ID token as access", k.mint(ic), TokenUseAccess, ErrTokenUse},
		{"wrong issuer", k.mint(with(ac, "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool")), TokenUseAccess, ErrIssuer},
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Split(other.mint(ac), ".")[2], TokenUseAccess, ErrSignature},
		{"alg none", rawToken(`{"alg":"none","kid":"k1"}`, string(mustJSON(ac)), ""), TokenUseAccess, ErrUnsupportedAlg},
	}
	type jsCase struct {
		Token    string `json:"token"`
		TokenUse string `json:"tokenUse"`
	}
	var js []jsCase
	for _, c := range cases {
		js = append(js, jsCase{c.token, string(c.tokenUse)})
	}
	out, err := interop.Node(t, dir, awsJWTVerifyScript,
		"CASES="+string(mustJSON(js)), "JWKS="+string(doc), "POOL="+testPool, "CLIENT="+testClient)
	require.NoError(t, err)
	var results []struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &results), out)
	require.Len(t, results, len(cases))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKS: doc}}, func(o *Options) {
				o.ClientIDs = []string{testClient}
				o.TokenUse = c.tokenUse
			})
			require.NoError(t, err)
			_, ours := v.Verify(context.Background(), c.token)
			if c.want == nil {
				require.NoError(t, ours)
				assert.True(t, results[i].OK, "aws-jwt-verify refused: %s", results[i].Error)
			} else {
				require.ErrorIs(t, ours, c.want)
				assert.False(t, results[i].OK, "aws-jwt-verify accepted a token we refuse with %v", c.want)
				t.Logf("aws-jwt-verify: %s", results[i].Error)
			}
		})
	}
}

// TestInteropMoto verifies tokens minted by moto (a Cognito emulator
// written by others) with its JWKS as it serves it, and checks that a
// verifier for another pool refuses them.
func TestInteropMoto(t *testing.T) {
	endpoint := interop.Moto(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	newPool := func(name string) (poolID, clientID string) {
		pool, err := client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
		require.NoError(t, err)
		app, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		})
		require.NoError(t, err)
		return *pool.UserPool.Id, *app.UserPoolClient.ClientId
	}
	poolID, clientID := newPool("jwks-interop")
	otherPool, otherClient := newPool("jwks-interop-other")

	_, err := client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alice@example.com")}},
	})
	require.NoError(t, err)
	_, err = client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String("alice"), Password: aws.String("Correct-Horse-1"), Permanent: true,
	})
	require.NoError(t, err)
	_, err = client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
	require.NoError(t, err)
	_, err = client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(poolID), Username: aws.String("alice"), GroupName: aws.String("admins")})
	require.NoError(t, err)
	auth, err := client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Correct-Horse-1"},
	})
	require.NoError(t, err)
	require.NotNil(t, auth.AuthenticationResult)
	access, id := *auth.AuthenticationResult.AccessToken, *auth.AuthenticationResult.IdToken

	// moto puts AWS's issuer in its tokens
	// (https://cognito-idp.<region>.amazonaws.com/<pool>) but serves the keys
	// at <endpoint>/<pool>/.well-known/jwks.json.
	verifier := func(pool, client string, use TokenUse) *Verifier {
		v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: pool, JWKSURL: endpoint + "/" + pool + "/.well-known/jwks.json"}}, func(o *Options) {
			o.ClientIDs = []string{client}
			o.TokenUse = use
		})
		require.NoError(t, err)
		return v
	}
	t.Run("access token", func(t *testing.T) {
		c, err := verifier(poolID, clientID, TokenUseAccess).Verify(ctx, access)
		require.NoError(t, err)
		assert.Equal(t, "https://cognito-idp.us-east-1.amazonaws.com/"+poolID, c.Issuer)
		assert.Equal(t, "alice", c.Username)
		assert.Equal(t, clientID, c.ClientID)
		assert.Equal(t, "dummy", c.KeyID)
	})
	t.Run("ID token", func(t *testing.T) {
		c, err := verifier(poolID, clientID, TokenUseID).Verify(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "alice", c.Username)
		assert.Equal(t, []string{"admins"}, c.Groups)
		t.Logf("moto ID token claims: %s", c.Payload())
	})
	t.Run("ID token refused as access token", func(t *testing.T) {
		_, err := verifier(poolID, clientID, TokenUseAccess).Verify(ctx, id)
		require.ErrorIs(t, err, ErrTokenUse)
	})
	t.Run("another pool's verifier refuses it", func(t *testing.T) {
		// moto signs every pool with the same key, so only iss tells
		// them apart: exactly the check that must hold.
		_, err := verifier(otherPool, otherClient, TokenUseAccess).Verify(ctx, access)
		require.ErrorIs(t, err, ErrIssuer)
	})
	t.Run("another client is refused", func(t *testing.T) {
		_, err := verifier(poolID, otherClient, TokenUseAccess).Verify(ctx, access)
		require.ErrorIs(t, err, ErrClientID)
	})
}
