package idpool_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
)

const devProvider = "login.example.dev"

func TestIdentityPoolTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t, func(in *ci.CreateIdentityPoolInput) { in.IdentityPoolTags = map[string]string{"team": "auth"} })
	arn := e.svc.PoolARN(pool)

	list, err := e.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "auth"}, list.Tags, "CreateIdentityPool's tags are the resource's tags")

	_, err = e.ci.TagResource(ctx, &ci.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "dev", "team": "identity"}})
	require.NoError(t, err)
	desc, err := e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev", "team": "identity"}, desc.IdentityPoolTags)

	// UpdateIdentityPool without IdentityPoolTags keeps them (as Terraform,
	// which tags through TagResource, relies on).
	_, err = e.ci.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &pool,
		IdentityPoolName: aws.String("renamed"), AllowUnauthenticatedIdentities: true})
	require.NoError(t, err)
	list, err = e.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	assert.Len(t, list.Tags, 2)

	_, err = e.ci.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team", "absent"}})
	require.NoError(t, err)
	list, err = e.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev"}, list.Tags)

	tooMany := map[string]string{}
	for i := 0; i < 50; i++ {
		tooMany[fmt.Sprintf("k%02d", i)] = "v"
	}
	otherRegion := "arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/" + pool
	otherAccount := "arn:aws:cognito-identity:us-east-1:210987654321:identitypool/" + pool
	noPool := e.svc.PoolARN("us-east-1:00000000-0000-4000-8000-000000000000")
	for _, tc := range []struct {
		name, arn string
		tags      map[string]string
		want      string
	}{
		{"not an identity-pool ARN", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_X", map[string]string{"a": "b"}, "InvalidParameterException"},
		{"another region", otherRegion, map[string]string{"a": "b"}, "ResourceNotFoundException"},
		{"another account", otherAccount, map[string]string{"a": "b"}, "ResourceNotFoundException"},
		{"no such pool", noPool, map[string]string{"a": "b"}, "ResourceNotFoundException"},
		{"reserved prefix", arn, map[string]string{"aws:x": "b"}, "InvalidParameterException"},
		{"more than 50", arn, tooMany, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ci.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: tc.tags})
			assert.Equal(t, tc.want, code(t, err))
		})
	}
	_, err = e.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &noPool})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	_, err = e.ci.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: &otherAccount, TagKeys: []string{"env"}})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	list, err = e.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev"}, list.Tags, "a refused call changes nothing")
}

func TestPrincipalTagAttributeMap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	login := map[string]string{upProvider: "id|frank|" + upClient}
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	tagsOfCredentials := func(t *testing.T) map[string]string {
		t.Helper()
		creds, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: login})
		require.NoError(t, err)
		rec, ok := e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
		require.True(t, ok)
		return rec.PrincipalTags
	}

	got, err := e.ci.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &pool, IdentityProviderName: aws.String(upProvider)})
	require.NoError(t, err)
	assert.False(t, aws.ToBool(got.UseDefaults))
	assert.Empty(t, got.PrincipalTags, "attributes for access control are off until set")
	assert.Nil(t, tagsOfCredentials(t))

	set, err := e.ci.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
		IdentityProviderName: aws.String(upProvider), UseDefaults: aws.Bool(true)})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(set.UseDefaults))
	assert.Equal(t, idpool.DefaultPrincipalTags(), set.PrincipalTags)
	got, err = e.ci.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &pool, IdentityProviderName: aws.String(upProvider)})
	require.NoError(t, err)
	assert.Equal(t, idpool.DefaultPrincipalTags(), got.PrincipalTags)
	assert.Equal(t, map[string]string{"client": upClient, "username": "frank"}, tagsOfCredentials(t), "the enhanced flow's session tags")

	// The basic flow: the OpenID token carries the tags, STS applies them.
	tok, err := e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: login})
	require.NoError(t, err)
	out, err := e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(authRole),
		RoleSessionName: aws.String("s1"), WebIdentityToken: tok.Token})
	require.NoError(t, err)
	rec, _ := e.svc.LookupCredentials(*out.Credentials.AccessKeyId)
	assert.Equal(t, map[string]string{"client": upClient, "username": "frank"}, rec.PrincipalTags)

	_, err = e.ci.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
		IdentityProviderName: aws.String(upProvider), UseDefaults: aws.Bool(false),
		PrincipalTags: map[string]string{"who": "sub", "dept": "custom:dept"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"who": "frank"}, tagsOfCredentials(t), "a claim the token lacks gives no tag")

	_, err = e.ci.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
		IdentityProviderName: aws.String(upProvider), UseDefaults: aws.Bool(false)})
	require.NoError(t, err)
	assert.Nil(t, tagsOfCredentials(t), "no defaults and no tags turns the map off")

	for _, tc := range []struct {
		name         string
		pool, prov   string
		tags         map[string]string
		want         string
		getToo, conf bool
	}{
		{"provider not in the pool", pool, "accounts.example.org", nil, "InvalidParameterException", true, false},
		{"no such pool", "us-east-1:00000000-0000-4000-8000-000000000000", upProvider, nil, "ResourceNotFoundException", true, false},
		{"reserved tag key", pool, upProvider, map[string]string{"aws:x": "sub"}, "InvalidParameterException", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ci.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &tc.pool,
				IdentityProviderName: &tc.prov, PrincipalTags: tc.tags})
			assert.Equal(t, tc.want, code(t, err))
			if tc.getToo {
				_, err = e.ci.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &tc.pool, IdentityProviderName: &tc.prov})
				assert.Equal(t, tc.want, code(t, err))
			}
		})
	}
}

func TestDeveloperPrincipalTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	out, err := e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
		Logins: map[string]string{devProvider: "user-7"}, PrincipalTags: map[string]string{"tenant": "acme"}})
	require.NoError(t, err)
	creds, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: out.IdentityId,
		Logins: map[string]string{idpool.DeveloperProvider: *out.Token}})
	require.NoError(t, err)
	rec, _ := e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.Equal(t, map[string]string{"tenant": "acme"}, rec.PrincipalTags)

	plain, err := e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
		Logins: map[string]string{devProvider: "user-7"}})
	require.NoError(t, err)
	creds, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: out.IdentityId,
		Logins: map[string]string{idpool.DeveloperProvider: *plain.Token}})
	require.NoError(t, err)
	rec, _ = e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.Nil(t, rec.PrincipalTags, "a token without tags gives none")
}

// devIdentity links a developer user (and extra logins) and returns its
// identity ID.
func (e *env) devIdentity(t *testing.T, pool, user string, extra map[string]string) string {
	t.Helper()
	logins := map[string]string{devProvider: user}
	for k, v := range extra {
		logins[k] = v
	}
	out, err := e.ci.GetOpenIdTokenForDeveloperIdentity(context.Background(), &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool, Logins: logins})
	require.NoError(t, err)
	return *out.IdentityId
}

func (e *env) lookupDev(t *testing.T, pool, user string) (string, []string, error) {
	t.Helper()
	out, err := e.ci.LookupDeveloperIdentity(context.Background(), &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, DeveloperUserIdentifier: &user, MaxResults: aws.Int32(10)})
	if err != nil {
		return "", nil, err
	}
	return *out.IdentityId, out.DeveloperUserIdentifierList, nil
}

