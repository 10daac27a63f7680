//go:build unix

// Package trust opens plugin executables for core/catalog's trust policy:
// without following symbolic links, with the owner and mode of the
// descriptor, and, on Linux, started from that very descriptor.
package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/core/catalog"
)

// fdExecutable is an executable opened with O_NOFOLLOW.
type fdExecutable struct {
	*os.File
	path string
}

// openNoFollow opens path read-only without following a final symbolic
// link; ELOOP (the link) becomes catalog.ErrSymlink.
func openNoFollow(path string) (*fdExecutable, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s %w", path, catalog.ErrSymlink)
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return &fdExecutable{File: os.NewFile(uintptr(fd), path), path: path}, nil
}

// Info returns the mode and owner of the descriptor.
func (x *fdExecutable) Info() (catalog.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(x.Fd()), &st); err != nil {
		return catalog.FileInfo{}, &fs.PathError{Op: "fstat", Path: x.path, Err: err}
	}
	fi, err := x.Stat()
	if err != nil {
		return catalog.FileInfo{}, err
	}
	return catalog.FileInfo{Mode: fi.Mode(), UID: int(st.Uid)}, nil
}

// dup returns a close-on-exec duplicate of the descriptor.
func (x *fdExecutable) dup() (*os.File, error) {
	fd, err := unix.FcntlInt(x.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), x.path), nil
}
