//go:build linux

package main

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
func peerCred(c net.Conn) (uid, pid int, gids []int, err error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, 0, nil, fmt.Errorf("not a Unix socket connection (%T)", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, 0, nil, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, 0, nil, err
	}
	if cerr != nil {
		return 0, 0, nil, fmt.Errorf("SO_PEERCRED: %w", cerr)
	}
	gids = append(gids, int(cred.Gid))
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", cred.Pid)); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Groups:"); ok {
				for _, g := range strings.Fields(rest) {
					if n, err := strconv.Atoi(g); err == nil {
						gids = append(gids, n)
					}
				}
				break
			}
		}
	}
	return int(cred.Uid), int(cred.Pid), gids, nil
}
