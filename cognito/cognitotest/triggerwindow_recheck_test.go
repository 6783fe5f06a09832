package cognitotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTriggerWindowsRecheck: a trigger runs with the emulator's lock
// released and may change what the operation read before it (here, by
// calling the emulator back). Whatever it deleted, the operation notices
// afterwards: no tokens for a user, client or pool that is gone, and no
// user stored in a pool that is gone.
func TestTriggerWindowsRecheck(t *testing.T) {
	deleteOn := func(f *fixture, src string, del func() error) func(map[string]any) (any, error) {
		return func(ev map[string]any) (any, error) {
			if ev["triggerSource"] == src {
				return nil, del()
			}
			return nil, nil
		}
	}
	t.Run("pre authentication deletes the user of an SRP sign-in", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, authConfig, nil)
		rec.reset(deleteOn(f, "PreAuthentication_Authentication", func() error {
			_, err := f.c.AdminDeleteUser(ctx(), &cip.AdminDeleteUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
			return err
		}))
		_, ch, err := srpStart(t, f, "alice", nil)
		require.Error(t, err, "no SRP challenge for a user deleted meanwhile")
		assert.Nil(t, ch)
		assert.Contains(t, []string{"UserNotFoundException", "NotAuthorizedException"}, code(err))
	})
	t.Run("pre authentication deletes the app client", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, authConfig, nil)
		rec.reset(deleteOn(f, "PreAuthentication_Authentication", func() error {
			_, err := f.c.DeleteUserPoolClient(ctx(), &cip.DeleteUserPoolClientInput{UserPoolId: &f.pool, ClientId: &f.client.ID})
			return err
		}))
		_, ch, err := srpStart(t, f, "alice", nil)
		require.Error(t, err)
		assert.Nil(t, ch)
		assert.Equal(t, "ResourceNotFoundException", code(err))
	})
	t.Run("pre sign-up deletes the pool", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, types.LambdaConfigType{PreSignUp: aws.String(recARN)}, nil)
		rec.reset(deleteOn(f, "PreSignUp_SignUp", func() error {
			_, err := f.c.DeleteUserPool(ctx(), &cip.DeleteUserPoolInput{UserPoolId: &f.pool})
			return err
		}))
		_, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), Password: aws.String(testPassword)})
		require.Error(t, err)
		assert.Equal(t, "ResourceNotFoundException", code(err))
		assert.False(t, f.s.up.HasUser(f.pool, "bob"))
	})
	t.Run("user migration deletes the pool", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, types.LambdaConfigType{UserMigration: aws.String(recARN)}, nil)
		rec.reset(func(ev map[string]any) (any, error) {
			if ev["triggerSource"] != "UserMigration_Authentication" {
				return nil, nil
			}
			if _, err := f.c.DeleteUserPool(ctx(), &cip.DeleteUserPoolInput{UserPoolId: &f.pool}); err != nil {
				return nil, err
			}
			return map[string]any{"userAttributes": map[string]string{"email": "carol@example.com"},
				"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}, nil
		})
		out, err := passwordSignIn(f, "carol", testPassword)
		require.Error(t, err)
		assert.Nil(t, out)
		assert.Equal(t, "ResourceNotFoundException", code(err))
	})
}
