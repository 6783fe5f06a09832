package cognitotest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSRPSaltSign: by default the SRP SALTs are positive (real Cognito
// rarely sends a negative one, and pycognito fails on those);
// Options.NegativeSRPSalts makes every one negative, and sign-in still
// works with them — for known users and, alike, for the fake challenge of
// an unknown one.
func TestSRPSaltSign(t *testing.T) {
	const users = 24 // all of one sign by chance: 2^-24
	for _, tc := range []struct {
		name     string
		negative bool
	}{{"default: positive", false}, {"NegativeSRPSalts: negative", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, PoolOptions{}, ClientOptions{PreventUserExistenceErrors: true},
				func(o *Options) { o.NegativeSRPSalts = tc.negative })
			salts := []string{}
			for i := range users {
				name := fmt.Sprintf("user%02d", i)
				f.s.MustCreateUser(f.pool, name, testPassword, nil)
				sc, ch, err := srpStart(t, f, name, nil)
				require.NoError(t, err)
				salts = append(salts, ch.ChallengeParameters["SALT"])
				if i < 3 {
					_, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
					require.NoError(t, err, "sign-in with salt %s", ch.ChallengeParameters["SALT"])
				}
			}
			_, ch, err := srpStart(t, f, "nobody", nil)
			require.NoError(t, err)
			salts = append(salts, ch.ChallengeParameters["SALT"])
			for _, s := range salts {
				assert.Equal(t, tc.negative, strings.HasPrefix(s, "-"), "SALT %s", s)
			}
		})
	}
}
