package cognitotest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// TestSecurityReviewPutRole_RefusesPolicyItCannotEvaluate: PutRole and
// the seed config's roles[].policy used to accept a policy that was not
// JSON or that used Condition (now: an unknown condition operator);
// every call then got a 403 that said
// nothing about why. Both now refuse it with the parser's message.
func TestSecurityReviewPutRole_RefusesPolicyItCannotEvaluate(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:role/R"
	const good = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`
	bad := []struct{ name, policy, msg string }{
		{"not json", `Allow everything`, "not JSON"},
		{"unknown condition operator", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Boolean":{"aws:SecureTransport":"true"}}}]}`, `unknown Condition operator "Boolean"`},
		{"lower-case element", `{"Statement":[{"Effect":"Allow","action":"*","Resource":"*"}]}`, `"action" must be written "Action"`},
		{"duplicate effect", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Effect":"Allow"}]}`, `"Effect" is given twice`},
	}
	s := newServer(t)
	require.NoError(t, s.PutRole(Role{ARN: arn, Policy: good}))
	require.NoError(t, s.PutRole(Role{ARN: arn + "2"}), "no policy: allowed, and denied everything")
	for _, tc := range bad {
		t.Run("PutRole/"+tc.name, func(t *testing.T) {
			err := s.PutRole(Role{ARN: arn, Policy: tc.policy})
			require.ErrorIs(t, err, iampolicy.ErrInvalidPolicy)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), arn)
			r, ok := s.ids.Role(arn)
			require.True(t, ok)
			assert.Equal(t, good, r.Policy, "the role is left as it was")
		})
		t.Run("seed config/"+tc.name, func(t *testing.T) {
			doc := `{"roles": [{"arn": "` + arn + `", "policy": ` + quoteJSON(tc.policy) + `}]}`
			_, err := ParseSeedConfig(strings.NewReader(doc))
			require.ErrorIs(t, err, iampolicy.ErrInvalidPolicy)
			assert.Contains(t, err.Error(), "cognitotest: config: role "+arn+": policy:")
			assert.Contains(t, err.Error(), tc.msg)
			// A SeedConfig built in Go goes through PutRole.
			err = s.Seed(&SeedConfig{Roles: []Role{{ARN: arn, Policy: tc.policy}}})
			assert.ErrorIs(t, err, iampolicy.ErrInvalidPolicy)
		})
	}
	_, err := ParseSeedConfig(strings.NewReader(`{"roles": [{"policy": ` + quoteJSON(good) + `}]}`))
	assert.ErrorContains(t, err, "every role needs an arn")
	assert.Error(t, s.PutRole(Role{Policy: good}))
	cfg, err := ParseSeedConfig(strings.NewReader(`{"roles": [{"arn": "` + arn + `", "policy": ` + quoteJSON(good) + `}]}`))
	require.NoError(t, err)
	require.NoError(t, s.Seed(cfg))
}

func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
