//go:build linux

// Package unmount detaches a FUSE mount by path, whoever serves it.
package unmount

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// Unmount detaches the mount at point. Without lazy, a busy mount fails
// with an error wrapping sdk.ErrBusy; with lazy it is detached at once and
// freed when its last user leaves. Root unmounts directly; other users go
// through fusermount3.
func Unmount(point string, lazy bool) error {
	var err error
	if os.Geteuid() == 0 {
		flags := 0
		if lazy {
			flags = unix.MNT_DETACH
		}
		err = unix.Unmount(point, flags)
	} else {
		args := []string{"-u"}
		if lazy {
			args = append(args, "-z")
		}
		out, cerr := exec.Command("fusermount3", append(args, point)...).CombinedOutput()
		if cerr != nil {
			msg := strings.TrimSpace(string(out))
			switch {
			case strings.Contains(msg, "busy"):
				err = unix.EBUSY
			case strings.Contains(msg, "not found in /etc/mtab"), strings.Contains(msg, "not mounted"):
				err = unix.EINVAL
			default:
				err = fmt.Errorf("fusermount3 -u %s: %s", point, msg)
			}
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EBUSY):
		return fmt.Errorf("%s is busy (a process has a file open or its working directory there): close it, or unmount with --lazy: %w", point, sdk.ErrBusy)
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT):
		return fmt.Errorf("%w: nothing is mounted at %s", core.ErrNotMounted, point)
	}
	return fmt.Errorf("unmount %s: %w", point, err)
}
