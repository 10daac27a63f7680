//go:build linux

package controlsock

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// peerCred returns the uid, pid and groups of the process at the other
// end of a Unix socket connection: SO_PEERCRED for uid, gid and pid, the
// supplementary groups from /proc/PID/status (the process's own, not the
// group database's).
func peerCred(c net.Conn) (Peer, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return Peer{}, fmt.Errorf("not a Unix socket connection (%T)", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return Peer{}, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Peer{}, err
	}
	if cerr != nil {
		return Peer{}, fmt.Errorf("SO_PEERCRED: %w", cerr)
	}
	p := Peer{UID: int(cred.Uid), PID: int(cred.Pid), GIDs: []int{int(cred.Gid)}}
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", cred.Pid)); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Groups:"); ok {
				for _, g := range strings.Fields(rest) {
					if n, err := strconv.Atoi(g); err == nil {
						p.GIDs = append(p.GIDs, n)
					}
				}
				break
			}
		}
	}
	return p, nil
}
