//go:build !unix

package interop

// lockFile is a no-op where flock is unavailable; the in-process mutex
// still serialises installs within one test binary.
func lockFile(string) (func(), error) { return func() {}, nil }
