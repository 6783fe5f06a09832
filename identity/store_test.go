package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

// failingStore fails the chosen operation.
type failingStore struct {
	identity.MemoryStore
	failGet, failSet, failDelete bool
}

var errStore = errors.New("disk full")

func (s *failingStore) IdentityID(ctx context.Context, k identity.StoreKey) (string, error) {
	if s.failGet {
		return "", errStore
	}
	return s.MemoryStore.IdentityID(ctx, k)
}

func (s *failingStore) SetIdentityID(ctx context.Context, k identity.StoreKey, id string) error {
	if s.failSet {
		return errStore
	}
	return s.MemoryStore.SetIdentityID(ctx, k, id)
}

func (s *failingStore) DeleteIdentityID(ctx context.Context, k identity.StoreKey) error {
	if s.failDelete {
		return errStore
	}
	return s.MemoryStore.DeleteIdentityID(ctx, k)
}

func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name  string
		store *failingStore
		ok    bool
	}{
		{"working store", &failingStore{}, true},
		{"get fails", &failingStore{failGet: true}, false},
		{"set fails", &failingStore{failSet: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCognito()
			p := identity.NewProvider(f, testPool, func(o *identity.Options) { o.Store = tt.store })
			_, err := p.Retrieve(ctx)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errStore)
			assert.Contains(t, err.Error(), "identity: store: disk full")
			assert.Zero(t, f.nGetCreds.Load(), "no exchange without a usable store")
		})
	}
	t.Run("delete fails on a guest retry", func(t *testing.T) {
		f := newFakeCognito()
		s := &failingStore{}
		p := identity.NewProvider(f, testPool, func(o *identity.Options) { o.Store = s })
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
			return nil, apiErr("ResourceNotFoundException", "gone")
		}
		s.failDelete = true
		_, err = p.Retrieve(ctx)
		require.ErrorIs(t, err, errStore)
	})
}
