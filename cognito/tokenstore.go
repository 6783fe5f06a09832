package cognito

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/atomicfile"
)

// ErrNoStoredTokens is returned by TokenStore.Load (and RestoreSession)
// when nothing is stored under the key.
var ErrNoStoredTokens = errors.New("cognito: no stored tokens")

// TokenStore keeps a user's tokens between runs of a program, so that a CLI
// signed in once (LoginWithBrowser, SignIn) restores its Session next time
// instead of asking again. Implementations must be safe for concurrent use.
// Tokens are bearer credentials: a store must keep them from other users
// (FileTokenStore writes 0600 files in a 0700 directory).
type TokenStore interface {
	// Load returns the tokens stored under key, or an error wrapping
	// ErrNoStoredTokens.
	Load(ctx context.Context, key string) (*Tokens, error)
	// Save stores t under key, replacing what was there.
	Save(ctx context.Context, key string, t *Tokens) error
	// Delete forgets key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// TokenStoreKey is the default key of a user pool's app client in a
// TokenStore: one entry per pool and client.
func TokenStoreKey(userPoolID, clientID string) string { return userPoolID + "/" + clientID }

// FileTokenStore is a TokenStore keeping one JSON file per key in Dir,
// written atomically (temporary file, fsync, rename) with mode 0600 in a
// directory of mode 0700.
type FileTokenStore struct {
	// Dir is the directory of the files.
	Dir string

	mu sync.Mutex // serialises writers within the process
}

var _ TokenStore = (*FileTokenStore)(nil)

// DefaultTokenStore returns a FileTokenStore under the user's
// configuration directory (os.UserConfigDir()/cognitokit/tokens, e.g.
// ~/.config/cognitokit/tokens on Linux).
func DefaultTokenStore() (*FileTokenStore, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("cognito: token store: %w", err)
	}
	return &FileTokenStore{Dir: filepath.Join(dir, "cognitokit", "tokens")}, nil
}

// storedTokens is the file format: the Tokens' fields, versioned.
type storedTokens struct {
	Version      int        `json:"version"`
	Key          string     `json:"key"`
	IDToken      string     `json:"id_token,omitempty"`
	AccessToken  string     `json:"access_token,omitempty"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	TokenType    string     `json:"token_type,omitempty"`
	ExpiresIn    int64      `json:"expires_in,omitempty"`
	Expiry       time.Time  `json:"expiry"`
	Username     string     `json:"username,omitempty"`
	SignInName   string     `json:"sign_in_name,omitempty"`
	Device       *NewDevice `json:"device,omitempty"`
}

// path is the file of key: a hash, so that any key is a safe file name.
func (s *FileTokenStore) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.Dir, hex.EncodeToString(sum[:16])+".json")
}

// Load implements TokenStore.
func (s *FileTokenStore) Load(_ context.Context, key string) (*Tokens, error) {
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for %s", ErrNoStoredTokens, key)
	}
	if err != nil {
		return nil, fmt.Errorf("cognito: token store: %w", err)
	}
	var st storedTokens
	if err := json.Unmarshal(b, &st); err != nil || st.Version != 1 || st.Key != key {
		return nil, fmt.Errorf("cognito: token store: %s: unreadable entry for %s", s.path(key), key)
	}
	return &Tokens{IDToken: st.IDToken, AccessToken: st.AccessToken, RefreshToken: st.RefreshToken,
		TokenType: st.TokenType, ExpiresIn: time.Duration(st.ExpiresIn) * time.Second, Expiry: st.Expiry,
		Username: st.Username, NewDevice: st.Device, signInName: st.SignInName}, nil
}

// Save implements TokenStore.
func (s *FileTokenStore) Save(_ context.Context, key string, t *Tokens) error {
	if t == nil {
		return errors.New("cognito: token store: nil tokens")
	}
	b, err := json.Marshal(storedTokens{Version: 1, Key: key, IDToken: t.IDToken, AccessToken: t.AccessToken,
		RefreshToken: t.RefreshToken, TokenType: t.TokenType, ExpiresIn: int64(t.ExpiresIn / time.Second),
		Expiry: t.Expiry, Username: t.Username, SignInName: t.signInName, Device: t.NewDevice})
	if err != nil {
		return fmt.Errorf("cognito: token store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("cognito: token store: %w", err)
	}
	if err := atomicfile.Write(s.path(key), b, 0o600); err != nil {
		return fmt.Errorf("cognito: token store: %w", err)
	}
	return nil
}

// Delete implements TokenStore.
func (s *FileTokenStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cognito: token store: %w", err)
	}
	return nil
}

// save stores t when the session has a store.
func (s *Session) save(ctx context.Context, t *Tokens) {
	if s.store == nil {
		return
	}
	if err := s.store.Save(ctx, s.storeKey, t); err != nil && s.onStore != nil {
		s.onStore(err)
	}
}

// Save stores the session's current tokens in its Store (SessionOptions);
// call it once after sign-in. Refreshes save by themselves.
func (s *Session) Save(ctx context.Context) error {
	if s.store == nil {
		return errors.New("cognito: session has no Store (SessionOptions.Store)")
	}
	return s.store.Save(ctx, s.storeKey, s.Current())
}

// Forget deletes the session's entry from its Store (sign-out of a CLI).
func (s *Session) Forget(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	return s.store.Delete(ctx, s.storeKey)
}

// RestoreSession returns the Session stored for this pool and client in
// store (under SessionOptions.StoreKey when set), which keeps saving its
// tokens there after each refresh. It fails with ErrNoStoredTokens when
// there is none; tokens that expired are refreshed at first use, and a
// refresh token Cognito refuses gives ErrNotAuthorized then: sign in again.
func (c *Client) RestoreSession(ctx context.Context, store TokenStore, optFns ...func(*SessionOptions)) (*Session, error) {
	return restoreSession(ctx, store, TokenStoreKey(c.userPoolID, c.clientID), optFns, func(t *Tokens, fns []func(*SessionOptions)) *Session {
		return c.NewSession(t, fns...)
	})
}

func restoreSession(ctx context.Context, store TokenStore, key string, optFns []func(*SessionOptions), mk func(*Tokens, []func(*SessionOptions)) *Session) (*Session, error) {
	o := SessionOptions{StoreKey: key}
	for _, fn := range optFns {
		fn(&o)
	}
	t, err := store.Load(ctx, o.StoreKey)
	if err != nil {
		return nil, err
	}
	fns := append(append([]func(*SessionOptions){}, optFns...), func(so *SessionOptions) { so.Store = store; so.StoreKey = o.StoreKey })
	return mk(t, fns), nil
}
