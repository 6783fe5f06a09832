package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
)

// prefixRE matches the package prefixes an error line may carry.
var prefixRE = regexp.MustCompile(`\b(cognitoctl|cognito|identity|jwks|sigv4client|srp): `)

// TestErrorsPrefixOnce is the regression test for error lines such as
// "cognito: RespondNewPassword: cognito: …": every failing command prints
// one line in which no package prefix appears twice.
func TestErrorsPrefixOnce(t *testing.T) {
	f := newFedEmulator(t)
	ctx := context.Background()
	admin := cognito.New(f.s.Config(), f.pool, f.client.ID)
	_, err := admin.AdminCreateUser(ctx, "pat", func(o *cognito.AdminCreateUserOptions) {
		o.TemporaryPassword = "Temp-Passw0rd-9!"
		o.SuppressMessage = true
	})
	require.NoError(t, err)
	pool := []string{"-user-pool-id", f.pool, "-client-id", f.client.ID}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"wrong password", append([]string{"signin", "-username", "alice", "-password", "Wrong-Passw0rd-1!"}, pool...), 1},
		{"unknown user", append([]string{"signin", "-username", "nobody", "-password", "Wrong-Passw0rd-1!"}, pool...), 1},
		{"new password refused by the policy", append([]string{"signin", "-username", "pat", "-password", "Temp-Passw0rd-9!", "-new-password", "short"}, pool...), 1},
		{"bad refresh token", append([]string{"refresh", "-refresh-token", "not-a-token"}, pool...), 1},
		{"refused ID token", []string{"credentials", "-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-id-token", "not.a.token"}, 1},
		{"sign-in before credentials fails", []string{"credentials", "-identity-pool-id", f.idPool, "-user-pool-id", f.pool, "-client-id", f.client.ID, "-username", "alice", "-password", "Wrong-Passw0rd-1!"}, 1},
		{"missing flags", []string{"signin"}, 2},
		{"unknown identity pool", []string{"credentials", "-identity-pool-id", "us-east-1:00000000-0000-0000-0000-000000000000"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCredentialsCLI(t, f.vars, "", tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Empty(t, stdout)
			require.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			seen := map[string]bool{}
			for _, m := range prefixRE.FindAllStringSubmatch(stderr, -1) {
				assert.False(t, seen[m[1]], "prefix %q twice in %q", m[1], stderr)
				seen[m[1]] = true
			}
		})
	}
}
