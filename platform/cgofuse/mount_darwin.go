//go:build darwin && cgo

package cgofuse

import (
	"fmt"
	"os"

	"github.com/plugfs/plugfs/core"
)

// rank makes cgofuse (macFUSE, FUSE-T) the macOS driver.
const rank = 10

// macFUSE installs a file-system bundle; FUSE-T a library.
var libraries = []string{"/Library/Filesystems/macfuse.fs", "/usr/local/lib/libfuse-t.dylib", "/opt/homebrew/lib/libfuse-t.dylib"}

func available() error {
	for _, p := range libraries {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: cgofuse: neither macFUSE nor FUSE-T is installed: brew install --cask macfuse (or fuse-t)", core.ErrDriverUnavailable)
}

func osOptions(opts core.MountOptions) []string {
	var o []string
	if opts.Subtype != "" {
		o = append(o, "volname="+optEscape(opts.Subtype))
	}
	o = append(o, accessOptions(opts)...)
	return o
}

// unmount asks the FUSE library to unmount (forcibly: macOS has no lazy
// detach of a busy mount through cgofuse).
func (m *mount) unmount(lazy bool) error {
	if !m.host.Unmount() {
		return fmt.Errorf("%w: %s", core.ErrNotMounted, m.point)
	}
	return nil
}

// confirm has nothing to check on macOS yet.
func confirm(point string) error { return nil }
