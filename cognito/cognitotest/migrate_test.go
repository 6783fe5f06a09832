package cognitotest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

// The fixture testdata/legacy-state.json was written by the emulator
// before the state database (whole-file JSON): a pool with a client that
// allows USER_PASSWORD_AUTH, the users carol (Carol-Passw0rd!, e-mail) and
// dave, the group admins, and one refresh token of carol's.
const (
	legacyPool    = "us-east-1_5zxzTDiqn"
	legacyClient  = "oavv16c64m1o8qurfoo53quioe"
	legacyRefresh = "tNeF5qxOZFJWN1cT56yP7rS3qiaKdJJGYEjHAVWPQCsT-K2uX6zMddjbz-SAhU4W"
)

// TestLegacyStateImported: a JSON state file from before the database is
// imported on first start, entity by entity, and kept as a backup.
func TestLegacyStateImported(t *testing.T) {
	legacy, err := os.ReadFile("testdata/legacy-state.json")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, legacy, 0o600))

	s := NewServer(func(o *Options) { o.StatePath = path })
	c := idp(s)
	for _, u := range []string{"carol", "dave"} {
		assert.True(t, s.up.HasUser(legacyPool, u), u)
	}
	assert.False(t, s.up.HasUser(legacyPool, "erin"))
	assert.True(t, s.up.HasGroup(legacyPool, "admins"))
	out, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(legacyClient),
		AuthParameters: map[string]string{"REFRESH_TOKEN": legacyRefresh}})
	require.NoError(t, err, "the refresh token survives the migration")
	_, err = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	require.NoError(t, err)
	_, err = c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(legacyClient),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Carol-Passw0rd!"}})
	require.NoError(t, err, "the password verifier survives")
	_, err = c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(legacyClient),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Wrong-Passw0rd!"}})
	requireCode(t, err, "NotAuthorizedException")
	s.Close()

	backup, err := os.ReadFile(path + store.BackupSuffix)
	require.NoError(t, err)
	assert.Equal(t, legacy, backup, "the JSON file is kept byte for byte")
	db, err := store.Open(path, func(o *store.Options) { o.ReadOnly = true })
	require.NoError(t, err, "the state file is now the database")
	defer db.Close()
	var n int
	require.NoError(t, db.View(func(tx *store.Tx) error {
		return tx.ForEach(store.Path{"userpool", legacyPool, "users"}, func(store.Value) error { n++; return nil })
	}))
	assert.Equal(t, 2, n, "one entry per user")
}
