package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
)

func TestRefreshCommand(t *testing.T) {
	for _, withSecret := range []bool{false, true} {
		t.Run(map[bool]string{false: "no secret", true: "secret"}[withSecret], func(t *testing.T) {
			m := newSigninMoto(t, withSecret)
			ctx := context.Background()
			_, err := m.client().AdminCreateConfirmedUser(ctx, "carol", "Carol-Passw0rd!", nil)
			require.NoError(t, err)
			r := signinRun(t, "", false, m.signinArgs("-username", "carol", "-password", "Carol-Passw0rd!", "-flow", "password")...)
			require.Equal(t, 0, r.code, r.stderr)
			tk := signinDecodeTokens(t, r.stdout)
			rt := tk["RefreshToken"].(string)
			claims, err := cognito.ParseClaims(tk["IdToken"].(string))
			require.NoError(t, err)

			args := []string{"refresh", "-user-pool-id", m.poolID, "-client-id", m.clientID, "-refresh-token", rt}
			if withSecret {
				args = append(args, "-client-secret", m.secret, "-username", claims.CognitoUsername())
			}
			r = signinRun(t, "", false, args...)
			require.Equal(t, 0, r.code, r.stderr)
			nt := signinDecodeTokens(t, r.stdout)
			assert.Equal(t, rt, nt["RefreshToken"], "the refresh token is kept")
			assert.NotEmpty(t, nt["AccessToken"])

			bad := []string{"refresh", "-user-pool-id", m.poolID, "-client-id", m.clientID, "-refresh-token", "revoked-token-value"}
			if withSecret {
				bad = append(bad, "-client-secret", m.secret, "-username", claims.CognitoUsername())
			}
			r = signinRun(t, "", false, bad...)
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stderr, "NotAuthorizedException")
			assert.NotContains(t, r.stderr, "revoked-token-value")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
		})
	}
}
