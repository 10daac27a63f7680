//go:build darwin && cgo

package cgofuse

import (
	"fmt"
	"os"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/mountdir"
)

// rank makes cgofuse (macFUSE, FUSE-T) the macOS driver.
const rank = 10

// target is where a mount goes: the argument the FUSE library takes, the
// point reported, and what to undo after the mount ends.
type target struct {
	arg, point string
	opts       []string
	cleanup    func()
}

func prepare(point string) (target, error) {
	clean, err := mountdir.Check(point)
	if err != nil {
		return target{}, err
	}
	return target{arg: clean, point: clean, cleanup: func() {}}, nil
}

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
	if opts.AllowOther {
		o = append(o, "allow_other")
	}
	if opts.DefaultPermissions || opts.AllowOther {
		o = append(o, "default_permissions")
	}
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

// prepareSpec accepts directories only: other kinds are Windows's.
func prepareSpec(s mountpoint.Spec) (target, error) {
	if s.Kind != mountpoint.KindDirectory {
		return target{}, fmt.Errorf("%w: %s is a %s mounting point, which only Windows has: give an empty directory", core.ErrMountPointInvalid, s, s.Kind)
	}
	return prepare(s.Path)
}
