//go:build !unix

// Package mountdir checks directories as mounting points on Unix. Windows
// mounting points are checked by core/mountpoint and platform/windows.
package mountdir

import (
	"fmt"

	"github.com/plugfs/plugfs/core"
)

// Check refuses: directory mounting points are a Unix feature.
func Check(path string) (string, error) {
	return "", fmt.Errorf("%w: %s: directory mounting points exist on Linux and macOS; on Windows use a drive letter, \\\\.\\Name or a folder", core.ErrMountPointInvalid, path)
}
