package cognitotest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cognitokit/cognitokit/jwks"
)

// TestPreferredRoleFollowsPrecedence is the regression test of the
// finding "cognito:preferred_role is the first group's role": in a
// jwks-verified ID token, cognito:preferred_role is the role of the group
// with the lowest precedence among those with a role, and is left out when
// groups tied at that precedence have different roles (GroupType's
// Precedence in the service model); cognito:groups and cognito:roles
// follow precedence.
func TestPreferredRoleFollowsPrecedence(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	for _, g := range []struct {
		name, role string
		precedence int // -1: none
	}{
		{"five", role("five"), 5},
		{"one", role("one"), 1},
		{"one-other", role("other"), 1},
		{"one-same", role("one"), 1},
		{"zero-no-role", "", 0},
		{"none", role("none"), -1},
		{"none-other", role("none-other"), -1},
	} {
		f.s.MustCreateGroup(f.pool, g.name, g.role, g.precedence)
	}
	for i, tc := range []struct {
		name      string
		groups    []string
		preferred any // nil: left out
		order     []any
		roles     any
	}{
		{"the lowest precedence wins", []string{"five", "one"}, role("one"),
			[]any{"one", "five"}, []any{role("one"), role("five")}},
		{"a tie with different roles leaves it out", []string{"one", "one-other", "five"}, nil,
			[]any{"one", "one-other", "five"}, []any{role("one"), role("other"), role("five")}},
		// Whether Cognito lists a role twice in cognito:roles is not
		// documented; roles is not checked here.
		{"a tie with the same role keeps it", []string{"one-same", "one"}, role("one"),
			[]any{"one", "one-same"}, "unchecked"},
		{"a group without a role does not count", []string{"five", "zero-no-role"}, role("five"),
			[]any{"zero-no-role", "five"}, []any{role("five")}},
		{"no precedence comes after any", []string{"none", "five"}, role("five"),
			[]any{"five", "none"}, []any{role("five"), role("none")}},
		{"two without precedence and different roles leave it out", []string{"none", "none-other"}, nil,
			[]any{"none", "none-other"}, []any{role("none"), role("none-other")}},
		{"no role at all", []string{"zero-no-role"}, nil, []any{"zero-no-role"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := fmt.Sprintf("user%d", i)
			f.s.MustCreateUser(f.pool, user, testPassword, nil)
			for _, g := range tc.groups {
				f.s.MustAddUserToGroup(f.pool, user, g)
			}
			id := verifiedClaims(t, f.s, f.pool, f.client.ID, *mustTokens(t, f, user).IdToken, jwks.TokenUseID)
			assert.Equal(t, tc.preferred, claim(t, id, "cognito:preferred_role"))
			assert.Equal(t, tc.order, claim(t, id, "cognito:groups"))
			if tc.roles != "unchecked" {
				assert.Equal(t, tc.roles, claim(t, id, "cognito:roles"))
			}
		})
	}
}
