package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"unicode"
)

// LegacyVersion is the version of the JSON state file this package migrates
// (the "version" field cognitotest wrote).
const LegacyVersion = 1

// BackupSuffix is appended to a migrated JSON state file's name: after
// migration, FILE is the database and FILE+BackupSuffix the JSON it came
// from, byte for byte.
const BackupSuffix = ".json-backup"

// migratingSuffix names the database being built during a migration; it
// becomes FILE only once complete and fsynced.
const migratingSuffix = ".migrating"

// LegacyPoolsSection is the section name under which the legacy file's
// top-level "pools" (the user pools) are handed to an importer.
const LegacyPoolsSection = "pools"

type fileKind int

const (
	kindNew fileKind = iota
	kindBolt
	kindLegacyJSON
)

// detect tells a legacy JSON state file (first non-space byte '{') from a
// database or a missing or empty file.
func detect(path string) (fileKind, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return kindNew, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("store: read %s: %w", path, err)
	}
	head = bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeftFunc(head, unicode.IsSpace)
	switch {
	case n == 0:
		return kindNew, nil
	case len(head) > 0 && head[0] == '{':
		return kindLegacyJSON, nil
	case n < 20 || !hasBoltMagic(head[16:20]):
		return 0, fmt.Errorf("%w: %s is not a readable state database (neither a bbolt file nor a JSON state file)", ErrCorrupt, path)
	}
	return kindBolt, nil
}

// boltMagic is bbolt's meta-page magic number, stored in the machine's byte
// order right after the 16-byte page header of the file's first page.
const boltMagic = 0xED0CDAED

func hasBoltMagic(b []byte) bool {
	return binary.LittleEndian.Uint32(b) == boltMagic || binary.BigEndian.Uint32(b) == boltMagic
}

// legacyFile is the shape cognitotest's JSON state file had: the user pools
// at the top level and one raw section per mounted service.
type legacyFile struct {
	Version  int                        `json:"version"`
	Pools    json.RawMessage            `json:"pools"`
	Sections map[string]json.RawMessage `json:"sections"`
}

// readLegacy parses a legacy state file into its sections, by name.
func readLegacy(path string) ([]byte, map[string]json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	var f legacyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, &ImportError{Section: path, Err: fmt.Errorf("%w: %v", ErrBadFormat, err)}
	}
	if f.Version != LegacyVersion {
		return nil, nil, &VersionError{File: path, Found: f.Version, Supported: LegacyVersion}
	}
	secs := map[string]json.RawMessage{}
	for name, raw := range f.Sections {
		if name == LegacyPoolsSection {
			return nil, nil, &ImportError{Section: name, Err: fmt.Errorf("%w: a section named %q clashes with the top-level pools", ErrBadFormat, name)}
		}
		if len(raw) > 0 && !isNull(raw) {
			secs[name] = raw
		}
	}
	if len(f.Pools) > 0 && !isNull(f.Pools) {
		secs[LegacyPoolsSection] = f.Pools
	}
	return b, secs, nil
}

// migrate turns the legacy JSON file at s.path into a database and returns
// the database's path. Steps, each safe to interrupt: build the database
// beside the file (FILE.migrating) and fsync it; write FILE.json-backup
// (fsynced); rename the database over FILE and fsync the directory. A crash
// before the rename leaves FILE as it was and the next Open starts over.
// Read-only stores migrate into a temporary file instead and leave FILE
// alone.
func (s *Store) migrate() (string, error) {
	orig, secs, err := readLegacy(s.path)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(s.path)
	var tmp string
	if s.opts.ReadOnly {
		f, err := os.CreateTemp("", "cognitokit-state-*.db")
		if err != nil {
			return "", fmt.Errorf("store: %w", err)
		}
		tmp = f.Name()
		f.Close()
		s.tmpPath = tmp
	} else {
		tmp = s.path + migratingSuffix
	}
	// A leftover from an interrupted migration is rebuilt from scratch.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("store: %w", err)
	}
	db, err := openBolt(tmp, false, s.opts.LockTimeout)
	if err != nil {
		return "", err
	}
	built := &Store{db: db, path: tmp, opts: Options{Importers: s.opts.Importers}}
	err = built.Update(func(tx *Tx) error {
		if err := tx.writeFormat(); err != nil {
			return err
		}
		return importSections(tx, secs, s.opts.Importers, s.logf)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		s.tmpPath = ""
		return "", err
	}
	if s.opts.ReadOnly {
		return tmp, nil
	}
	backup := s.path + BackupSuffix
	if old, err := os.ReadFile(backup); err == nil && !bytes.Equal(old, orig) {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("store: cannot migrate %s: %s already exists with other content; move it away first", s.path, backup)
	}
	if err := writeFileSync(backup, orig); err != nil {
		_ = os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("store: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", err
	}
	s.logf("store: migrated JSON state %s to a database; the JSON is kept as %s", s.path, backup)
	return s.path, nil
}

// importSections hands each section to its importer, in name order, and
// keeps the others verbatim under _meta/legacy.
func importSections(tx *Tx, secs map[string]json.RawMessage, importers map[string]Importer, logf func(string, ...any)) error {
	names := make([]string, 0, len(secs))
	for name := range secs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := secs[name]
		if imp := importers[name]; imp != nil {
			if err := imp(tx, raw); err != nil {
				return &ImportError{Section: name, Err: err}
			}
			logf("store: imported legacy section %q", name)
			continue
		}
		if err := tx.putLegacy(name, raw); err != nil {
			return err
		}
		logf("store: kept legacy section %q for a later importer", name)
	}
	return nil
}

func (tx *Tx) putLegacy(name string, raw json.RawMessage) error {
	if name == "" || len(name) > MaxKeyLen {
		return &ImportError{Section: name, Err: fmt.Errorf("%w: section name is empty or too long", ErrBadFormat)}
	}
	if !json.Valid(raw) {
		return &ImportError{Section: name, Err: fmt.Errorf("%w: not JSON", ErrBadFormat)}
	}
	meta, err := tx.btx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return tx.writeErr(Path{string(metaBucket)}, "", err)
	}
	b, err := meta.CreateBucketIfNotExists(legacyBucket)
	if err != nil {
		return tx.writeErr(Path{string(metaBucket)}, "", err)
	}
	return b.Put([]byte(name), raw)
}

// runPendingImporters hands legacy sections kept by an earlier migration to
// importers registered now, removing each one it imports.
func (s *Store) runPendingImporters(tx *Tx) error {
	meta := tx.btx.Bucket(metaBucket)
	if meta == nil || meta.Bucket(legacyBucket) == nil || len(s.opts.Importers) == 0 {
		return nil
	}
	lb := meta.Bucket(legacyBucket)
	pending := map[string]json.RawMessage{}
	for name := range s.opts.Importers {
		if raw := lb.Get([]byte(name)); raw != nil {
			pending[name] = append(json.RawMessage(nil), raw...)
		}
	}
	for name := range pending {
		if err := lb.Delete([]byte(name)); err != nil {
			return err
		}
	}
	return importSections(tx, pending, s.opts.Importers, s.logf)
}

func (s *Store) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// writeFileSync writes data to path (mode 0600) and fsyncs it.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("store: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", dir, err)
	}
	return nil
}
