//go:build !linux || localportable

package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plugfs/plugfs/sdk"
)

// FS mirrors the directory it was opened on. This portable version (every
// OS but Linux) works through os.Root, which confines every lookup beneath
// the root. os.Root follows a final symlink when it stays inside the root,
// so an operation that must not follow one checks with Lstat first and,
// for Open, compares the opened file with it afterwards: a symlink swapped
// in meanwhile can redirect the call only to another object inside the
// root. What os.Root cannot do without following (chmod and utimes of a
// symlink) fails with ErrNotSupported; rename flags, mknod, extended
// attributes and statfs are not offered. The Linux version has none of
// these limits.
type FS struct {
	root     *os.Root
	path     string
	asRoot   bool // running as uid 0: new objects are given to the caller
	declared sdk.Declared
	handles  handleTable
}

// New opens root for mirroring. A missing root fails with an error wrapping
// sdk.ErrNotExist, a file with sdk.ErrNotDir; both name the option to fix.
func New(root string) (*FS, error) {
	if root == "" {
		return nil, fmt.Errorf("local: option root is empty: pass --opt root=DIR: %w", sdk.ErrInvalid)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local: root %q: %v: pass an absolute --opt root=DIR: %w", root, err, sdk.ErrInvalid)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("local: root %q does not exist: create it or pass --opt root=DIR: %w", abs, sdk.ErrNotExist)
	case err == nil && !fi.IsDir():
		return nil, fmt.Errorf("local: root %q is not a directory: pass a directory as --opt root=DIR: %w", abs, sdk.ErrNotDir)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("local: root %q: %w", abs, pathErr("open", abs, err))
	}
	return &FS{root: r, path: abs, asRoot: os.Geteuid() == 0,
		declared: sdk.Declared{StableIno: stableIno}}, nil
}

// name checks the volume path p and turns it into a name for os.Root.
func (f *FS) name(p string) (string, error) {
	r, err := rel(p)
	return filepath.FromSlash(r), err
}

// lstat returns the attributes of the object named n, not following it.
func (f *FS) lstat(n string) (fs.FileInfo, error) { return f.root.Lstat(n) }

// Close implements sdk.Closer: it closes every open file and the root.
func (f *FS) Close(ctx context.Context) error {
	f.handles.closeAll()
	return f.root.Close()
}

// errLoop is what an operation meets on a final symlink it must not follow.
func errLoop(op, p string) error {
	return sdk.NewError(sdk.CodeLoop, "local: "+op+" "+p+": is a symbolic link")
}

// isSpecial reports whether m is a FIFO, socket, device or irregular file.
func isSpecial(m fs.FileMode) bool {
	return m&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice|fs.ModeCharDevice|fs.ModeIrregular) != 0
}

// giveToCaller applies the mode exactly (the host applied the caller's
// umask; the plugin's own must not apply again) and, when the plugin runs
// as root for another caller, gives the new object named n to the caller,
// keeping the parent's group under a setgid parent.
func (f *FS) giveToCaller(ctx context.Context, n string, perm fs.FileMode) error {
	if c, ok := sdk.CallerFrom(ctx); ok && f.asRoot && (c.Uid != uint32(os.Geteuid()) || c.Gid != uint32(os.Getegid())) {
		gid := int(c.Gid)
		if pi, err := f.lstat(filepath.Dir(n)); err == nil && pi.Mode()&fs.ModeSetgid != 0 {
			gid = -1
		}
		if err := f.root.Lchown(n, int(c.Uid), gid); err != nil {
			return err
		}
	}
	if !exactModes {
		return nil
	}
	fi, err := f.lstat(n)
	if err != nil || fi.Mode()&fs.ModeSymlink != 0 {
		return err
	}
	want := sdk.PermMode(perm)
	if fi.IsDir() {
		want = want&^(fs.ModeSetuid|fs.ModeSetgid) | fi.Mode()&fs.ModeSetgid
	}
	if sdk.PermMode(fi.Mode()) != want {
		return f.root.Chmod(n, want)
	}
	return nil
}
