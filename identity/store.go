package identity

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// StoreKey names one cached identity ID: an identity pool, the set of login
// providers in use (not their tokens, which change at every refresh), and an
// optional caller-chosen user name that keeps users apart when they share a
// store.
type StoreKey struct {
	// IdentityPoolID is the identity pool, e.g. "us-east-1:1a2b…".
	IdentityPoolID string
	// Providers is the sorted, comma-separated list of the Logins keys;
	// empty for a guest.
	Providers string
	// User is Options.User: empty unless the caller separates users.
	User string
}

// Guest reports whether the key is a guest's (no logins).
func (k StoreKey) Guest() bool { return k.Providers == "" }

// String returns "pool|providers|user"; it holds no secret.
func (k StoreKey) String() string {
	return k.IdentityPoolID + "|" + k.Providers + "|" + k.User
}

func storeKey(poolID, user string, logins map[string]string) StoreKey {
	if len(logins) == 0 {
		return StoreKey{IdentityPoolID: poolID, User: user}
	}
	names := make([]string, 0, len(logins))
	for k := range logins {
		names = append(names, k)
	}
	sort.Strings(names)
	return StoreKey{IdentityPoolID: poolID, Providers: strings.Join(names, ","), User: user}
}

// IDStore keeps identity IDs between refreshes (and, for a persistent
// implementation, between runs, so a guest keeps its identity). An identity
// ID is not a secret, but implementations must be safe for concurrent use.
type IDStore interface {
	// IdentityID returns the identity ID stored under key, or "" if none.
	IdentityID(ctx context.Context, key StoreKey) (string, error)
	// SetIdentityID stores id under key.
	SetIdentityID(ctx context.Context, key StoreKey, id string) error
	// DeleteIdentityID forgets the identity ID stored under key.
	DeleteIdentityID(ctx context.Context, key StoreKey) error
}

// MemoryStore is an in-memory IDStore, the default. The zero value is ready
// to use.
type MemoryStore struct {
	mu  sync.Mutex
	ids map[StoreKey]string
}

var _ IDStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// IdentityID implements IDStore.
func (s *MemoryStore) IdentityID(_ context.Context, key StoreKey) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[key], nil
}

// SetIdentityID implements IDStore.
func (s *MemoryStore) SetIdentityID(_ context.Context, key StoreKey, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = make(map[StoreKey]string)
	}
	s.ids[key] = id
	return nil
}

// DeleteIdentityID implements IDStore.
func (s *MemoryStore) DeleteIdentityID(_ context.Context, key StoreKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, key)
	return nil
}
