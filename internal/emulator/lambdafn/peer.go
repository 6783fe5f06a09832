package lambdafn

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// The Runtime API carries every event in clear (a user-migration event
// holds the password being tried) on a loopback port. Lambda's own API is
// reachable only inside the sandbox; here, peerListener turns away
// connections that the kernel attributes to another local user, so that
// only the user running the emulator (and so its child) can poll it.
// Where the owner cannot be told (no /proc/net/tcp, or the socket is not
// listed), the connection is allowed: loopback-only is then the boundary.
type peerListener struct {
	net.Listener
	uid    int
	tables []string // /proc/net/tcp, /proc/net/tcp6
}

func newPeerListener(l net.Listener) net.Listener {
	return &peerListener{Listener: l, uid: os.Getuid(), tables: []string{"/proc/net/tcp", "/proc/net/tcp6"}}
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.allowed(c) {
			return c, nil
		}
		_ = c.Close()
	}
}

func (l *peerListener) allowed(c net.Conn) bool {
	if l.uid < 0 { // not a Unix-like system
		return true
	}
	client, err1 := netip.ParseAddrPort(c.RemoteAddr().String())
	server, err2 := netip.ParseAddrPort(c.LocalAddr().String())
	if err1 != nil || err2 != nil {
		return true
	}
	for _, path := range l.tables {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if uid, ok := socketOwner(string(b), client, server); ok {
			return uid == l.uid
		}
	}
	return true
}

// socketOwner finds, in a /proc/net/tcp{,6} table, the socket whose local
// address is local and remote address is remote, and returns its uid.
func socketOwner(table string, local, remote netip.AddrPort) (int, bool) {
	sc := bufio.NewScanner(strings.NewReader(table))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 {
			continue
		}
		l, ok1 := parseProcAddr(f[1])
		r, ok2 := parseProcAddr(f[2])
		if !ok1 || !ok2 || l != local || r != remote {
			continue
		}
		uid, err := strconv.Atoi(f[7])
		if err != nil {
			return 0, false
		}
		return uid, true
	}
	return 0, false
}

// parseProcAddr parses "0100007F:1F90" (IPv4) or a 32-hex-digit IPv6
// address with port: each 32-bit word of the address is in host (little
// endian) order, the port in network order.
func parseProcAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	out := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(out[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(out)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), true
}
