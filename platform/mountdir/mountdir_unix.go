//go:build unix

// Package mountdir checks that a directory can serve as a mounting point:
// it exists, is a directory, is empty, is not already a mount, and the
// caller may use it. Each failure wraps its own core error and says the fix.
package mountdir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/core"
)

// Check validates path as a mounting point and returns it absolute and
// clean.
func Check(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", core.ErrMountPointInvalid, path, err)
	}
	var st unix.Stat_t
	if err := unix.Stat(abs, &st); err != nil {
		switch {
		case errors.Is(err, unix.ENOENT):
			return "", fmt.Errorf("%w: %s: create it first (mkdir -p %s)", core.ErrMountPointMissing, abs, abs)
		case errors.Is(err, unix.ENOTCONN):
			return "", fmt.Errorf("%w: %s is a dead FUSE mount (its server is gone): run plugfs unmount %s", core.ErrMountPointBusy, abs, abs)
		case errors.Is(err, unix.EACCES):
			return "", fmt.Errorf("%w: %s: permission denied: use a directory you own", core.ErrMountPointAccess, abs)
		case errors.Is(err, unix.ENOTDIR):
			return "", fmt.Errorf("%w: %s: a component of the path is not a directory", core.ErrMountPointNotDir, abs)
		}
		return "", fmt.Errorf("%w: %s: %w", core.ErrMountPointAccess, abs, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return "", fmt.Errorf("%w: %s: give an empty directory", core.ErrMountPointNotDir, abs)
	}
	if mounted, err := isMountPoint(abs, &st); err == nil && mounted {
		return "", fmt.Errorf("%w: %s: something is mounted there already; unmount it or choose another directory", core.ErrMountPointBusy, abs)
	}
	if os.Geteuid() != 0 {
		if err := unix.Access(abs, unix.W_OK|unix.X_OK); err != nil {
			return "", fmt.Errorf("%w: %s: you need write access to mount on it: use a directory you own", core.ErrMountPointAccess, abs)
		}
	}
	empty, err := isEmpty(abs)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", core.ErrMountPointAccess, abs, err)
	}
	if !empty {
		return "", fmt.Errorf("%w: %s: mounting would hide its contents; give an empty directory", core.ErrMountPointNotEmpty, abs)
	}
	return abs, nil
}

func isEmpty(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}

// isMountPoint compares the device with the parent's: a different device
// (or the same inode as the parent, for "/") means a mount is there. On
// Linux, /proc/self/mountinfo also catches bind mounts of the same device.
func isMountPoint(abs string, st *unix.Stat_t) (bool, error) {
	if abs == "/" {
		return true, nil
	}
	if m, ok := inMountInfo(abs); ok {
		return m, nil
	}
	var pst unix.Stat_t
	if err := unix.Stat(filepath.Dir(abs), &pst); err != nil {
		return false, err
	}
	return pst.Dev != st.Dev, nil
}
