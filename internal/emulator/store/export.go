package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// ExportFormat is the "format" field of an export document.
const ExportFormat = "cognitokit-emulator-state"

// Document is the readable JSON form of a whole store, written by Export and
// read by Import:
//
//	{
//	  "format": "cognitokit-emulator-state",
//	  "version": 1,
//	  "services": {
//	    "userpool": {
//	      "schema": 1,
//	      "buckets": [
//	        {"path": ["eu-west-1_abc"], "entries": {"pool": {…}}},
//	        {"path": ["eu-west-1_abc", "users"], "entries": {"alice": {…}, "bob": {…}}}
//	      ]
//	    }
//	  },
//	  "legacy": {"someSection": {…}}
//	}
//
// Each service lists every bucket under it (empty ones too), by path below
// the service (an empty path for entries held by the service bucket
// itself), depth first in key order, with its entries by key. Values are
// the stored JSON, unchanged. Import replaces the whole store with a
// document's content.
type Document struct {
	Format   string                     `json:"format"`
	Version  int                        `json:"version"`
	Services map[string]*ServiceDump    `json:"services"`
	Legacy   map[string]json.RawMessage `json:"legacy,omitempty"`
}

// ServiceDump is one service's part of a Document.
type ServiceDump struct {
	Schema  int          `json:"schema,omitempty"`
	Buckets []BucketDump `json:"buckets"`
}

// BucketDump is one bucket: its path below the service and its entries.
type BucketDump struct {
	Path    []string                   `json:"path"`
	Entries map[string]json.RawMessage `json:"entries"`
}

