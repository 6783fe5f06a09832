package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Tx is a transaction, given to the function passed to Store.Update or
// Store.View. It must not be used after that function returns.
type Tx struct {
	btx *bolt.Tx
}

// Value is one stored entry, as returned by ForEach and Page. It owns a
// copy of the bytes, so it may be kept after the transaction.
type Value struct {
	Path Path
	Key  string
	Raw  json.RawMessage // the entry's JSON
}

// Decode unmarshals the entry into v. A value that is not valid JSON for v,
// or is JSON null, gives a *CorruptError naming the entry.
func (v Value) Decode(dst any) error {
	return decode(v.Path, v.Key, v.Raw, dst)
}

// Page is one page of entries in key order.
type Page struct {
	Entries []Value
	// More reports that entries follow the last one; pass its key as the
	// next call's after.
	More bool
}

func checkPath(p Path) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: empty bucket path", ErrInvalidPath)
	}
	if strings.HasPrefix(p[0], "_") {
		return fmt.Errorf("%w: service name %q is reserved", ErrInvalidPath, p[0])
	}
	for _, name := range p {
		if name == "" || len(name) > MaxKeyLen {
			return fmt.Errorf("%w: bucket name in %s is empty or longer than %d bytes", ErrInvalidPath, p, MaxKeyLen)
		}
	}
	return nil
}

func checkKey(p Path, key string) error {
	if err := checkPath(p); err != nil {
		return err
	}
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: key in %s is empty or longer than %d bytes", ErrInvalidPath, p, MaxKeyLen)
	}
	return nil
}

// bucket walks p without creating anything; it returns nil, nil when a
// bucket on the way is missing.
func (tx *Tx) bucket(p Path) (*bolt.Bucket, error) {
	b := tx.btx.Bucket([]byte(p[0]))
	for i := 1; b != nil && i < len(p); i++ {
		name := []byte(p[i])
		next := b.Bucket(name)
		if next == nil && b.Get(name) != nil {
			return nil, &CorruptError{Path: p[:i], Key: p[i], Err: errors.New("an entry where a bucket should be")}
		}
		b = next
	}
	return b, nil
}

// createBucket walks p, creating missing buckets.
func (tx *Tx) createBucket(p Path) (*bolt.Bucket, error) {
	b, err := tx.btx.CreateBucketIfNotExists([]byte(p[0]))
	for i := 1; err == nil && i < len(p); i++ {
		b, err = b.CreateBucketIfNotExists([]byte(p[i]))
	}
	if err != nil {
		return nil, tx.writeErr(p, "", err)
	}
	return b, nil
}

func (tx *Tx) writeErr(p Path, key string, err error) error {
	switch {
	case errors.Is(err, bolt.ErrTxNotWritable), errors.Is(err, bolt.ErrDatabaseReadOnly):
		return fmt.Errorf("%w: write to %s in a read-only transaction", ErrReadOnly, p)
	case errors.Is(err, bolt.ErrIncompatibleValue):
		return &CorruptError{Path: p, Key: key, Err: errors.New("a bucket and an entry share this name")}
	case errors.Is(err, bolt.ErrValueTooLarge):
		return fmt.Errorf("%w: %s key %q: %v", ErrInvalidValue, p, key, err)
	}
	return fmt.Errorf("store: %s: %w", p, err)
}

// Put stores v, JSON-encoded, under key in the bucket at path, creating
// the buckets on the way. A v that encodes to null is refused with
// ErrInvalidValue.
func (tx *Tx) Put(path Path, key string, v any) error {
	if err := checkKey(path, key); err != nil {
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %s key %q: %v", ErrInvalidValue, path, key, err)
	}
	return tx.PutRaw(path, key, raw)
}

// PutRaw stores raw JSON under key, as Put does; raw must be valid JSON
// and not null.
func (tx *Tx) PutRaw(path Path, key string, raw json.RawMessage) error {
	if err := checkKey(path, key); err != nil {
		return err
	}
	if !json.Valid(raw) || isNull(raw) {
		return fmt.Errorf("%w: %s key %q: not a JSON value, or null", ErrInvalidValue, path, key)
	}
	if !tx.btx.Writable() {
		return fmt.Errorf("%w: write to %s in a read-only transaction", ErrReadOnly, path)
	}
	b, err := tx.createBucket(path)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(key), raw); err != nil {
		return tx.writeErr(path, key, err)
	}
	return nil
}

func isNull(raw []byte) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// Get decodes the entry under key into v. A missing bucket or key gives
// ErrNotFound; an unreadable entry a *CorruptError.
func (tx *Tx) Get(path Path, key string, v any) error {
	raw, err := tx.GetRaw(path, key)
	if err != nil {
		return err
	}
	return decode(path, key, raw, v)
}

// GetRaw returns a copy of the JSON stored under key.
func (tx *Tx) GetRaw(path Path, key string) (json.RawMessage, error) {
	if err := checkKey(path, key); err != nil {
		return nil, err
	}
	b, err := tx.bucket(path)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("%w: bucket %s", ErrNotFound, path)
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		if b.Bucket([]byte(key)) != nil {
			return nil, &CorruptError{Path: path, Key: key, Err: errors.New("a bucket where an entry should be")}
		}
		return nil, fmt.Errorf("%w: %s key %q", ErrNotFound, path, key)
	}
	return append(json.RawMessage(nil), raw...), nil
}

func decode(path Path, key string, raw []byte, v any) error {
	if isNull(raw) {
		return &CorruptError{Path: path, Key: key, Err: errors.New("value is null")}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &CorruptError{Path: path, Key: key, Err: err}
	}
	return nil
}

