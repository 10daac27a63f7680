//go:build !linux

package sdk

import (
	"errors"
	"os"
)

// newShmRegion fails: hosts create regions as memfds, which only Linux has.
func newShmRegion(int) (*shmRegion, *os.File, error) {
	return nil, nil, errors.New("shared memory: hosts offer it on Linux only")
}
