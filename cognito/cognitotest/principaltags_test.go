package cognitotest

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrincipalTagsFromUserPoolClaims: an identity pool's principal-tag
// map turns the claims of a real user-pool ID token into the session tags
// of the credentials it issues, in the enhanced and the basic flow; claims
// the token lacks give no tag, and a provider without a map none at all.
func TestPrincipalTagsFromUserPoolClaims(t *testing.T) {
	f := newFedFixture(t)
	provider := f.s.IdentityProviderName(f.pool)
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{provider: *tok.IdToken}
	claims := decodeClaims(t, *tok.IdToken)
	tagsOf := func(t *testing.T) map[string]string {
		t.Helper()
		creds, _, err := f.credentialsFor(t, logins)
		require.NoError(t, err)
		v, err := creds.Retrieve(ctx())
		require.NoError(t, err)
		rec, ok := f.s.ids.LookupCredentials(v.AccessKeyID)
		require.True(t, ok)
		return rec.PrincipalTags
	}
	assert.Nil(t, tagsOf(t), "no map, no tags")

	_, err := f.ids.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &f.identity,
		IdentityProviderName: &provider, PrincipalTags: map[string]string{"mail": "email", "user": "cognito:username", "dept": "custom:dept"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"mail": "alice@example.com", "user": "alice"}, tagsOf(t))

	_, err = f.ids.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &f.identity,
		IdentityProviderName: &provider, UseDefaults: aws.Bool(true)})
	require.NoError(t, err)
	want := map[string]string{"client": f.client.ID, "username": claims["sub"].(string)}
	assert.Equal(t, want, tagsOf(t))

	// The basic flow: the OpenID token carries them to STS.
	id, err := f.ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: logins})
	require.NoError(t, err)
	open, err := f.ids.GetOpenIdToken(ctx(), &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	require.NoError(t, err)
	oc := decodeClaims(t, *open.Token)
	require.Contains(t, oc, "https://aws.amazon.com/tags")
	assert.Equal(t, map[string]any{"principal_tags": map[string]any{"client": []any{f.client.ID}, "username": []any{claims["sub"]}}},
		oc["https://aws.amazon.com/tags"])

	_, err = f.ids.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &f.identity,
		IdentityProviderName: aws.String("cognito-idp.us-east-1.amazonaws.com/us-east-1_NotThisOne"), UseDefaults: aws.Bool(true)})
	requireCode(t, err, "InvalidParameterException")
}

// TestIdentityPoolOperationsPersist: what the new identity-pool
// operations store (principal-tag maps, tags, merged developer identities)
// is in the state file when they answer, and a server started on the file
// has it.
func TestIdentityPoolOperationsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	defer s1.Close()
	provider := "cognito-idp.us-east-1.amazonaws.com/us-east-1_Persisted"
	pool := s1.MustCreateIdentityPool(IdentityPoolOptions{DeveloperProviderName: "login.persist.dev",
		UserPools: []IdentityPoolUserPool{{UserPoolID: "us-east-1_Persisted", ClientID: "persistclient"}}})
	arn := "arn:aws:cognito-identity:us-east-1:" + AccountID + ":identitypool/" + pool
	c1 := ci.NewFromConfig(s1.Config())
	_, err := c1.SetPrincipalTagAttributeMap(ctx(), &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
		IdentityProviderName: &provider, PrincipalTags: map[string]string{"dept": "custom:dept"}})
	require.NoError(t, err)
	var ids []string
	for _, user := range []string{"u1", "u2"} {
		out, err := c1.GetOpenIdTokenForDeveloperIdentity(ctx(), &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
			Logins: map[string]string{"login.persist.dev": user}})
		require.NoError(t, err)
		ids = append(ids, *out.IdentityId)
	}
	_, err = c1.MergeDeveloperIdentities(ctx(), &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &pool,
		SourceUserIdentifier: aws.String("u1"), DestinationUserIdentifier: aws.String("u2"), DeveloperProviderName: aws.String("login.persist.dev")})
	require.NoError(t, err)
	// Last, so that no later change saves it along.
	_, err = c1.TagResource(ctx(), &ci.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "test"}})
	require.NoError(t, err)
	s1.Close()

	s2 := NewServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	c2 := ci.NewFromConfig(s2.Config())
	m, err := c2.GetPrincipalTagAttributeMap(ctx(), &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &pool, IdentityProviderName: &provider})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"dept": "custom:dept"}, m.PrincipalTags)
	tags, err := c2.ListTagsForResource(ctx(), &ci.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "test"}, tags.Tags)
	look, err := c2.LookupDeveloperIdentity(ctx(), &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, DeveloperUserIdentifier: aws.String("u1")})
	require.NoError(t, err)
	assert.Equal(t, ids[1], *look.IdentityId)
	assert.ElementsMatch(t, []string{"u1", "u2"}, look.DeveloperUserIdentifierList)
	_, err = c2.DescribeIdentity(ctx(), &ci.DescribeIdentityInput{IdentityId: &ids[0]})
	requireCode(t, err, "ResourceNotFoundException")
}
