package websession

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
)

// MemoryStore is the default Store: the tokens of each session in memory,
// dropped once their refresh token can no longer have been valid
// (MaxAge after the last save). It is safe for concurrent use. A service
// running several instances needs a shared Store instead (any
// cognito.TokenStore: a database, Redis…), keyed by session ID.
type MemoryStore struct {
	// MaxAge bounds how long an entry is kept after its last save.
	// Default 30 days, Cognito's default refresh-token lifetime.
	MaxAge time.Duration

	mu      sync.Mutex
	entries map[string]memEntry
	saves   int
}

type memEntry struct {
	t     cognito.Tokens
	saved time.Time
}

var _ cognito.TokenStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (s *MemoryStore) maxAge() time.Duration {
	if s.MaxAge > 0 {
		return s.MaxAge
	}
	return 30 * 24 * time.Hour
}

// Load implements cognito.TokenStore.
func (s *MemoryStore) Load(_ context.Context, key string) (*cognito.Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || time.Since(e.saved) > s.maxAge() {
		delete(s.entries, key)
		return nil, fmt.Errorf("%w for this session", cognito.ErrNoStoredTokens)
	}
	t := e.t
	return &t, nil
}

// Save implements cognito.TokenStore.
func (s *MemoryStore) Save(_ context.Context, key string, t *cognito.Tokens) error {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		s.entries = map[string]memEntry{}
	}
	s.entries[key] = memEntry{t: *t, saved: now}
	// Sweep expired entries now and then, so abandoned sessions do not
	// accumulate.
	if s.saves++; s.saves%1024 == 0 {
		for k, e := range s.entries {
			if now.Sub(e.saved) > s.maxAge() {
				delete(s.entries, k)
			}
		}
	}
	return nil
}

// Delete implements cognito.TokenStore.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.entries, key)
	return nil
}

// Len returns the number of sessions held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}
