//go:build !linux

package local

import (
	"fmt"
	"runtime"

	"github.com/plugfs/plugfs/sdk"
)

// FS is the local file system; on this OS it cannot be built yet.
type FS struct{ sdk.FileSystem }

// New refuses: confinement beneath the root relies on Linux's openat2.
func New(root string) (*FS, error) {
	return nil, fmt.Errorf("local plugin on %s: confinement needs Linux openat2 (RESOLVE_BENEATH); not available on this OS yet: %w", runtime.GOOS, sdk.ErrNotSupported)
}
