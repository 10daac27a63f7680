//go:build !unix

package sdk

import (
	"errors"
	"os"
)

type shmRegion struct{ mem []byte }

func mapShmRegion(*os.File, int) (*shmRegion, error) {
	return nil, errors.New("shared memory: not supported on this system")
}

func (r *shmRegion) close() error { return nil }
