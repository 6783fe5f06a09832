//go:build linux

package interop

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// listenerOwnedBy reports whether the TCP socket listening on port
// (IPv4 or IPv6) is held by the process pid or by a member of the process
// group it leads, from /proc/net/tcp{,6} and /proc/<pid>/fd.
func listenerOwnedBy(pid, port int) (bool, error) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if err := listeningInodes(table, port, inodes); err != nil && !(table == "/proc/net/tcp6" && os.IsNotExist(err)) {
			return false, err
		}
	}
	if len(inodes) == 0 {
		return false, nil
	}
	for _, p := range groupMembers(pid) {
		links, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", p))
		for _, l := range links {
			target, err := os.Readlink(l)
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(target, "socket:["); ok && inodes[strings.TrimSuffix(ino, "]")] {
				return true, nil
			}
		}
	}
	return false, nil
}

// listeningInodes adds the inodes of the sockets in LISTEN state on port
// found in table (a /proc/net/tcp file) to inodes.
func listeningInodes(table string, port int, inodes map[string]bool) error {
	f, err := os.Open(table)
	if err != nil {
		return err
	}
	defer f.Close()
	suffix := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) > 9 && strings.HasSuffix(fields[1], suffix) && fields[3] == "0A" {
			inodes[fields[9]] = true
		}
	}
	return sc.Err()
}

// groupMembers returns pid and the processes whose process group is pid.
func groupMembers(pid int) []int {
	members := []int{pid}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(b), ')')
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) < 3 || fields[2] != strconv.Itoa(pid) {
			continue
		}
		if p, err := strconv.Atoi(filepath.Base(filepath.Dir(s))); err == nil && p != pid {
			members = append(members, p)
		}
	}
	return members
}
