//go:build linux && cgo && cgofuse

package cgofuse

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/platform/unmount"
)

// Build with -tags cgofuse,fuse3: without fuse3, cgofuse compiles against
// libfuse 2, which this driver does not support.
var _ = fuse3Tag

// rank puts cgofuse after gofuse (10) and bazil (20) on Linux: it is here
// to run the adapter Windows and macOS use, not to be chosen by default.
const rank = 30

// libfuse3 is where Debian and its peers install the library cgofuse
// loads at run time.
var libfuse3 = []string{
	"/lib/*/libfuse3.so.3", "/usr/lib/*/libfuse3.so.3", "/usr/lib64/libfuse3.so.3",
	"/usr/lib/libfuse3.so.3", "/usr/local/lib/libfuse3.so.3", "/usr/local/lib/*/libfuse3.so.3",
}

func available() error {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("%w: cgofuse: /dev/fuse is missing: load the fuse module (modprobe fuse)", core.ErrDriverUnavailable)
	}
	for _, g := range libfuse3 {
		if m, _ := filepath.Glob(g); len(m) > 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: cgofuse: libfuse3.so.3 is not installed: apt-get install fuse3 (or use --driver gofuse)", core.ErrDriverUnavailable)
}

func osOptions(opts core.MountOptions) []string {
	var o []string
	if opts.Subtype != "" {
		o = append(o, "subtype="+optEscape(opts.Subtype))
	}
	o = append(o, accessOptions(opts)...)
	// No max_read: cgofuse's init leaves libfuse's at 0, and libfuse
	// then refuses the session if the command line asked for another.
	return o
}

// confirm checks that the mount at point serves requests: libfuse calls
// init before it checks the kernel's INIT answer, and can still give up
// after. The statfs waits for the INIT exchange and fails if the
// connection was dropped.
func confirm(point string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(point, &st); err != nil {
		return fmt.Errorf("%w: %s: the mount failed right after it started (%w); libfuse's message is on standard error", core.ErrMountPointInvalid, point, err)
	}
	return nil
}

// unmount detaches the mount; the FUSE loop then ends by itself.
func (m *mount) unmount(lazy bool) error { return unmount.Unmount(m.point, lazy) }
