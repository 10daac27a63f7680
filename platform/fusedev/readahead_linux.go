package fusedev

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SetReadAhead raises the kernel's read-ahead window of the FUSE mount at
// point to bytes (rounded down to KiB). The kernel starts every FUSE mount
// at its default of 128 KiB, whatever the server offered at INIT
// (max_readahead only lowers it), so a sequential reader gets 128 KiB
// READ requests, one round trip each; a larger window makes them as large
// as the connection's max_pages allows. The window is the mount's backing
// device's read_ahead_kb in sysfs, writable by root alone: others get an
// error naming the file, and the mount keeps the default.
func SetReadAhead(point string, bytes int) error {
	var st unix.Stat_t
	if err := unix.Stat(point, &st); err != nil {
		return fmt.Errorf("read-ahead of %s: %w", point, err)
	}
	file := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(st.Dev), unix.Minor(st.Dev))
	if err := os.WriteFile(file, []byte(strconv.Itoa(bytes>>10)+"\n"), 0); err != nil {
		return fmt.Errorf("read-ahead of %s: %w", point, err)
	}
	return nil
}

// ReadAhead returns the read-ahead window of the FUSE mount at point, in
// bytes.
func ReadAhead(point string) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(point, &st); err != nil {
		return 0, fmt.Errorf("read-ahead of %s: %w", point, err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(st.Dev), unix.Minor(st.Dev)))
	if err != nil {
		return 0, fmt.Errorf("read-ahead of %s: %w", point, err)
	}
	kb, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("read-ahead of %s: %q: %w", point, b, err)
	}
	return kb << 10, nil
}
