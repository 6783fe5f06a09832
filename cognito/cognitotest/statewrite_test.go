package cognitotest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

var errDiskGone = errors.New("disk gone")

// TestStateFileIsDatabase: -state is the embedded database (bbolt's
// magic in the file, mode 0600), each user under its own key, and the
// server holds its lock while it runs.
func TestStateFileIsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s := NewServer(func(o *Options) { o.StatePath = path })
	pool := s.MustCreateUserPool(PoolOptions{})
	s.MustCreateUser(pool, "alice", testPassword, nil)
	_, err := store.Open(path, func(o *store.Options) { o.LockTimeout = 50e6 })
	require.ErrorIs(t, err, store.ErrLocked, "the running server holds the file")
	s.Close()

	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	db, err := store.Open(path, func(o *store.Options) { o.ReadOnly = true })
	require.NoError(t, err)
	defer db.Close()
	var u map[string]any
	require.NoError(t, db.View(func(tx *store.Tx) error { return tx.Get(store.Path{"userpool", pool, "users"}, "alice", &u) }))
	assert.Equal(t, "alice", u["username"])
	_, err = store.Open(filepath.Join(t.TempDir(), "x"), func(o *store.Options) { o.ReadOnly = true })
	assert.Error(t, err, "a missing file cannot be opened read-only")
}

// TestStateWriteFailureKeepsPreviousState: a write that fails (a full
// disk) keeps the state on disk as it was, the request that caused it is
// told, and the next successful write stores everything again, the change
// whose write failed included (regression: the failed write's marks must
// not be lost).
func TestStateWriteFailureKeepsPreviousState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s := NewServer(func(o *Options) { o.StatePath = path })
	pool := s.MustCreateUserPool(PoolOptions{})

	s.host.SetPersistFault(func() error { return errDiskGone })
	_, err := idp(s).AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("bob")})
	requireCode(t, err, "InternalErrorException")
	s.Close()

	s2, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
	require.NoError(t, err)
	assert.True(t, s2.up.HasPool(pool), "the previous state loads")
	assert.False(t, s2.up.HasUser(pool, "bob"), "the failed write left nothing")
	s2.Close()

	s3 := NewServer(func(o *Options) { o.StatePath = path })
	s3.host.SetPersistFault(func() error { return errDiskGone })
	_, err = idp(s3).AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("bob")})
	requireCode(t, err, "InternalErrorException")
	s3.host.SetPersistFault(nil)
	_, err = idp(s3).AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("carol")})
	require.NoError(t, err)
	s3.Close()

	s4, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
	require.NoError(t, err)
	defer s4.Close()
	assert.True(t, s4.up.HasUser(pool, "carol"))
	assert.True(t, s4.up.HasUser(pool, "bob"), "the change whose write failed is written with the next one")
}
