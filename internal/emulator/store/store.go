package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FormatVersion is the version of the on-disk layout this build writes and
// the highest it reads (see the package doc). It is stored in the _meta
// bucket under "format".
const FormatVersion = 1

// MaxKeyLen is the longest key or bucket name, in bytes (bbolt's limit).
const MaxKeyLen = bolt.MaxKeySize

// DefaultLockTimeout is how long Open waits for another process to release
// the state file before it fails with ErrLocked.
const DefaultLockTimeout = time.Second

// metaBucket holds the store's own records: the format version, each
// service's schema version, and legacy sections kept for a later importer.
var (
	metaBucket    = []byte("_meta")
	formatKey     = []byte("format")
	schemasBucket = []byte("schemas")
	legacyBucket  = []byte("legacy")
)

// Path is a bucket path: a service name first ("userpool"), then nested
// bucket names ("eu-west-1_abc", "users"). Names starting with "_" are
// reserved for the store at the top level.
type Path []string

// String joins the path with "/" for messages.
func (p Path) String() string {
	if len(p) == 0 {
		return "(root)"
	}
	return strings.Join(p, "/")
}

// Importer moves one section of a legacy JSON state file into the store. It
// receives the section's raw JSON and writes entities through tx; an error
// aborts the whole migration and leaves the JSON file untouched.
type Importer func(tx *Tx, raw json.RawMessage) error

// Options configure Open. The zero value is usable.
type Options struct {
	// LockTimeout bounds the wait for the file lock; 0 means
	// DefaultLockTimeout. Another process holding the file makes Open fail
	// with ErrLocked after this long.
	LockTimeout time.Duration
	// ReadOnly opens the file with a shared lock and refuses writes. A
	// legacy JSON file is then migrated into a temporary database that
	// Close removes; the JSON file is not touched.
	ReadOnly bool
	// Importers, by legacy section name, migrate a JSON state file from
	// before the store ("pools" is the file's top-level user pools; the
	// others are the names under "sections"). A section with no importer
	// is kept verbatim (Tx.LegacySection) and handed to its importer on a
	// later Open that has one.
	Importers map[string]Importer
	// Logf, if set, receives one line per migration step.
	Logf func(format string, args ...any)
}

// Store is an open state file. Its methods are safe for concurrent use;
// write transactions are serialised, read transactions run in parallel with
// them and with each other.
type Store struct {
	db      *bolt.DB
	path    string // what the caller asked for
	tmpPath string // a temporary database to remove on Close
	opts    Options
}

// Open opens (creating if missing) the state database at path. If path
// holds a legacy JSON state file, Open migrates it first (see the package
// doc). Errors: ErrLocked when another process has the file open,
// *VersionError for a newer format, ErrCorrupt for a damaged file,
// *ImportError when a legacy section cannot be migrated.
func Open(path string, optFns ...func(*Options)) (*Store, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	s := &Store{path: path, opts: o}
	dbPath := path
	kind, err := detect(path)
	if err != nil {
		return nil, err
	}
	if kind == kindLegacyJSON {
		if dbPath, err = s.migrate(); err != nil {
			return nil, err
		}
	}
	db, err := openBolt(dbPath, o.ReadOnly, o.LockTimeout)
	if err != nil {
		s.removeTmp()
		return nil, err
	}
	s.db = db
	if err := s.init(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func openBolt(path string, readOnly bool, timeout time.Duration) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, bolt.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (waited %s)", ErrLocked, path, timeout)
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrChecksum), errors.Is(err, bolt.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s is not a readable state database: %v", ErrCorrupt, path, err)
	}
	return nil, fmt.Errorf("store: open %s: %w", path, err)
}

// init checks the format version (writing it on a new file) and hands any
// legacy section kept from an earlier migration to an importer registered
// now.
func (s *Store) init() error {
	check := func(tx *Tx) error {
		meta := tx.btx.Bucket(metaBucket)
		if meta == nil {
			return nil
		}
		raw := meta.Get(formatKey)
		if raw == nil {
			return nil
		}
		var v int
		if err := json.Unmarshal(raw, &v); err != nil {
			return &CorruptError{Path: Path{string(metaBucket)}, Key: string(formatKey), Err: err}
		}
		if v > FormatVersion || v < 1 {
			return &VersionError{File: s.path, Found: v, Supported: FormatVersion}
		}
		return nil
	}
	if s.opts.ReadOnly {
		return s.View(check)
	}
	return s.Update(func(tx *Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		if err := tx.writeFormat(); err != nil {
			return err
		}
		return s.runPendingImporters(tx)
	})
}

// writeFormat records FormatVersion in a new database.
func (tx *Tx) writeFormat() error {
	meta, err := tx.btx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	if meta.Get(formatKey) != nil {
		return nil
	}
	return meta.Put(formatKey, []byte(fmt.Sprint(FormatVersion)))
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock. It is safe to call twice.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	s.removeTmp()
	return err
}

func (s *Store) removeTmp() {
	if s.tmpPath != "" {
		_ = os.Remove(s.tmpPath)
		s.tmpPath = ""
	}
}

// Update runs fn in a write transaction. If fn returns nil the transaction
// is committed and fsynced before Update returns, so a change whose Update
// returned nil survives a crash or kill -9; if fn returns an error (or
// panics) nothing it wrote is kept and Update returns that error.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.run(true, fn)
}

// View runs fn in a read-only transaction: a consistent snapshot, unaffected
// by writes that commit while it runs.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.run(false, fn)
}

func (s *Store) run(write bool, fn func(tx *Tx) error) (err error) {
	if s.db == nil {
		return fmt.Errorf("store: %s: closed", s.path)
	}
	if write && s.opts.ReadOnly {
		return fmt.Errorf("%w: %s was opened read-only", ErrReadOnly, s.path)
	}
	// bbolt panics on some kinds of page damage (and fn may have a bug);
	// bbolt rolls the transaction back first, so the panic can become an
	// error here and nothing of the transaction is kept.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: %s: transaction aborted by a panic (a damaged file or a bug): %v", s.path, r)
		}
	}()
	wrap := func(btx *bolt.Tx) error { return fn(&Tx{btx: btx}) }
	if write {
		err = s.db.Update(wrap)
	} else {
		err = s.db.View(wrap)
	}
	return err
}