func TestMergeDeveloperIdentities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	src := e.devIdentity(t, pool, "alice-old", map[string]string{upProvider: "id|alice|" + upClient})
	dst := e.devIdentity(t, pool, "alice", nil)
	require.NotEqual(t, src, dst)
	merge := func(source, dest, provider string) (*ci.MergeDeveloperIdentitiesOutput, error) {
		return e.ci.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &pool,
			SourceUserIdentifier: &source, DestinationUserIdentifier: &dest, DeveloperProviderName: &provider})
	}

	out, err := merge("alice-old", "alice", devProvider)
	require.NoError(t, err)
	assert.Equal(t, dst, *out.IdentityId)
	got, list, err := e.lookupDev(t, pool, "alice-old")
	require.NoError(t, err)
	assert.Equal(t, dst, got)
	assert.ElementsMatch(t, []string{"alice", "alice-old"}, list)
	_, err = e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &src})
	assert.Equal(t, "ResourceNotFoundException", code(t, err), "the source identity is merged away")
	desc, err := e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &dst})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{devProvider, upProvider}, desc.Logins, "the source's other logins move too")
	again, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{upProvider: "id|alice|" + upClient}})
	require.NoError(t, err)
	assert.Equal(t, dst, *again.IdentityId)
	assert.Equal(t, dst, e.devIdentity(t, pool, "alice-old", nil), "the source user now signs in to the destination")

	out, err = merge("alice", "alice-old", devProvider)
	require.NoError(t, err, "merging an identity into itself is a no-op")
	assert.Equal(t, dst, *out.IdentityId)

	// Two users of one public provider can not be merged.
	e.devIdentity(t, pool, "bob", map[string]string{upProvider: "id|bob|" + upClient})
	e.devIdentity(t, pool, "carol", map[string]string{upProvider: "id|carol|" + upClient})
	for _, tc := range []struct{ name, src, dst, provider, want string }{
		{"different users of one provider", "bob", "carol", devProvider, "ResourceConflictException"},
		{"unknown source", "nobody", "alice", devProvider, "ResourceNotFoundException"},
		{"unknown destination", "alice", "nobody", devProvider, "ResourceNotFoundException"},
		{"not the pool's developer provider", "bob", "alice", "other.example", "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := merge(tc.src, tc.dst, tc.provider)
			assert.Equal(t, tc.want, code(t, err))
		})
	}
	_, list, err = e.lookupDev(t, pool, "bob")
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, list, "a refused merge changes nothing")

	noDev := e.pool(t, func(in *ci.CreateIdentityPoolInput) { in.DeveloperProviderName = nil })
	_, err = e.ci.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &noDev,
		SourceUserIdentifier: aws.String("a"), DestinationUserIdentifier: aws.String("b"), DeveloperProviderName: aws.String(devProvider)})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
}

func TestUnlinkDeveloperIdentity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	id := e.devIdentity(t, pool, "dan", nil)
	e.devIdentity(t, pool, "dan-2", nil)
	_, err := e.ci.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &pool,
		SourceUserIdentifier: aws.String("dan-2"), DestinationUserIdentifier: aws.String("dan"), DeveloperProviderName: aws.String(devProvider)})
	require.NoError(t, err)
	unlink := func(identity, user, provider string) error {
		_, err := e.ci.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: &pool, IdentityId: &identity,
			DeveloperUserIdentifier: &user, DeveloperProviderName: &provider})
		return err
	}

	require.NoError(t, unlink(id, "dan", devProvider))
	_, _, err = e.lookupDev(t, pool, "dan")
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
	got, list, err := e.lookupDev(t, pool, "dan-2")
	require.NoError(t, err)
	assert.Equal(t, id, got)
	assert.Equal(t, []string{"dan-2"}, list, "the merged identifier stays")
	assert.NotEqual(t, id, e.devIdentity(t, pool, "dan", nil), "an unlinked user is a new identity next time")

	other := e.devIdentity(t, pool, "erin", nil)
	for _, tc := range []struct{ name, identity, user, provider, want string }{
		{"already unlinked", id, "dan", devProvider, "ResourceNotFoundException"},
		{"linked to another identity", other, "dan-2", devProvider, "ResourceNotFoundException"},
		{"no such identity", "us-east-1:00000000-0000-4000-8000-000000000000", "dan-2", devProvider, "ResourceNotFoundException"},
		{"not the pool's developer provider", id, "dan-2", "other.example", "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, code(t, unlink(tc.identity, tc.user, tc.provider)))
		})
	}
	require.NoError(t, unlink(id, "dan-2", devProvider))
	desc, err := e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id})
	require.NoError(t, err, "the identity stays, without logins")
	assert.Empty(t, desc.Logins)
}

