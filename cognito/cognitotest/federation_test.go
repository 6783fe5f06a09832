package cognitotest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/sigv4client"
)

const (
	fedAuthRole   = "arn:aws:iam::123456789012:role/Cognito_Auth"
	fedUnauthRole = "arn:aws:iam::123456789012:role/Cognito_Unauth"
	fedFacebookID = "1234567890"
)

// fedFixture is a user pool with alice, an identity pool trusting it and a
// Facebook app, the two roles and an API with POST /test under AWS_IAM.
type fedFixture struct {
	*fixture
	ids      *ci.Client
	identity string
}

func newFedFixture(t *testing.T, optFns ...func(*Options)) *fedFixture {
	return newFedFixtureWith(t, true, optFns...)
}

func newFedFixtureWith(t *testing.T, classic bool, optFns ...func(*Options)) *fedFixture {
	t.Helper()
	f := setup(t, PoolOptions{Name: "fed"}, ClientOptions{Name: "web"}, optFns...)
	f.s.MustPutRole(Role{ARN: fedAuthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:demoapi/*"}]}`})
	f.s.MustPutRole(Role{ARN: fedUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`})
	f.s.MustPutAPI(API{ID: "demoapi", Routes: []Route{
		{Method: "POST", Path: "/test", Authorization: AuthIAM, Message: "hello world"},
		{Method: "GET", Path: "/public", Message: "public"},
		{Method: "GET", Path: "/claims", Authorization: AuthUserPools, UserPoolID: f.pool},
	}})
	id := f.s.MustCreateIdentityPool(IdentityPoolOptions{
		AllowUnauthenticated: true,
		AllowClassicFlow:     classic,
		UserPools:            []IdentityPoolUserPool{{UserPoolID: f.pool, ClientID: f.client.ID, ServerSideTokenCheck: true}},
		FacebookAppID:        fedFacebookID,
		AuthenticatedRole:    fedAuthRole, UnauthenticatedRole: fedUnauthRole,
	})
	return &fedFixture{fixture: f, ids: ci.NewFromConfig(f.s.Config()), identity: id}
}

// credentialsFor runs GetId and GetCredentialsForIdentity.
func (f *fedFixture) credentialsFor(t *testing.T, logins map[string]string) (aws.CredentialsProvider, string, error) {
	t.Helper()
	id, err := f.ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: logins})
	if err != nil {
		return nil, "", err
	}
	out, err := f.ids.GetCredentialsForIdentity(ctx(), &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
	if err != nil {
		return nil, *id.IdentityId, err
	}
	c := out.Credentials
	return credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretKey, *c.SessionToken), *id.IdentityId, nil
}

func callAPI(t *testing.T, c *http.Client, method, url, auth string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(`{"hi":1}`))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "%s", raw)
	return resp.StatusCode, m
}

func signer(s *Server, creds aws.CredentialsProvider) *http.Client {
	return sigv4client.NewClient(creds, func(t *sigv4client.Transport) { t.Region = "us-east-1"; t.Clock = s.Now })
}

func TestFederatedFlow(t *testing.T) {
	f := newFedFixture(t)
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken}
	creds, identityID, err := f.credentialsFor(t, logins)
	require.NoError(t, err)

	status, body := callAPI(t, signer(f.s, creds), "POST", f.s.APIURL("demoapi", "")+"/test", "")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "hello world", body["message"])
	id := body["requestContext"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, identityID, id["cognitoIdentityId"])
	assert.Equal(t, "authenticated", id["cognitoAuthenticationType"])
	sub := decodeClaims(t, *tok.IdToken)["sub"].(string)
	assert.Equal(t, f.s.IdentityProviderName(f.pool)+","+f.s.IdentityProviderName(f.pool)+":CognitoSignIn:"+sub, id["cognitoAuthenticationProvider"],
		"as API Gateway shows a user-pool caller")

	status, _ = callAPI(t, http.DefaultClient, "POST", f.s.APIURL("demoapi", "")+"/test", "")
	assert.Equal(t, 403, status, "unsigned")
	status, _ = callAPI(t, http.DefaultClient, "GET", f.s.APIURL("demoapi", "")+"/public", "")
	assert.Equal(t, 200, status)

	// COGNITO_USER_POOLS routes take the pool's ID tokens.
	status, body = callAPI(t, http.DefaultClient, "GET", f.s.APIURL("demoapi", "")+"/claims", *tok.IdToken)
	require.Equal(t, 200, status, body)
	claims := body["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"].(map[string]any)
	assert.Equal(t, "alice", claims["cognito:username"])
	status, _ = callAPI(t, http.DefaultClient, "GET", f.s.APIURL("demoapi", "")+"/claims", "garbage")
	assert.Equal(t, 401, status)

	// A token from another app client is refused by the identity pool.
	other := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{Name: "other"})
	out, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: &other.ID, AuthFlow: "USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.NoError(t, err)
	_, _, err = f.credentialsFor(t, map[string]string{f.s.IdentityProviderName(f.pool): *out.AuthenticationResult.IdToken})
	requireCode(t, err, "NotAuthorizedException")
	assert.Contains(t, message(err), "Incorrect token audience")

	// Signed out: ServerSideTokenCheck refuses the old ID token.
	_, err = f.c.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: tok.AccessToken})
	require.NoError(t, err)
	_, _, err = f.credentialsFor(t, logins)
	requireCode(t, err, "NotAuthorizedException")
	assert.Contains(t, message(err), "revoked")
}

func TestFederatedExpiredIDToken(t *testing.T) {
	f := newFedFixture(t)
	tok := mustTokens(t, f.fixture, "alice")
	f.s.Advance(61 * 60 * 1e9)
	_, _, err := f.credentialsFor(t, map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken})
	requireCode(t, err, "NotAuthorizedException")
	assert.Contains(t, message(err), "Token expired")
	// The wrong region in the Logins key.
	tok = mustTokens(t, f.fixture, "alice")
	_, _, err = f.credentialsFor(t, map[string]string{"cognito-idp.eu-west-1.amazonaws.com/" + f.pool: *tok.IdToken})
	requireCode(t, err, "NotAuthorizedException")
}

func TestFederatedFacebookAndGuest(t *testing.T) {
	f := newFedFixture(t)
	fb := f.s.MustFacebookToken(fedFacebookID, FacebookUser{ID: "10001", Name: "Fay"})
	creds, _, err := f.credentialsFor(t, map[string]string{FacebookProvider: fb})
	require.NoError(t, err)
	status, body := callAPI(t, signer(f.s, creds), "POST", f.s.APIURL("demoapi", "")+"/test", "")
	require.Equal(t, 200, status, body)
	assert.Equal(t, FacebookProvider, body["requestContext"].(map[string]any)["identity"].(map[string]any)["cognitoAuthenticationProvider"])

	wrongApp := f.s.MustFacebookToken("999", FacebookUser{ID: "10001"})
	_, _, err = f.credentialsFor(t, map[string]string{FacebookProvider: wrongApp})
	requireCode(t, err, "NotAuthorizedException")

	guest, _, err := f.credentialsFor(t, nil)
	require.NoError(t, err)
	status, body = callAPI(t, signer(f.s, guest), "POST", f.s.APIURL("demoapi", "")+"/test", "")
	assert.Equal(t, 403, status)
	assert.Contains(t, body["Message"], "assumed-role/Cognito_Unauth/CognitoIdentityCredentials is not authorized")

	// Expired credentials are refused by the gateway.
	f.s.Advance(61 * 60 * 1e9)
	status, body = callAPI(t, signer(f.s, creds), "POST", f.s.APIURL("demoapi", "")+"/test", "")
	assert.Equal(t, 403, status)
	assert.Equal(t, sigv4client.MsgExpiredToken, body["message"])
}

func TestFederatedBasicFlow(t *testing.T) {
	f := newFedFixture(t)
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken}
	id, err := f.ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: logins})
	require.NoError(t, err)
	oid, err := f.ids.GetOpenIdToken(ctx(), &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	require.NoError(t, err)
	out, err := sts.NewFromConfig(f.s.Config()).AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(fedAuthRole), RoleSessionName: aws.String("alice"), WebIdentityToken: oid.Token,
	})
	require.NoError(t, err)
	creds := credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	status, body := callAPI(t, signer(f.s, creds), "POST", f.s.APIURL("demoapi", "")+"/test", "")
	require.Equal(t, 200, status, body)
	assert.Contains(t, body["requestContext"].(map[string]any)["identity"].(map[string]any)["userArn"], "assumed-role/Cognito_Auth/alice")
}

func TestFederatedClassicFlowDisabled(t *testing.T) {
	f := newFedFixtureWith(t, false)
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken}
	id, err := f.ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: logins})
	require.NoError(t, err)
	_, err = f.ids.GetOpenIdToken(ctx(), &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	requireCode(t, err, "InvalidParameterException")
	assert.Contains(t, message(err), "Basic (classic) flow is not enabled")
	_, err = f.ids.GetCredentialsForIdentity(ctx(), &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
	assert.NoError(t, err, "the enhanced flow is unaffected")
}

func TestFederatedStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f := newFedFixture(t, func(o *Options) { o.StatePath = path })
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken}
	creds, identityID, err := f.credentialsFor(t, logins)
	require.NoError(t, err)
	fb := f.s.MustFacebookToken(fedFacebookID, FacebookUser{ID: "10001"})

	// Restart on the same address, as cognitoctl serve -addr does, so the
	// issuer in the tokens stays the same.
	addr := strings.TrimPrefix(f.s.URL, "http://")
	f.s.Close()
	s2, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
	require.NoError(t, err)
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: s2.Handler()}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s2.SetURL("http://" + addr)
	ids2 := ci.NewFromConfig(s2.Config())
	again, err := ids2.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: map[string]string{s2.IdentityProviderName(f.pool): *tok.IdToken}})
	require.NoError(t, err, "identity pool, user pool keys and the identity survive")
	assert.Equal(t, identityID, *again.IdentityId)
	_, err = ids2.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: map[string]string{FacebookProvider: fb}})
	require.NoError(t, err, "Facebook tokens survive")
	status, body := callAPI(t, signer(s2, creds), "POST", s2.APIURL("demoapi", "")+"/test", "")
	assert.Equal(t, 200, status, "credentials and the API survive: %v", body)
}

func TestSeedFederation(t *testing.T) {
	cfg, err := ParseSeedConfig(strings.NewReader(`{
	  "userPools": [{"id": "us-east-1_Seeded001", "name": "seeded",
	    "clients": [{"id": "seededclient00000000000001", "name": "web"}],
	    "users": [{"username": "bob", "password": "Passw0rd!", "attributes": {"email": "bob@example.com"}}]}],
	  "identityPools": [{"id": "us-east-1:00000000-0000-4000-8000-000000000001", "name": "seeded",
	    "allowUnauthenticatedIdentities": true,
	    "cognitoIdentityProviders": [{"ProviderName": "us-east-1_Seeded001", "ClientId": "seededclient00000000000001"}],
	    "roles": {"authenticated": "arn:aws:iam::123456789012:role/Auth"}}],
	  "roles": [{"arn": "arn:aws:iam::123456789012:role/Auth",
	    "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"*\"}]}"}],
	  "apis": [{"id": "seededapi", "routes": [{"method": "POST", "path": "/test", "authorization": "AWS_IAM", "message": "hello world"}]}],
	  "iamUsers": [{"arn": "arn:aws:iam::123456789012:user/ci", "accessKeyId": "AKIASEEDED", "secretAccessKey": "seeded-secret",
	    "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"*\"}]}"}]
	}`))
	require.NoError(t, err)
	s := newServer(t)
	require.NoError(t, s.Seed(cfg))
	require.NoError(t, s.Seed(cfg), "seeding is idempotent")

	out, err := idp(s).InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: aws.String("seededclient00000000000001"), AuthFlow: "USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Passw0rd!"}})
	require.NoError(t, err)
	ids := ci.NewFromConfig(s.Config())
	logins := map[string]string{s.IdentityProviderName("us-east-1_Seeded001"): *out.AuthenticationResult.IdToken}
	id, err := ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-4000-8000-000000000001"), Logins: logins})
	require.NoError(t, err)
	c, err := ids.GetCredentialsForIdentity(ctx(), &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
	require.NoError(t, err)
	creds := credentials.NewStaticCredentialsProvider(*c.Credentials.AccessKeyId, *c.Credentials.SecretKey, *c.Credentials.SessionToken)
	status, _ := callAPI(t, signer(s, creds), "POST", s.APIURL("seededapi", "")+"/test", "")
	assert.Equal(t, 200, status)
	status, _ = callAPI(t, signer(s, credentials.NewStaticCredentialsProvider("AKIASEEDED", "seeded-secret", "")), "POST", s.APIURL("seededapi", "")+"/test", "")
	assert.Equal(t, 200, status)

	bad, err := ParseSeedConfig(strings.NewReader(`{"identityPools": [{"id": "nonsense", "name": "x"}]}`))
	require.NoError(t, err)
	assert.Error(t, s.Seed(bad))
}
