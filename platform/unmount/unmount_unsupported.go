//go:build !linux

// Package unmount detaches a FUSE mount by path, whoever serves it.
package unmount

import (
	"fmt"
	"runtime"

	"github.com/plugfs/plugfs/sdk"
)

// Unmount is not implemented on this OS yet: the serving process unmounts
// its own mounting points when it is stopped.
func Unmount(point string, lazy bool) error {
	return fmt.Errorf("unmount by path on %s: stop the serving plugfs process instead: %w", runtime.GOOS, sdk.ErrNotSupported)
}

// FSType is not implemented on this OS.
func FSType(point string) (string, bool) { return "", false }
