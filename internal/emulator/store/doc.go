// Package store is the emulator's persistent state: an embedded database
// (bbolt) in one file, the emulator's -state file, where each
// entity (a user, an app client, a refresh token, an identity) is a JSON
// value under its own key. A mutation rewrites only what it touches, so it
// costs about the same in a pool of 100 users and one of 50,000, and a page
// of a listing is read by seeking, not by loading the whole bucket (figures
// in the repository's benchmarks/README.md).
//
// # When to use what
//
//   - Open at start, Close at shutdown. Another process holding the same
//     file makes Open fail with ErrLocked after Options.LockTimeout (one
//     second by default), never hang.
//   - Store.Update for every mutation: Put, PutRaw, Delete, DeleteBucket
//     inside it, then answer the request once Update has returned nil.
//   - Store.View with Tx.Buckets and Tx.ForEach to load a service's state
//     into memory at start; Tx.Get for one entity; Tx.Page for one page of
//     a listing in key order (ListUsers with a pagination token).
//   - Tx.SchemaVersion and Tx.SetSchemaVersion when a service changes the
//     shape of its values and must convert old ones.
//   - Options.Importers to migrate a JSON state file written before the
//     store (see Migration).
//   - Store.Export and Store.Import for readable JSON (cognitoctl state
//     export and state import); see Document for the format.
//
// The package knows nothing of Cognito: services choose their bucket paths
// and value types.
//
// # On-disk layout
//
// A bucket path starts with a service name and nests as deep as the service
// needs; entries sit in the leaf buckets (or beside sub-buckets), keyed by
// the entity's natural key, so key order is the listing order:
//
//	userpool/                       service
//	  eu-west-1_abc/                one bucket per pool
//	    "pool" → {…}                the pool's own settings
//	    users/ "alice" → {…}, "bob" → {…}
//	    clients/ "3n4…" → {…}
//	identitypool/ …
//	_meta/                          reserved for the store
//	  "format" → 1                  FormatVersion
//	  schemas/ "userpool" → 2       per-service schema versions
//	  legacy/ "section" → {…}       legacy JSON sections no importer took
//
// Top-level names starting with "_" are reserved. Values are JSON, never
// null: a value that is null or does not decode gives a *CorruptError naming
// its bucket and key, never a panic; a missing one gives ErrNotFound.
//
// # Durability
//
// Update returns only after bbolt has committed the transaction and
// fsynced the file (bbolt's default, which this package never turns off).
// So a change whose Update returned nil survives kill -9 and power loss,
// and a change whose Update did not return is either wholly there or wholly
// absent, never half written: the file always opens cleanly. The storm test
// (TestKillStorm) kills a writer at random moments and checks exactly that.
//
// # Migration
//
// When Open finds a JSON state file (the whole-state snapshot cognitotest
// wrote before this package: {"version":1,"pools":…,"sections":{…}}), it
// hands each section to the Importer registered under its name ("pools" for
// the top-level user pools, LegacyPoolsSection) in one transaction, keeps
// sections with no importer verbatim under _meta/legacy for a later Open
// that has one, and then swaps the files: FILE becomes the database and the
// JSON is kept, byte for byte, as FILE.json-backup (BackupSuffix). The
// database is built beside the file and renamed over it only when complete,
// so an interrupted migration leaves the JSON file in place and is redone
// on the next start. A read-only Open migrates into a temporary file and
// leaves FILE untouched.
package store
