package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/cognitokit/cognitokit/internal/atomicfile"
)

// FileStore is an IDStore kept in one JSON file, so that a command-line
// program keeps its identity between runs: a guest stays the same guest,
// and a signed-in user skips GetId. The file is written atomically
// (temporary file, fsync, rename) with mode 0600; writes within a process
// are serialised. Identity IDs are not secrets, but they are a user's
// stable identifier.
type FileStore struct {
	// Path is the file. DefaultFileStore puts it under the user's
	// configuration directory.
	Path string

	mu sync.Mutex
}

var _ IDStore = (*FileStore)(nil)

// DefaultFileStore returns a FileStore at
// os.UserConfigDir()/cognitokit/identity-ids.json.
func DefaultFileStore() (*FileStore, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("identity: file store: %w", err)
	}
	return &FileStore{Path: filepath.Join(dir, "cognitokit", "identity-ids.json")}, nil
}

type fileStoreData struct {
	Version int               `json:"version"`
	IDs     map[string]string `json:"ids"` // StoreKey.String() → identity ID
}

func (s *FileStore) read() (fileStoreData, error) {
	d := fileStoreData{Version: 1, IDs: map[string]string{}}
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("identity: file store: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil || d.Version != 1 {
		return d, fmt.Errorf("identity: file store: %s is not a cognitokit identity-ID file", s.Path)
	}
	if d.IDs == nil {
		d.IDs = map[string]string{}
	}
	return d, nil
}

func (s *FileStore) update(fn func(ids map[string]string)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	fn(d.IDs)
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("identity: file store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("identity: file store: %w", err)
	}
	if err := atomicfile.Write(s.Path, b, 0o600); err != nil {
		return fmt.Errorf("identity: file store: %w", err)
	}
	return nil
}

// IdentityID implements IDStore.
func (s *FileStore) IdentityID(_ context.Context, key StoreKey) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return "", err
	}
	return d.IDs[key.String()], nil
}

// SetIdentityID implements IDStore.
func (s *FileStore) SetIdentityID(_ context.Context, key StoreKey, id string) error {
	return s.update(func(ids map[string]string) { ids[key.String()] = id })
}

// DeleteIdentityID implements IDStore.
func (s *FileStore) DeleteIdentityID(_ context.Context, key StoreKey) error {
	return s.update(func(ids map[string]string) { delete(ids, key.String()) })
}
