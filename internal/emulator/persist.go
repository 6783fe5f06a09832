package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
)

var cryptoRand = rand.Reader

// stateFile is the on-disk shape of the whole emulator: one section per
// service. The user pools' section is kept at the top level under
// "pools", where state files before the sections were introduced have it.
type stateFile struct {
	Version  int                        `json:"version"`
	Pools    json.RawMessage            `json:"pools"`
	Sections map[string]json.RawMessage `json:"sections,omitempty"`
}

const stateVersion = 1

// PoolsSection is the name of the section stored at the state file's top
// level as "pools" (the user pools').
const PoolsSection = "pools"

// Section is a named part of the persisted state, owned by one service.
type Section struct {
	// Snapshot returns a JSON-serialisable copy of the service's state,
	// taken under the service's own lock, never the host's.
	Snapshot func() (any, error)
	// Restore replaces the service's state with what an earlier
	// Snapshot returned. It is called at most once, by Load, before the
	// host serves.
	Restore func(raw json.RawMessage) error
}

type persister struct {
	path string
	fs   FS // nil: the operating system's
	logf func(format string, args ...any)

	sections map[string]Section

	seq      atomic.Uint64 // mutations announced
	mu       sync.Mutex    // serialises writes
	savedSeq uint64        // newest announced mutation on disk (guarded by mu)
}

// AddSection declares a service's persisted state. Call it before Load.
// It panics when the name is taken.
func (h *Host) AddSection(name string, s Section) {
	if h.store.sections == nil {
		h.store.sections = map[string]Section{}
	}
	if _, dup := h.store.sections[name]; dup {
		panic("emulator: state section added twice: " + name)
	}
	h.store.sections[name] = s
}

// Load restores every section from Config.StatePath, when the file exists.
// Sections the file has but no service declared are ignored.
func (h *Host) Load() error {
	path := h.store.path
	if path == "" {
		return nil
	}
	removeStaleTemps(path)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cognitotest: read state: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("cognitotest: parse state file %s: %w", path, err)
	}
	if f.Version != stateVersion {
		return fmt.Errorf("cognitotest: state file %s has version %d, want %d", path, f.Version, stateVersion)
	}
	if len(f.Pools) > 0 {
		if f.Sections == nil {
			f.Sections = map[string]json.RawMessage{}
		}
		f.Sections[PoolsSection] = f.Pools
	}
	for _, name := range sortedKeys(f.Sections) {
		sec, ok := h.store.sections[name]
		if !ok {
			continue // a service this build does not serve
		}
		if err := sec.Restore(f.Sections[name]); err != nil {
			return fmt.Errorf("cognitotest: state file %s: section %q: %w", path, name, err)
		}
	}
	return nil
}

// Persist writes the state of every section to Config.StatePath,
// atomically (a temporary file in the same directory, fsync, rename, fsync
// of the directory). Call it after a mutation, holding no service lock; it
// returns once a state at least as new as the caller's change is on disk.
func (h *Host) Persist() error {
	p := &h.store
	if p.path == "" {
		return nil
	}
	seq := p.seq.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq <= p.savedSeq {
		return nil // a later snapshot, which includes this change, is on disk
	}
	cur := p.seq.Load() // every mutation announced so far is in what follows
	f := stateFile{Version: stateVersion, Sections: map[string]json.RawMessage{}}
	for _, name := range sortedKeys(p.sections) {
		v, err := p.sections[name].Snapshot()
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", name, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", name, err)
		}
		if name == PoolsSection {
			f.Pools = raw
		} else {
			f.Sections[name] = raw
		}
	}
	b, err := json.Marshal(&f)
	if err != nil {
		return err
	}
	fsys := p.fs
	if fsys == nil {
		fsys = OSFS{}
	}
	if err := writeFileAtomic(fsys, p.path, b); err != nil {
		return err
	}
	p.savedSeq = cur
	return nil
}

// SetStateFS makes the state file be written through fsys (tests).
// Call it before the host serves.
func (h *Host) SetStateFS(fsys FS) { h.store.fs = fsys }

// LockPersist takes the persistence lock (tests that change the state
// FS's behaviour between writes); call the returned function to release it.
func (h *Host) LockPersist() (unlock func()) {
	h.store.mu.Lock()
	return h.store.mu.Unlock
}

// PersistOrLog is Persist for callers that cannot answer an error (a
// service's change hook): a failure is logged.
func (h *Host) PersistOrLog() {
	if err := h.Persist(); err != nil {
		h.Logf("cognitotest: could not persist state: %v", err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tempPattern is the name pattern of the temporary files writeFileAtomic
// renames over path.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// removeStaleTemps deletes the temporary files a process killed in the
// middle of a write left next to path (they are never complete states
// that were acknowledged: the rename is what commits a write).
func removeStaleTemps(path string) {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, n := range names {
		_ = os.Remove(n)
	}
}

// FS is the file system the state file is written through; tests replace
// it (SetStateFS) to observe the write sequence or fail it part way.
type FS interface {
	CreateTemp(dir, pattern string) (TempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	SyncDir(dir string) error
}

// TempFile is the part of *os.File the state write uses.
type TempFile interface {
	Name() string
	Chmod(mode os.FileMode) error
	Write(b []byte) (int, error)
	Sync() error
	Close() error
}

// OSFS is the operating system's file system, the default FS.
type OSFS struct{}

func (OSFS) CreateTemp(dir, pattern string) (TempFile, error) { return os.CreateTemp(dir, pattern) }
func (OSFS) Rename(oldpath, newpath string) error             { return os.Rename(oldpath, newpath) }
func (OSFS) Remove(name string) error                         { return os.Remove(name) }
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func writeFileAtomic(fsys FS, path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := fsys.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = fsys.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return fsys.SyncDir(dir)
}

// JSONSection is a Section whose restore decodes the saved JSON into a T
// and hands it to restore.
func JSONSection[T any](snapshot func() (any, error), restore func(*T) error) Section {
	return Section{Snapshot: snapshot, Restore: func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return restore(&v)
	}}
}
