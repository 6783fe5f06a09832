// Package atomicfile writes files so that a crash leaves either the old
// content or the new one, never a mix: the data goes to a temporary file
// in the same directory, which is fsynced, renamed over the target, and
// the directory fsynced.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm (applied to the
// temporary file before any data is written, so the content is never
// readable with wider permissions).
func Write(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