// TestEnhancedFlowRefusesUntrustedRole: GetCredentialsForIdentity checks
// the role's trust policy (aud and amr), as AssumeRoleWithWebIdentity
// does; the emulator used to hand out any role in the enhanced flow.
func TestEnhancedFlowRefusesUntrustedRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	login := map[string]string{upProvider: "id|gina|" + upClient}
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	guest, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	require.NoError(t, err)

	for _, tc := range []struct {
		name      string
		role      idpool.Role
		guest, ok bool
	}{
		{"trusts the pool", idpool.Role{ARN: authRole, TrustedIdentityPools: []string{pool}, TrustedAMR: "authenticated"}, false, true},
		{"trusts any pool", idpool.Role{ARN: authRole}, false, true},
		{"trusts another pool", idpool.Role{ARN: authRole, TrustedIdentityPools: []string{"us-east-1:00000000-0000-4000-8000-000000000000"}}, false, false},
		{"trusts only guests", idpool.Role{ARN: authRole, TrustedIdentityPools: []string{pool}, TrustedAMR: "unauthenticated"}, false, false},
		{"trusts no identity pool", idpool.Role{ARN: authRole, TrustedAMR: "none"}, false, false},
		{"guest role trusts guests", idpool.Role{ARN: unauthRole, TrustedIdentityPools: []string{pool}, TrustedAMR: "unauthenticated"}, true, true},
		{"guest role trusts only signed-in users", idpool.Role{ARN: unauthRole, TrustedAMR: "authenticated"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.svc.PutRole(tc.role)
			t.Cleanup(func() { e.svc.DeleteRole(tc.role.ARN) })
			in := &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: login}
			if tc.guest {
				in = &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId}
			}
			_, err := e.ci.GetCredentialsForIdentity(ctx, in)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, "InvalidIdentityPoolConfigurationException", code(t, err))
		})
	}
}

func TestNewOperationsPersist(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t, func(in *ci.CreateIdentityPoolInput) { in.IdentityPoolTags = map[string]string{"a": "1"} })
	e.devIdentity(t, pool, "u1", nil)
	id := e.devIdentity(t, pool, "u2", nil)
	_, err := e.ci.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &pool,
		SourceUserIdentifier: aws.String("u1"), DestinationUserIdentifier: aws.String("u2"), DeveloperProviderName: aws.String(devProvider)})
	require.NoError(t, err)
	_, err = e.ci.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: &pool,
		IdentityProviderName: aws.String("graph.facebook.com"), UseDefaults: aws.Bool(true)})
	require.NoError(t, err)

	snap, err := e.svc.Snapshot()
	require.NoError(t, err)
	fresh := newEnv(t)
	require.NoError(t, fresh.svc.Restore(snap))
	got, list, err := fresh.lookupDev(t, pool, "u1")
	require.NoError(t, err)
	assert.Equal(t, id, got)
	assert.ElementsMatch(t, []string{"u1", "u2"}, list)
	m, err := fresh.ci.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: &pool, IdentityProviderName: aws.String("graph.facebook.com")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(m.UseDefaults))
	tags, err := fresh.ci.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(fresh.svc.PoolARN(pool))})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, tags.Tags)
}

// TestDeveloperIdentityKeepsEarlierIdentifier:
// GetOpenIdTokenForDeveloperIdentity with an IdentityId links a further
// developer user identifier to that identity, as Cognito does; the
// emulator used to replace the one already linked, so the first user lost
// the identity.
func TestDeveloperIdentityKeepsEarlierIdentifier(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	id := e.devIdentity(t, pool, "first", nil)
	out, err := e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
		IdentityId: &id, Logins: map[string]string{devProvider: "second"}})
	require.NoError(t, err)
	assert.Equal(t, id, *out.IdentityId)
	for _, user := range []string{"first", "second"} {
		got, list, err := e.lookupDev(t, pool, user)
		require.NoError(t, err, user)
		assert.Equal(t, id, got, user)
		assert.Equal(t, []string{"first", "second"}, list)
	}
	// Another identity's identifier can not be taken over.
	other := e.devIdentity(t, pool, "third", nil)
	_, err = e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: &pool,
		IdentityId: &other, Logins: map[string]string{devProvider: "first"}})
	assert.Equal(t, "ResourceConflictException", code(t, err))
}
