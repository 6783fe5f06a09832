package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

var cryptoRand = rand.Reader

// PoolsSection is the name of the user pools' section: the top-level
// "pools" of a JSON state file from before the store
// (store.LegacyPoolsSection).
const PoolsSection = store.LegacyPoolsSection

// sectionKey is the key a whole-section value is stored under, in the
// bucket named after its section.
const sectionKey = "state"

// Section is a named part of the persisted state, owned by one service.
//
// A small section is stored as one value (Snapshot and Restore): after
// every mutation the host takes a snapshot and writes it when it differs
// from the last one written. A section that grows with its users stores
// each entity under its own key instead (Entities), so that a mutation
// writes what it changed and nothing else.
type Section struct {
	// Snapshot returns a JSON-serialisable copy of the service's state,
	// taken under the service's own lock, never the host's.
	Snapshot func() (any, error)
	// Restore replaces the service's state with what an earlier
	// Snapshot returned. It is called at most once, by Load, before the
	// host serves.
	Restore func(raw json.RawMessage) error
	// Entities, when set, replaces Snapshot and Restore for the store.
	Entities *Entities
}

// Entities is the entity-by-entity persistence of a section.
type Entities struct {
	// Load reads the service's entities at start (called once, by
	// Host.Load, before the host serves).
	Load func(tx *store.Tx) error
	// Save writes the entities changed since the last Save, or, when all
	// is true, replaces everything the service stored with its whole
	// state (after a failed write, whose changes the service had already
	// handed over). It runs inside the transaction that commits the
	// mutation, and takes the service's lock itself.
	Save func(tx *store.Tx, all bool) error
	// Import migrates the service's section of a JSON state file from
	// before the store.
	Import store.Importer
}

// SectionImporter is the store.Importer of a section stored as one value:
// it keeps the legacy JSON as it is, for Restore.
func SectionImporter(name string) store.Importer {
	return func(tx *store.Tx, raw json.RawMessage) error {
		if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
			return nil
		}
		return tx.PutRaw(store.Path{name}, sectionKey, raw)
	}
}

type persister struct {
	path string
	logf func(format string, args ...any)

	sections map[string]Section

	db       *store.Store
	seq      atomic.Uint64 // mutations announced
	mu       sync.Mutex    // serialises writes
	savedSeq uint64        // newest announced mutation on disk (guarded by mu)
	// last holds the bytes last written of each whole-value section
	// (guarded by mu).
	last map[string][]byte
	// loaded names the sections Load restored.
	loaded map[string]bool
	// all makes the next write replace every entity section whole, after
	// a write failed (guarded by mu).
	all bool
	// fault, set by tests, fails the next writes.
	fault func() error
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

// Importers returns the importer of every section declared so far, by
// legacy section name, for store.Options.Importers (cognitoctl state).
func (h *Host) Importers() map[string]store.Importer {
	out := map[string]store.Importer{}
	for name, sec := range h.store.sections {
		if sec.Entities != nil {
			out[name] = sec.Entities.Import
		} else {
			out[name] = SectionImporter(name)
		}
	}
	return out
}

// Load opens the state database at Config.StatePath (creating it when
// missing, migrating a JSON state file from before the store) and
// restores every section from it. The database stays open, locked against
// other processes, until Close. Called again, it restores the sections
// added since (a service mounted late). Errors: store.ErrLocked when another
// process has the file, store.ErrCorrupt, *store.VersionError and
// *store.ImportError from the store.
func (h *Host) Load() error {
	p := &h.store
	if p.path == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	db := p.db
	if db == nil {
		removeStaleTemps(p.path)
		var err error
		db, err = store.Open(p.path, func(o *store.Options) {
			o.Importers = h.Importers()
			o.Logf = p.logf
		})
		if err != nil {
			return fmt.Errorf("emulator: state file %s: %w", p.path, err)
		}
		p.last, p.loaded = map[string][]byte{}, map[string]bool{}
	}
	err := db.View(func(tx *store.Tx) error {
		for _, name := range sortedKeys(p.sections) {
			if p.loaded[name] {
				continue
			}
			p.loaded[name] = true
			sec := p.sections[name]
			if sec.Entities != nil {
				if err := sec.Entities.Load(tx); err != nil {
					return fmt.Errorf("section %q: %w", name, err)
				}
				continue
			}
			raw, err := tx.GetRaw(store.Path{name}, sectionKey)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := sec.Restore(raw); err != nil {
				return fmt.Errorf("section %q: %w", name, err)
			}
			p.last[name] = raw
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		p.db = nil
		return fmt.Errorf("emulator: state file %s: %w", p.path, err)
	}
	p.db = db
	return nil
}

// Close closes the state database, releasing its lock. It is safe to
// call more than once, and on a host without state.
func (h *Host) Close() error {
	p := &h.store
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.db == nil {
		return nil
	}
	err := p.db.Close()
	p.db = nil
	return err
}

// Persist writes what the mutations so far changed, in one transaction
// of the state database. Call it after a mutation, holding no service
// lock; it returns once a state at least as new as the caller's change is
// committed and fsynced, so the change survives kill -9.
func (h *Host) Persist() error {
	p := &h.store
	if p.path == "" {
		return nil
	}
	seq := p.seq.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq <= p.savedSeq {
		return nil // a later write, which includes this change, is committed
	}
	if p.db == nil {
		return errors.New("emulator: the state database is not open (Load was not called, or the host is closed)")
	}
	cur := p.seq.Load() // every mutation announced so far is in what follows
	all := p.all
	written := map[string][]byte{}
	err := p.db.Update(func(tx *store.Tx) error {
		if p.fault != nil {
			if err := p.fault(); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(p.sections) {
			sec := p.sections[name]
			if sec.Entities != nil {
				if err := sec.Entities.Save(tx, all); err != nil {
					return fmt.Errorf("save %s: %w", name, err)
				}
				continue
			}
			v, err := sec.Snapshot()
			if err != nil {
				return fmt.Errorf("snapshot %s: %w", name, err)
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("snapshot %s: %w", name, err)
			}
			if !all && bytes.Equal(raw, p.last[name]) {
				continue
			}
			if err := tx.PutRaw(store.Path{name}, sectionKey, raw); err != nil {
				return err
			}
			written[name] = raw
		}
		return nil
	})
	if err != nil {
		// The entity sections handed over their changes: write everything
		// next time.
		p.all = true
		return err
	}
	p.all = false
	for name, raw := range written {
		p.last[name] = raw
	}
	p.savedSeq = cur
	return nil
}

// SetPersistFault makes every following write fail with what fn returns,
// when it returns an error (tests: a full disk). Call it holding no lock;
// nil removes the fault.
func (h *Host) SetPersistFault(fn func() error) {
	h.store.mu.Lock()
	h.store.fault = fn
	h.store.mu.Unlock()
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

// removeStaleTemps deletes the temporary files (.FILE.tmp-*) that a
// version before the store, killed in the middle of a whole-file write,
// left next to path: they were never acknowledged states.
func removeStaleTemps(path string) {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	for _, n := range names {
		_ = os.Remove(n)
	}
}
