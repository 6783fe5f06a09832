package cognitotest

import (
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
