//go:build linux

package bazil

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxHolders is how many processes a busy-unmount error names.
const maxHolders = 5

// holders names the processes that keep point busy: an open file, a
// working or root directory beneath it ("pid 123 (bash)"). It reads
// /proc only (readlink does not reach the file system), and returns what
// it could see: other users' processes need root.
func holders(point string) []string {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if holds(filepath.Join("/proc", p.Name()), point) {
			comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
			out = append(out, fmt.Sprintf("pid %d (%s)", pid, strings.TrimSpace(string(comm))))
			if len(out) == maxHolders {
				break
			}
		}
	}
	return out
}

// holds reports whether the process at dir (/proc/PID) uses a path under point.
func holds(dir, point string) bool {
	under := func(link string) bool {
		t, err := os.Readlink(link)
		t = strings.TrimSuffix(t, " (deleted)")
		return err == nil && (t == point || strings.HasPrefix(t, point+"/"))
	}
	if under(filepath.Join(dir, "cwd")) || under(filepath.Join(dir, "root")) {
		return true
	}
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if under(filepath.Join(dir, "fd", fd.Name())) {
			return true
		}
	}
	return false
}
