// Package deadlinetest provides a silent endpoint for deadline tests: a
// listener on 127.0.0.1 that accepts connections and never answers.
package deadlinetest

import (
	"net"
	"sync"
	"testing"
)

// SilentListener starts a listener on 127.0.0.1 that accepts every
// connection, reads and discards what it is sent, and never answers. It
// returns its base URL (http://127.0.0.1:PORT); t.Cleanup closes it and
// every connection.
func SilentListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("deadlinetest: listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}
