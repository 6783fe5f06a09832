package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these or is
// one of the typed errors below, so callers branch with errors.Is and
// errors.As rather than on text.
var (
	// ErrNotFound: the entry or bucket asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrCorrupt: stored data cannot be read (invalid JSON, a null value,
	// a key where a bucket should be, a damaged file). *CorruptError
	// matches it with errors.Is.
	ErrCorrupt = errors.New("store: corrupt data")
	// ErrInvalidPath: an empty or reserved bucket path, or a key that is
	// empty or longer than MaxKeyLen.
	ErrInvalidPath = errors.New("store: invalid bucket path or key")
	// ErrInvalidValue: a value that cannot be stored (JSON null, or one
	// that does not encode).
	ErrInvalidValue = errors.New("store: invalid value")
	// ErrInvalidArgument: any other bad argument, such as a page limit
	// below 1.
	ErrInvalidArgument = errors.New("store: invalid argument")
	// ErrReadOnly: a write in a read-only transaction or store.
	ErrReadOnly = errors.New("store: read-only")
	// ErrLocked: another process (or another Store in this process) has
	// the state file open.
	ErrLocked = errors.New("store: state file is in use by another process")
	// ErrBadFormat: an export document or legacy JSON state file that does
	// not have the documented shape. *ImportError matches it when the
	// document's shape is at fault.
	ErrBadFormat = errors.New("store: bad state document")
)

// CorruptError names a stored entry (or bucket, when Key is empty) that
// cannot be read. It matches ErrCorrupt.
type CorruptError struct {
	Path Path   // bucket path, service first
	Key  string // entry key; empty when the bucket itself is at fault
	Err  error  // what is wrong
}

func (e *CorruptError) Error() string {
	where := e.Path.String()
	if e.Key != "" {
		where += " key " + fmt.Sprintf("%q", e.Key)
	}
	return fmt.Sprintf("store: corrupt entry %s: %v", where, e.Err)
}

// Unwrap returns the underlying cause.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// VersionError reports a state file written by a newer format than this
// build reads.
type VersionError struct {
	File      string // state file path
	Found     int    // version in the file
	Supported int    // highest version this build reads
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("store: %s has format version %d; this build reads up to %d", e.File, e.Found, e.Supported)
}

// ImportError reports a legacy JSON section or an export document that
// could not be imported. Section is the legacy section name ("pools",
// "identityPools", ...) or, for an export document, where in it the fault
// lies. Nothing is written when an import fails.
type ImportError struct {
	Section string
	Err     error
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("store: import %s: %v", e.Section, e.Err)
}

// Unwrap returns the underlying cause.
func (e *ImportError) Unwrap() error { return e.Err }
