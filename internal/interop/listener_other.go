//go:build !linux

package interop

import "errors"

// listenerOwnedBy cannot tell who holds a socket here; Moto then relies on
// its process staying alive.
func listenerOwnedBy(pid, port int) (bool, error) {
	return false, errors.ErrUnsupported
}