// Delete removes the entry under key. A missing bucket or key gives
// ErrNotFound.
func (tx *Tx) Delete(path Path, key string) error {
	if err := checkKey(path, key); err != nil {
		return err
	}
	b, err := tx.bucket(path)
	if err != nil {
		return err
	}
	if b == nil || b.Get([]byte(key)) == nil {
		return fmt.Errorf("%w: %s key %q", ErrNotFound, path, key)
	}
	if err := b.Delete([]byte(key)); err != nil {
		return tx.writeErr(path, key, err)
	}
	return nil
}

// DeleteBucket removes the bucket at path with everything under it (for
// example a user pool with its users). A missing bucket gives ErrNotFound.
func (tx *Tx) DeleteBucket(path Path) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if !tx.btx.Writable() {
		return fmt.Errorf("%w: delete %s in a read-only transaction", ErrReadOnly, path)
	}
	var err error
	if len(path) == 1 {
		err = tx.btx.DeleteBucket([]byte(path[0]))
	} else {
		var parent *bolt.Bucket
		if parent, err = tx.bucket(path[:len(path)-1]); err != nil {
			return err
		}
		if parent == nil {
			return fmt.Errorf("%w: bucket %s", ErrNotFound, path)
		}
		err = parent.DeleteBucket([]byte(path[len(path)-1]))
	}
	if errors.Is(err, bolt.ErrBucketNotFound) {
		return fmt.Errorf("%w: bucket %s", ErrNotFound, path)
	}
	if err != nil {
		return tx.writeErr(path, "", err)
	}
	return nil
}

// ForEach calls fn for every entry of the bucket at path, in key order,
// skipping nested buckets. A missing bucket has no entries (fn is not
// called, ForEach returns nil). fn's error stops the walk and is returned.
func (tx *Tx) ForEach(path Path, fn func(v Value) error) error {
	if err := checkPath(path); err != nil {
		return err
	}
	b, err := tx.bucket(path)
	if err != nil || b == nil {
		return err
	}
	return b.ForEach(func(k, raw []byte) error {
		if raw == nil {
			return nil // a nested bucket
		}
		return fn(Value{Path: path, Key: string(k), Raw: append(json.RawMessage(nil), raw...)})
	})
}

// Buckets calls fn with the name of every bucket nested directly under
// path, in order. An empty path lists the services. A missing bucket has
// none.
func (tx *Tx) Buckets(path Path, fn func(name string) error) error {
	if len(path) == 0 {
		return tx.btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if bytes.HasPrefix(name, []byte("_")) {
				return nil
			}
			return fn(string(name))
		})
	}
	if err := checkPath(path); err != nil {
		return err
	}
	b, err := tx.bucket(path)
	if err != nil || b == nil {
		return err
	}
	return b.ForEachBucket(func(k []byte) error { return fn(string(k)) })
}

// Page returns up to limit entries of the bucket at path whose keys sort
// after after ("" starts at the first), in key order, skipping nested
// buckets. Its cost depends on limit, not on the bucket's size: it seeks
// with a cursor. A missing bucket gives an empty page.
func (tx *Tx) Page(path Path, after string, limit int) (Page, error) {
	if err := checkPath(path); err != nil {
		return Page{}, err
	}
	if limit < 1 {
		return Page{}, fmt.Errorf("%w: page limit %d, want at least 1", ErrInvalidArgument, limit)
	}
	b, err := tx.bucket(path)
	if err != nil || b == nil {
		return Page{}, err
	}
	c := b.Cursor()
	var k, v []byte
	if after == "" {
		k, v = c.First()
	} else {
		k, v = c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
	}
	var p Page
	for ; k != nil; k, v = c.Next() {
		if v == nil {
			continue // a nested bucket
		}
		if len(p.Entries) == limit {
			p.More = true
			break
		}
		p.Entries = append(p.Entries, Value{Path: path, Key: string(k), Raw: append(json.RawMessage(nil), v...)})
	}
	return p, nil
}

// SchemaVersion returns the schema version a service recorded with
// SetSchemaVersion, or 0 if it never did. Services use it to migrate their
// own entities when their types change.
func (tx *Tx) SchemaVersion(service string) (int, error) {
	if err := checkPath(Path{service}); err != nil {
		return 0, err
	}
	b := tx.btx.Bucket(metaBucket)
	if b != nil {
		b = b.Bucket(schemasBucket)
	}
	if b == nil {
		return 0, nil
	}
	raw := b.Get([]byte(service))
	if raw == nil {
		return 0, nil
	}
	var v int
	if err := decode(Path{string(metaBucket), string(schemasBucket)}, service, raw, &v); err != nil {
		return 0, err
	}
	return v, nil
}

// SetSchemaVersion records a service's schema version.
func (tx *Tx) SetSchemaVersion(service string, v int) error {
	if err := checkPath(Path{service}); err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("%w: schema version %d", ErrInvalidArgument, v)
	}
	if !tx.btx.Writable() {
		return fmt.Errorf("%w: set schema version in a read-only transaction", ErrReadOnly)
	}
	meta, err := tx.btx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	b, err := meta.CreateBucketIfNotExists(schemasBucket)
	if err != nil {
		return err
	}
	return b.Put([]byte(service), []byte(fmt.Sprint(v)))
}

// LegacySection returns a section of a migrated JSON state file that no
// importer took (see Options.Importers), and ErrNotFound if there is none.
func (tx *Tx) LegacySection(name string) (json.RawMessage, error) {
	b := tx.btx.Bucket(metaBucket)
	if b != nil {
		b = b.Bucket(legacyBucket)
	}
	var raw []byte
	if b != nil {
		raw = b.Get([]byte(name))
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: legacy section %q", ErrNotFound, name)
	}
	return append(json.RawMessage(nil), raw...), nil
}
