package cognitotest

import (
	"net/http"
	"testing"

	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoleConditionsOnPrincipalTags: a role made for an identity pool
// whose policy allows the API only to callers tagged department=sales
// (the identity pool maps the user-pool claim custom:department to the
// principal tag "department") lets alice of sales in and keeps bob of hr
// out, signed with sigv4client; a policy variable limits each caller to
// the items under its own identity ID.
func TestRoleConditionsOnPrincipalTags(t *testing.T) {
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{Name: "abac", CustomAttributes: []string{"department"}})
	client := s.MustCreateUserPoolClient(pool, ClientOptions{Name: "web"})
	s.MustCreateUser(pool, "alice", testPassword, map[string]string{"email": "alice@example.com", "custom:department": "sales"})
	s.MustCreateUser(pool, "bob", testPassword, map[string]string{"email": "bob@example.com", "custom:department": "hr"})
	f := &fixture{s: s, c: idp(s), pool: pool, client: client}

	const role = "arn:aws:iam::123456789012:role/abac_auth"
	s.MustPutRole(Role{ARN: role, Policy: `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":["arn:aws:execute-api:*:*:abacapi/*/GET/reports","arn:aws:execute-api:*:*:abacapi/*/GET/items/${cognito-identity.amazonaws.com:sub}"],
	   "Condition":{"StringEquals":{"aws:PrincipalTag/department":"sales"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}},
	  {"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["127.0.0.0/8","::1"]}}}]}`})
	s.MustPutAPI(API{ID: "abacapi", Routes: []Route{
		{Method: "GET", Path: "/reports", Authorization: AuthIAM, Message: "reports"},
		{Method: "GET", Path: "/items/{id}", Authorization: AuthIAM, Message: "item"},
	}})
	identity := s.MustCreateIdentityPool(IdentityPoolOptions{
		UserPools:         []IdentityPoolUserPool{{UserPoolID: pool, ClientID: client.ID}},
		AuthenticatedRole: role,
	})
	ff := &fedFixture{fixture: f, ids: ci.NewFromConfig(s.Config()), identity: identity}
	provider := s.IdentityProviderName(pool)
	_, err := ff.ids.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &identity,
		IdentityProviderName: &provider, PrincipalTags: map[string]string{"department": "custom:department"}})
	require.NoError(t, err)

	api := s.APIURL("abacapi", "")
	call := func(user, path string) (int, map[string]any, string) {
		t.Helper()
		tok := mustTokens(t, f, user)
		creds, identityID, err := ff.credentialsFor(t, map[string]string{provider: *tok.IdToken})
		require.NoError(t, err)
		if path == "" {
			path = "/items/" + identityID
		}
		status, body := callAPI(t, signer(s, creds), "GET", api+path, "")
		return status, body, identityID
	}

	status, body, _ := call("alice", "/reports")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "reports", body["message"])
	status, body, _ = call("bob", "/reports")
	assert.Equal(t, http.StatusForbidden, status, body)
	assert.Contains(t, body["Message"], "assumed-role/abac_auth/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke")
	assert.NotContains(t, body["Message"], "explicit deny", "no Allow applied; the Deny's condition does not hold on loopback")

	// ${cognito-identity.amazonaws.com:sub}: alice reaches her own items
	// only; bob not even his.
	status, body, _ = call("alice", "")
	assert.Equal(t, http.StatusOK, status, body)
	status, body, _ = call("alice", "/items/us-east-1:00000000-0000-4000-8000-000000000000")
	assert.Equal(t, http.StatusForbidden, status, body)
	status, body, _ = call("bob", "")
	assert.Equal(t, http.StatusForbidden, status, body)

	// Without the principal-tag map nobody is tagged: alice is refused too.
	_, err = ff.ids.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &identity,
		IdentityProviderName: &provider, PrincipalTags: map[string]string{"team": "custom:department"}})
	require.NoError(t, err)
	status, body, _ = call("alice", "/reports")
	assert.Equal(t, http.StatusForbidden, status, body)
}