// Export writes the whole store to w as an indented Document, from one
// consistent snapshot.
func (s *Store) Export(w io.Writer) error {
	doc := Document{Format: ExportFormat, Version: FormatVersion, Services: map[string]*ServiceDump{}}
	err := s.View(func(tx *Tx) error {
		err := tx.Buckets(nil, func(name string) error {
			sd := &ServiceDump{Buckets: []BucketDump{}}
			doc.Services[name] = sd
			return dumpBucket(tx.btx.Bucket([]byte(name)), nil, sd)
		})
		if err != nil {
			return err
		}
		meta := tx.btx.Bucket(metaBucket)
		if meta == nil {
			return nil
		}
		if sb := meta.Bucket(schemasBucket); sb != nil {
			err := sb.ForEach(func(k, _ []byte) error {
				v, err := tx.SchemaVersion(string(k))
				if err != nil {
					return err
				}
				sd := doc.Services[string(k)]
				if sd == nil {
					sd = &ServiceDump{Buckets: []BucketDump{}}
					doc.Services[string(k)] = sd
				}
				sd.Schema = v
				return nil
			})
			if err != nil {
				return err
			}
		}
		if lb := meta.Bucket(legacyBucket); lb != nil {
			doc.Legacy = map[string]json.RawMessage{}
			return lb.ForEach(func(k, v []byte) error {
				doc.Legacy[string(k)] = append(json.RawMessage(nil), v...)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	return nil
}

// dumpBucket appends b (at path below its service) and its nested buckets
// to sd, depth first in key order.
func dumpBucket(b *bolt.Bucket, path []string, sd *ServiceDump) error {
	bd := BucketDump{Path: append([]string{}, path...), Entries: map[string]json.RawMessage{}}
	err := b.ForEach(func(k, v []byte) error {
		if v != nil {
			bd.Entries[string(k)] = append(json.RawMessage(nil), v...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The service bucket itself is listed only when it holds entries.
	if len(path) > 0 || len(bd.Entries) > 0 {
		sd.Buckets = append(sd.Buckets, bd)
	}
	return b.ForEachBucket(func(k []byte) error {
		return dumpBucket(b.Bucket(k), append(path, string(k)), sd)
	})
}

// Import replaces the store's whole content with the Document read from r,
// in one transaction: every service bucket, schema version and legacy
// section is removed, then the document's are written. The document is
// checked in full first; on any error (*ImportError, wrapping ErrBadFormat
// or ErrInvalidPath) nothing changes.
func (s *Store) Import(r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return &ImportError{Section: "document", Err: fmt.Errorf("%w: %v", ErrBadFormat, err)}
	}
	if dec.More() {
		return &ImportError{Section: "document", Err: fmt.Errorf("%w: data after the document", ErrBadFormat)}
	}
	if err := doc.check(); err != nil {
		return err
	}
	return s.Update(func(tx *Tx) error {
		var old [][]byte
		err := tx.btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			old = append(old, append([]byte(nil), name...))
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range old {
			if !bytes.Equal(name, metaBucket) {
				if err := tx.btx.DeleteBucket(name); err != nil {
					return err
				}
			}
		}
		if meta := tx.btx.Bucket(metaBucket); meta != nil {
			for _, sub := range [][]byte{schemasBucket, legacyBucket} {
				if meta.Bucket(sub) != nil {
					if err := meta.DeleteBucket(sub); err != nil {
						return err
					}
				}
			}
		}
		if err := tx.writeFormat(); err != nil {
			return err
		}
		for svc, sd := range doc.Services {
			if sd.Schema != 0 {
				if err := tx.SetSchemaVersion(svc, sd.Schema); err != nil {
					return err
				}
			}
			for _, bd := range sd.Buckets {
				path := append(Path{svc}, bd.Path...)
				if _, err := tx.createBucket(path); err != nil {
					return err
				}
				for k, v := range bd.Entries {
					if err := tx.PutRaw(path, k, v); err != nil {
						return err
					}
				}
			}
		}
		for name, raw := range doc.Legacy {
			if err := tx.putLegacy(name, raw); err != nil {
				return err
			}
		}
		return nil
	})
}

// check validates a Document before anything is written.
func (doc *Document) check() error {
	bad := func(where string, format string, args ...any) error {
		return &ImportError{Section: where, Err: fmt.Errorf("%w: "+format, append([]any{ErrBadFormat}, args...)...)}
	}
	if doc.Format != ExportFormat {
		return bad("format", "format %q, want %q", doc.Format, ExportFormat)
	}
	if doc.Version < 1 || doc.Version > FormatVersion {
		return bad("version", "version %d; this build reads 1 to %d", doc.Version, FormatVersion)
	}
	for svc, sd := range doc.Services {
		where := "services." + svc
		if err := checkPath(Path{svc}); err != nil {
			return &ImportError{Section: where, Err: err}
		}
		if sd == nil {
			return bad(where, "null service")
		}
		if sd.Schema < 0 {
			return bad(where, "schema %d", sd.Schema)
		}
		for i, bd := range sd.Buckets {
			where := fmt.Sprintf("%s.buckets[%d]", where, i)
			path := append(Path{svc}, bd.Path...)
			if err := checkPath(path); err != nil {
				return &ImportError{Section: where, Err: err}
			}
			for k, v := range bd.Entries {
				if err := checkKey(path, k); err != nil {
					return &ImportError{Section: where, Err: err}
				}
				if len(v) == 0 || !json.Valid(v) || isNull(v) {
					return bad(where, "entry %q is null", k)
				}
			}
		}
	}
	for name, raw := range doc.Legacy {
		if name == "" || len(name) > MaxKeyLen || isNull(raw) {
			return bad("legacy."+name, "empty name or null section")
		}
	}
	return nil
}

// Empty reports whether the store holds no service data and no legacy
// section (schema versions alone do not count).
func (s *Store) Empty() (bool, error) {
	empty := true
	err := s.View(func(tx *Tx) error {
		err := tx.Buckets(nil, func(string) error { empty = false; return nil })
		if err != nil || !empty {
			return err
		}
		if meta := tx.btx.Bucket(metaBucket); meta != nil {
			if lb := meta.Bucket(legacyBucket); lb != nil {
				k, _ := lb.Cursor().First()
				empty = k == nil
			}
		}
		return nil
	})
	return empty, err
}
