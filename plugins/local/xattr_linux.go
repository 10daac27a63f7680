//go:build linux && !localportable

package local

import (
	"context"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// inParentPath runs op with a path naming p's last element inside its
// parent's descriptor: /proc/self/fd/N/name. The kernel follows the magic
// link to exactly that directory and looks up one element there, so with
// the l*xattr calls (which do not follow it) a symlink's own attributes are
// used and nothing outside the root can be reached.
func (f *FS) inParentPath(op, p string, do func(path string) error) error {
	return f.inParent(op, p, func(dfd int, name string) error {
		return do(procPath(dfd) + "/" + name)
	})
}

// GetXattr implements sdk.Xattrer.
func (f *FS) GetXattr(ctx context.Context, p, name string) ([]byte, error) {
	var val []byte
	err := f.inParentPath("getxattr", p, func(path string) error {
		for {
			n, err := unix.Lgetxattr(path, name, nil)
			if err != nil {
				return err
			}
			buf := make([]byte, n)
			if n == 0 {
				val = buf
				return nil
			}
			n, err = unix.Lgetxattr(path, name, buf)
			if err == unix.ERANGE { // grew meanwhile
				continue
			}
			if err != nil {
				return err
			}
			val = buf[:n]
			return nil
		}
	})
	return val, err
}

// SetXattr implements sdk.Xattrer.
func (f *FS) SetXattr(ctx context.Context, p, name string, value []byte, flags sdk.XattrFlags) error {
	var uf int
	if flags&sdk.XattrCreate != 0 {
		uf |= unix.XATTR_CREATE
	}
	if flags&sdk.XattrReplace != 0 {
		uf |= unix.XATTR_REPLACE
	}
	return f.inParentPath("setxattr", p, func(path string) error { return unix.Lsetxattr(path, name, value, uf) })
}

// ListXattr implements sdk.Xattrer.
func (f *FS) ListXattr(ctx context.Context, p string) ([]string, error) {
	var names []string
	err := f.inParentPath("listxattr", p, func(path string) error {
		for {
			n, err := unix.Llistxattr(path, nil)
			if err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			buf := make([]byte, n)
			n, err = unix.Llistxattr(path, buf)
			if err == unix.ERANGE {
				continue
			}
			if err != nil {
				return err
			}
			for _, s := range strings.Split(string(buf[:n]), "\x00") {
				if s != "" {
					names = append(names, s)
				}
			}
			return nil
		}
	})
	return names, err
}

// RemoveXattr implements sdk.Xattrer.
func (f *FS) RemoveXattr(ctx context.Context, p, name string) error {
	return f.inParentPath("removexattr", p, func(path string) error { return unix.Lremovexattr(path, name) })
}
