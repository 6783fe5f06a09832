package identity_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

// TestFileStoreKeepsTheGuestAcrossRuns: two providers (two runs of a CLI)
// sharing a FileStore are the same guest; a MemoryStore each is not.
func TestFileStoreKeepsTheGuestAcrossRuns(t *testing.T) {
	e := newEmulator(t)
	path := filepath.Join(t.TempDir(), "cfg", "identity-ids.json")
	run := func() string {
		p := e.provider(nil, func(o *identity.Options) { o.Store = &identity.FileStore{Path: path} })
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		return p.IdentityID()
	}
	first := run()
	require.NotEmpty(t, first)
	assert.Equal(t, first, run(), "the second run is the same guest")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	p := e.provider(nil)
	_, err = p.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first, p.IdentityID(), "without the file, a new guest")

	s := &identity.FileStore{Path: path}
	key := identity.StoreKey{IdentityPoolID: e.idPool}
	got, err := s.IdentityID(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, first, got)
	require.NoError(t, s.SetIdentityID(ctx, identity.StoreKey{IdentityPoolID: e.idPool, Providers: "graph.facebook.com"}, "other"))
	require.NoError(t, s.DeleteIdentityID(ctx, key))
	got, err = s.IdentityID(ctx, key)
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = s.IdentityID(ctx, identity.StoreKey{IdentityPoolID: e.idPool, Providers: "graph.facebook.com"})
	require.NoError(t, err)
	assert.Equal(t, "other", got, "other keys are kept")

	require.NoError(t, os.WriteFile(path, []byte("garbage"), 0o600))
	_, err = s.IdentityID(ctx, key)
	require.ErrorContains(t, err, "not a cognitokit identity-ID file")
	require.Error(t, s.SetIdentityID(ctx, key, "x"), "an unreadable file is not overwritten")
	b, _ := os.ReadFile(path)
	assert.Equal(t, "garbage", string(b))
}
