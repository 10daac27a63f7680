//go:build linux

package sdk

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// newShmRegion creates and maps a memory file of size bytes (the host's
// side) and returns it with the file to send to the plugin; the caller
// closes the file once sent.
func newShmRegion(size int) (*shmRegion, *os.File, error) {
	fd, err := unix.MemfdCreate("plugfs-shm", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, nil, fmt.Errorf("shared memory: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "plugfs-shm")
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("shared memory: %w", err)
	}
	r, err := mapShmRegion(f, size)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}
