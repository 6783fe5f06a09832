package lambdafn

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A /proc/net/tcp excerpt: the client socket 127.0.0.1:40000 →
// 127.0.0.1:8080 owned by uid 1234, and the server's side owned by 0.
const procTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1234        0 111 1 0000000000000000 20 4 30 10 -1
   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 112 1 0000000000000000 20 4 30 10 -1
`

func TestSocketOwner(t *testing.T) {
	client := netip.MustParseAddrPort("127.0.0.1:40000")
	server := netip.MustParseAddrPort("127.0.0.1:8080")
	uid, ok := socketOwner(procTCP, client, server)
	require.True(t, ok)
	assert.Equal(t, 1234, uid)
	uid, ok = socketOwner(procTCP, server, client)
	require.True(t, ok)
	assert.Equal(t, 0, uid)
	_, ok = socketOwner(procTCP, netip.MustParseAddrPort("127.0.0.1:40001"), server)
	assert.False(t, ok)

	a, ok := parseProcAddr("00000000000000000000000001000000:1F90")
	require.True(t, ok)
	assert.Equal(t, netip.MustParseAddrPort("[::1]:8080"), a)
	for _, bad := range []string{"", "0100007F", "zz00007F:1F90", "0100007F:zz", "01007F:1F90"} {
		_, ok := parseProcAddr(bad)
		assert.False(t, ok, bad)
	}
}

// A connection the table attributes to another user is closed unanswered;
// one it attributes to us, or does not list, is accepted.
func TestPeerListenerRejectsOtherUsers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := t.TempDir()
	table := filepath.Join(dir, "tcp")
	pl := &peerListener{Listener: ln, uid: os.Getuid(), tables: []string{table}}

	check := func(ownerUID int, listed bool) bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer c.Close()
		s, err := ln.Accept()
		require.NoError(t, err)
		defer s.Close()
		content := "header\n"
		if listed {
			content += "0: " + procHex(c.LocalAddr()) + " " + procHex(c.RemoteAddr()) + " 01 0:0 0:0 0 " + strconv.Itoa(ownerUID) + " 0 1\n"
		}
		require.NoError(t, os.WriteFile(table, []byte(content), 0o600))
		return pl.allowed(s)
	}
	assert.True(t, check(os.Getuid(), true))
	assert.False(t, check(os.Getuid()+1, true))
	assert.True(t, check(os.Getuid()+1, false), "unlisted sockets are allowed")
}

func procHex(a net.Addr) string {
	ap := netip.MustParseAddrPort(a.String())
	b := ap.Addr().As4()
	return hexByte(b[3]) + hexByte(b[2]) + hexByte(b[1]) + hexByte(b[0]) + ":" + hexByte(byte(ap.Port()>>8)) + hexByte(byte(ap.Port()))
}

func hexByte(b byte) string { const d = "0123456789ABCDEF"; return string([]byte{d[b>>4], d[b&15]}) }

func itoa(i int) string {
	return netip.AddrPortFrom(netip.Addr{}, uint16(i)).String()[len("invalid AddrPort:"):]
}
