//go:build linux && !localportable

package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// FS mirrors the directory it was opened on. Every access resolves from an
// O_PATH descriptor of the root with openat2(RESOLVE_BENEATH|
// RESOLVE_NO_MAGICLINKS) and acts on the last element with an *at call
// that does not follow it.
type FS struct {
	rootFd   int // O_PATH descriptor of the root
	path     string
	asRoot   bool // running as uid 0: new objects are given to the caller
	declared sdk.Declared
	handles  handleTable
}

// New opens root for mirroring. A missing root fails with an error wrapping
// sdk.ErrNotExist, a file with sdk.ErrNotDir; both name the option to fix.
func New(root string) (*FS, error) {
	abs, err := checkRoot(root)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, rootErr(abs, err)
	}
	return &FS{rootFd: fd, path: abs, asRoot: os.Geteuid() == 0,
		declared: sdk.Declared{RenameNoReplace: true, RenameExchange: true, StableIno: true}}, nil
}

// checkRoot validates the root option and makes it absolute.
func checkRoot(root string) (string, error) {
	if root == "" {
		return "", fmt.Errorf("local: option root is empty: pass --opt root=DIR: %w", sdk.ErrInvalid)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("local: root %q: %v: pass an absolute --opt root=DIR: %w", root, err, sdk.ErrInvalid)
	}
	return abs, nil
}

// rootErr explains why the root could not be opened.
func rootErr(abs string, err error) error {
	switch {
	case errors.Is(err, sdk.ErrNotExist):
		return fmt.Errorf("local: root %q does not exist: create it or pass --opt root=DIR: %w", abs, sdk.ErrNotExist)
	case errors.Is(err, unix.ENOTDIR) || errors.Is(err, sdk.ErrNotDir):
		return fmt.Errorf("local: root %q is not a directory: pass a directory as --opt root=DIR: %w", abs, sdk.ErrNotDir)
	}
	return fmt.Errorf("local: root %q: %w", abs, pathErr("open", abs, err))
}

const resolveFlags = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS

// openat opens the relative path r beneath the root, never following a
// final symlink. Escapes fail: ".." above the root and absolute symlinks
// with EXDEV, a symlink as last element with ELOOP.
func (f *FS) openat(r string, flags int, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW), Resolve: resolveFlags}
	if flags&unix.O_CREAT != 0 {
		how.Mode = uint64(mode)
	}
	for {
		fd, err := unix.Openat2(f.rootFd, r, &how)
		if err == unix.EINTR || err == unix.EAGAIN { // EAGAIN: a rename raced the lookup
			continue
		}
		return fd, err
	}
}

// openPath opens the object at volume path p itself (O_PATH, a symlink is
// not followed) and returns its descriptor.
func (f *FS) openPath(op, p string) (int, error) {
	r, err := rel(p)
	if err != nil {
		return -1, err
	}
	fd, err := f.openat(r, unix.O_PATH, 0)
	if err != nil {
		return -1, pathErr(op, p, err)
	}
	return fd, nil
}

// inParent opens p's parent directory beneath the root and runs op on it and
// p's last element. For the root itself op gets the root and ".", so *at
// calls act on the root and unlink or rename of it fail as they should.
func (f *FS) inParent(op, p string, do func(dfd int, name string) error) error {
	dir, name, err := split(p)
	if err != nil {
		return err
	}
	dfd, err := f.openat(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return pathErr(op, p, err)
	}
	defer unix.Close(dfd)
	return pathErr(op, p, do(dfd, name))
}

// Close implements sdk.Closer: it closes every open file and the root.
func (f *FS) Close(ctx context.Context) error {
	f.handles.closeAll()
	return unix.Close(f.rootFd)
}
