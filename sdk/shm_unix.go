//go:build unix

package sdk

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// shmRegion is a shared memory file mapped read-write into this process.
type shmRegion struct {
	mem []byte
}

// mapShmRegion maps size bytes of f (the plugin's side of the region).
func mapShmRegion(f *os.File, size int) (*shmRegion, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shared memory: %w", err)
	}
	if size <= 0 || int64(size) > st.Size() {
		return nil, fmt.Errorf("shared memory: region of %d bytes announced, file has %d", size, st.Size())
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shared memory: mmap: %w", err)
	}
	return &shmRegion{mem: mem}, nil
}

func (r *shmRegion) close() error {
	if r == nil || r.mem == nil {
		return nil
	}
	err := unix.Munmap(r.mem)
	r.mem = nil
	return err
}
