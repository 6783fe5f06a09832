package cognito_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
)

func TestFileTokenStore(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "t")
	s := &cognito.FileTokenStore{Dir: dir}
	_, err := s.Load(ctx, "pool/client")
	require.ErrorIs(t, err, cognito.ErrNoStoredTokens)
	require.NoError(t, s.Delete(ctx, "pool/client"), "deleting a missing key is fine")

	want := &cognito.Tokens{IDToken: "id", AccessToken: "acc", RefreshToken: "ref", TokenType: "Bearer",
		ExpiresIn: time.Hour, Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Username: "alice",
		NewDevice: &cognito.NewDevice{Key: "us-east-1_k", GroupKey: "g"}}
	require.NoError(t, s.Save(ctx, "pool/client", want))
	require.NoError(t, s.Save(ctx, "pool/other", &cognito.Tokens{AccessToken: "other"}))
	got, err := s.Load(ctx, "pool/client")
	require.NoError(t, err)
	assert.Equal(t, want.String(), got.String())
	assert.Equal(t, want.AccessToken, got.AccessToken)
	assert.Equal(t, want.RefreshToken, got.RefreshToken)
	assert.Equal(t, want.ExpiresIn, got.ExpiresIn)
	assert.True(t, want.Expiry.Equal(got.Expiry))
	other, err := s.Load(ctx, "pool/other")
	require.NoError(t, err)
	assert.Equal(t, "other", other.AccessToken, "one entry per key")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "no temporary files are left")
	for _, e := range entries {
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), []byte("{not json"), 0o600))
	}
	_, err = s.Load(ctx, "pool/client")
	require.Error(t, err)
	assert.NotErrorIs(t, err, cognito.ErrNoStoredTokens)
	assert.Contains(t, err.Error(), "unreadable entry")

	require.NoError(t, s.Delete(ctx, "pool/client"))
	_, err = s.Load(ctx, "pool/client")
	require.ErrorIs(t, err, cognito.ErrNoStoredTokens)

	blocked := &cognito.FileTokenStore{Dir: filepath.Join(dir, "file-not-dir")}
	require.NoError(t, os.WriteFile(blocked.Dir, nil, 0o600))
	assert.Error(t, blocked.Save(ctx, "k", want))
}
