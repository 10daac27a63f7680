//go:build !linux

package memfs

import (
	"os"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// memfdSupported: no memfd_create here, so memfs donates no files.
const memfdSupported = false

type memfdStat struct {
	size, blocks        int64
	atime, mtime, ctime time.Time
}

func newMemfd(string) (*os.File, error)                  { return nil, sdk.ErrNotSupported }
func statMemfd(*os.File) (memfdStat, error)              { return memfdStat{}, sdk.ErrNotSupported }
func setMemfdTimes(*os.File, time.Time, time.Time) error { return sdk.ErrNotSupported }
