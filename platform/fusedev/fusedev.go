// Package fusedev checks that this machine can make FUSE mounts, for the
// drivers' Available methods.
package fusedev

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/plugfs/plugfs/core"
)

// Check reports why FUSE mounts cannot be made here, or nil: /dev/fuse
// must exist, and fusermount3 too when needFusermount (a driver that
// cannot mount directly, or a caller who is not root).
func Check(needFusermount bool) error {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("%w: /dev/fuse is missing: load the fuse module (modprobe fuse)", core.ErrDriverUnavailable)
	}
	if needFusermount {
		if _, err := exec.LookPath("fusermount3"); err != nil {
			return fmt.Errorf("%w: fusermount3 is not installed: apt-get install fuse3", core.ErrDriverUnavailable)
		}
	}
	return nil
}
