package cognito_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func TestEmulatorAccountLinking(t *testing.T) {
	ctx := context.Background()
	e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{})
	e.srv.MustCreateUser(e.pool, "lena", pw, nil)
	e.srv.MustCreateIdentityProvider(e.pool, cognitotest.IdentityProviderOptions{Type: "Google",
		Details: map[string]string{"client_id": "gid", "client_secret": "gsecret"}})
	// A provider user already in the pool cannot be linked (no merging).
	e.srv.MustCreateUser(e.pool, "Google_g-2", pw, nil)

	for _, tc := range []struct {
		name, user, provider, subject string
		want                          error
	}{
		{"links", "lena", "Google", "g-1", nil},
		{"again to the same user", "lena", "Google", "g-1", nil},
		{"provider user exists", "lena", "Google", "g-2", cognito.ErrInvalidParameter},
		{"unknown provider", "lena", "Nope", "g-3", cognito.ErrInvalidParameter},
		{"unknown user", "nobody", "Google", "g-4", cognito.ErrUserNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.c.AdminLinkProviderForUser(ctx, tc.user, tc.provider, tc.subject)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
	u, err := e.c.AdminGetUser(ctx, "lena")
	require.NoError(t, err)
	assert.Contains(t, u.Attributes["identities"], `"userId":"g-1"`)

	require.NoError(t, e.c.AdminDisableProviderForUser(ctx, "Google", "g-1"))
	u, err = e.c.AdminGetUser(ctx, "lena")
	require.NoError(t, err)
	assert.NotContains(t, u.Attributes, "identities")
	require.ErrorIs(t, e.c.AdminDisableProviderForUser(ctx, "Google", "g-1"), cognito.ErrUserNotFound)
}
