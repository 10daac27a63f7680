//go:build linux

package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// FS mirrors the directory it was opened on.
type FS struct {
	root   *os.File // O_PATH descriptor of the root: every access starts here
	path   string
	asRoot bool // running as uid 0: new objects are given to the caller

	mu      sync.Mutex
	handles map[sdk.Handle]*openFile
	next    atomic.Uint64
}

// openFile is one open file or directory.
type openFile struct {
	f      *os.File
	dir    bool
	mu     sync.Mutex // directory stream position
	pos    uint64     // entries returned so far (directories)
	append bool
}

// New opens root for mirroring.
func New(root string) (*FS, error) {
	if root == "" {
		return nil, fmt.Errorf("local: option root is empty: pass --opt root=DIR: %w", sdk.ErrInvalid)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local: root %q: %w", root, sdk.ErrInvalid)
	}
	fd, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		switch {
		case errors.Is(err, unix.ENOENT):
			return nil, fmt.Errorf("local: root %q does not exist: create it or pass --opt root=DIR: %w", abs, sdk.ErrNotExist)
		case errors.Is(err, unix.ENOTDIR):
			return nil, fmt.Errorf("local: root %q is not a directory: pass --opt root=DIR: %w", abs, sdk.ErrNotDir)
		}
		return nil, fmt.Errorf("local: root %q: %w", abs, err)
	}
	return &FS{root: os.NewFile(uintptr(fd), abs), path: abs, asRoot: os.Geteuid() == 0,
		handles: make(map[sdk.Handle]*openFile)}, nil
}

// Describe implements sdk.Describer.
func (f *FS) Describe() sdk.Declared {
	return sdk.Declared{RenameNoReplace: true, RenameExchange: true, StableIno: true}
}

// rel turns a volume path into a path relative to the root ("." for "/").
func rel(p string) string {
	r := strings.TrimPrefix(p, "/")
	if r == "" {
		return "."
	}
	return r
}

const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS

// openat opens p beneath the root, never following a final symlink.
func (f *FS) openat(p string, flags int, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW), Mode: uint64(mode), Resolve: resolve}
	if flags&unix.O_CREAT == 0 && flags&unix.O_TMPFILE == 0 {
		how.Mode = 0
	}
	for {
		fd, err := unix.Openat2(int(f.root.Fd()), rel(p), &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		return fd, err
	}
}

// parent opens p's parent directory beneath the root (O_PATH) and returns
// it with p's last element. The caller closes the descriptor.
func (f *FS) parent(p string) (int, string, error) {
	if p == "/" || p == "" {
		// The root itself, as "." in itself: *at calls then act on the
		// root, and unlink/rmdir of "." fail with EINVAL as they should.
		fd, err := unix.Dup(int(f.root.Fd()))
		return fd, ".", err
	}
	dir, name := filepath.Split(p)
	fd, err := f.openat(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	return fd, name, err
}

// inParent runs op on p's parent directory and last element.
func (f *FS) inParent(p string, op func(dfd int, name string) error) error {
	dfd, name, err := f.parent(p)
	if err != nil {
		return pathErr("resolve", p, err)
	}
	defer unix.Close(dfd)
	return op(dfd, name)
}

// pathErr turns an errno into an *sdk.Error naming the operation and the
// volume path, so errors.Is matches the sdk sentinels in process too.
func pathErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var se *sdk.Error
	if errors.As(err, &se) {
		return err
	}
	return sdk.NewError(sdk.CodeOf(err), (&fs.PathError{Op: op, Path: p, Err: err}).Error())
}

func (f *FS) addHandle(of *openFile) sdk.Handle {
	h := sdk.Handle(f.next.Add(1))
	f.mu.Lock()
	f.handles[h] = of
	f.mu.Unlock()
	return h
}

func (f *FS) get(h sdk.Handle) (*openFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	of, ok := f.handles[h]
	if !ok {
		return nil, fmt.Errorf("handle %d: %w", h, sdk.ErrBadHandle)
	}
	return of, nil
}

// giveToCaller chowns a new object to the caller when the plugin runs as
// root and someone else asked, as a kernel file system would.
func (f *FS) giveToCaller(ctx context.Context, dfd int, name string) error {
	c, ok := sdk.CallerFrom(ctx)
	if !ok || !f.asRoot || (c.Uid == 0 && c.Gid == 0) {
		return nil
	}
	gid := int(c.Gid)
	var pst unix.Stat_t
	if unix.Fstat(dfd, &pst) == nil && pst.Mode&unix.S_ISGID != 0 {
		gid = -1 // the directory's group, set by the kernel already
	}
	return unix.Fchownat(dfd, name, int(c.Uid), gid, unix.AT_SYMLINK_NOFOLLOW)
}

// Close implements sdk.Closer: it closes every open file and the root.
func (f *FS) Close(ctx context.Context) error {
	f.mu.Lock()
	for h, of := range f.handles {
		of.f.Close()
		delete(f.handles, h)
	}
	f.mu.Unlock()
	return f.root.Close()
}
