// Package local is the plugin that mirrors a host directory, confined to
// it: no path the host sends can reach outside the root, whether through
// "..", an absolute symlink, a relative symlink climbing out, or a symlink
// swapped in while an operation runs. Symlinks inside the root are served
// as symlinks; the plugin itself never follows a final one.
//
// # Linux
//
// Every access starts from an O_PATH descriptor of the root and resolves
// with openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS); the last element is
// acted on with an *at call that does not follow it (fstatat, fchownat,
// utimensat with AT_SYMLINK_NOFOLLOW, mkdirat, mknodat, symlinkat, linkat,
// unlinkat, renameat2, readlinkat), and chmod, truncate and xattrs go
// through the /proc magic link of a descriptor that already names the
// object, so nothing is looked up twice. The errors an escape meets:
//
//   - a path that is not clean ("/..", "/a/../b", "//x"): ErrInvalid, before
//     any system call;
//   - a symlink in the middle of a path that points outside the root
//     (absolute, or relative and climbing out): EXDEV, which is
//     sdk.ErrCrossDevice;
//   - a symlink as the last element where an object is opened: ELOOP
//     (sdk.ErrLoop) from Open, ENOTDIR (sdk.ErrNotDir) from OpenDir. Stat,
//     Setattr, Readlink, Unlink, Rename and friends act on the link itself.
//
// Rename supports RENAME_NOREPLACE and RENAME_EXCHANGE; Attr.Ino and
// DirEntry.Ino are the backing st_ino (StableIno).
//
// # Other systems
//
// Elsewhere (and on Linux with the build tag localportable, which is how
// its tests run there) the plugin works through os.Root, which confines
// lookups the same way but follows a final symlink that stays inside the
// root. That version checks with Lstat first and refuses a final symlink
// with ErrLoop, so a race can at worst redirect a call to another object
// inside the root; it does not offer rename flags, mknod, xattrs or
// statfs, and chmod or utimes of a symlink fail with ErrNotSupported.
//
// # Ownership and modes
//
// The host applies the caller's umask before a create reaches the plugin,
// so new objects get exactly the mode asked for, whatever the plugin
// process's own umask. When the plugin runs as root and the caller
// (sdk.CallerFrom) is someone else, new files, directories, nodes and
// symlinks are given to the caller's uid and gid, or keep the parent's
// group under a setgid directory, as a kernel file system would.
//
// # Handles
//
// An open file keeps its descriptor: reads are pread, writes pwrite (or
// append at end of file for Append handles), and a file unlinked while open
// keeps working through its handle (Read, Write, Setattr, StatHandle).
// FIFOs, sockets and devices are never opened through the plugin (the
// kernel opens them itself): Open refuses them with ErrNotSupported
// rather than block on a FIFO or trigger a device.
package local

import (
	"context"

	"github.com/plugfs/plugfs/sdk"
)

// Plugin describes the local plugin for sdk.Serve.
func Plugin() *sdk.Plugin {
	return &sdk.Plugin{
		Name:        "local",
		Version:     "2",
		Description: "mirrors a host directory (confined beneath it)",
		Options: []sdk.Option{
			{Name: "root", Help: "the directory to mirror", Required: true},
			{Name: "watch", Help: "report changes others make under root (inotify), so the mount shows them at once whatever its cache timeouts", Default: "false"},
		},
		New: func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) {
			watch, err := o.Bool("watch")
			if err != nil {
				return nil, err
			}
			f, err := New(o.String("root"))
			if err != nil || !watch {
				return f, err
			}
			return newWatching(f)
		},
	}
}
