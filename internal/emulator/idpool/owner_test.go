package idpool_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
)

// TestMutation_GuestCannotLinkOwnedLogin kills the surviving mutation that
// removed the owner check: a guest identity presenting a login that another
// identity already owns must be refused ("Logins don't match"), by every
// operation that links logins to a guest, and nothing may be linked: the
// owner keeps the login alone and the guest stays a guest.
func TestMutation_GuestCannotLinkOwnedLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	fbTok, err := e.fb.Mint(fbApp, fakefb.User{ID: "fb-owner"}, 0)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		login map[string]string
	}{
		{"user pool login", map[string]string{upProvider: "id|alice|" + upClient}},
		{"Facebook login", map[string]string{"graph.facebook.com": fbTok}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: tc.login})
			require.NoError(t, err)
			guest, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
			require.NoError(t, err)
			require.NotEqual(t, *owner.IdentityId, *guest.IdentityId)

			_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId, Logins: tc.login})
			assert.Equal(t, "NotAuthorizedException", code(t, err))
			assert.Contains(t, err.Error(), "Logins don't match")
			_, err = e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: guest.IdentityId, Logins: tc.login})
			assert.Equal(t, "NotAuthorizedException", code(t, err))

			// Nothing was linked: the guest is still a guest...
			d, err := e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: guest.IdentityId})
			require.NoError(t, err)
			assert.Empty(t, d.Logins)
			_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId})
			require.NoError(t, err, "still usable as a guest")
			// ...and the login still leads to its owner only.
			again, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: tc.login})
			require.NoError(t, err)
			assert.Equal(t, *owner.IdentityId, *again.IdentityId)
			_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: owner.IdentityId, Logins: tc.login})
			require.NoError(t, err, "the owner is unaffected")

			// The positive twin: a login nobody owns is linked to a guest.
			fresh, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
			require.NoError(t, err)
			_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: fresh.IdentityId,
				Logins: map[string]string{upProvider: "id|nobody-" + tc.name + "|" + upClient}})
			require.NoError(t, err)
			d, err = e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: fresh.IdentityId})
			require.NoError(t, err)
			assert.Equal(t, []string{upProvider}, d.Logins)
		})
	}
	list, err := e.ci.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &pool, MaxResults: aws.Int32(60)})
	require.NoError(t, err)
	assert.Len(t, list.Identities, 6)
}
