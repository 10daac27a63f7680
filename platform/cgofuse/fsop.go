//go:build (linux && cgo && cgofuse) || windows || (darwin && cgo)

package cgofuse

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/winfsp/cgofuse/fuse"

	"github.com/plugfs/plugfs/core/pathfs"
	"github.com/plugfs/plugfs/sdk"
)

// fileSystem adapts a pathfs.FS to cgofuse's FileSystemInterface. Every
// method answers 0 or a negative error number, as cgofuse wants.
type fileSystem struct {
	fuse.FileSystemBase
	fs     *pathfs.FS
	debug  func(string)
	init   chan struct{}                     // closed when the OS has initialised the file system
	caller func() (uid, gid uint32, pid int) // fuse.Getcontext; tests stub it (it needs a live mount)
}

var (
	_ fuse.FileSystemInterface = (*fileSystem)(nil)
	_ fuse.FileSystemChmod3    = (*fileSystem)(nil)
	_ fuse.FileSystemChown3    = (*fileSystem)(nil)
	_ fuse.FileSystemUtimens3  = (*fileSystem)(nil)
	_ fuse.FileSystemRename3   = (*fileSystem)(nil)
)

// op returns the context of one request: the calling process as FUSE
// reported it.
func (f *fileSystem) op(what, path string) context.Context {
	uid, gid, pid := f.caller()
	if f.debug != nil {
		f.debug(fmt.Sprintf("%s %q uid=%d pid=%d", what, path, uid, pid))
	}
	return sdk.WithCaller(context.Background(), sdk.Caller{Uid: uid, Gid: gid, Pid: uint32(pid)})
}

// Init implements fuse.FileSystemInterface: the mount is ready.
func (f *fileSystem) Init() { close(f.init) }

// Destroy implements fuse.FileSystemInterface.
func (f *fileSystem) Destroy() {}

// Statfs implements fuse.FileSystemInterface.
func (f *fileSystem) Statfs(path string, st *fuse.Statfs_t) int {
	s, err := f.fs.Statfs(f.op("statfs", path))
	if err != nil {
		return errc(err)
	}
	bs := uint64(s.BlockSize)
	if bs == 0 {
		bs = 4096
	}
	*st = fuse.Statfs_t{
		Bsize: bs, Frsize: bs, Blocks: s.Blocks, Bfree: s.BlocksFree, Bavail: s.BlocksAvail,
		Files: s.Files, Ffree: s.FilesFree, Favail: s.FilesFree, Namemax: uint64(s.NameMax),
	}
	if st.Namemax == 0 {
		st.Namemax = 255
	}
	return 0
}

// Getattr implements fuse.FileSystemInterface.
func (f *fileSystem) Getattr(path string, st *fuse.Stat_t, fh uint64) int {
	a, err := f.fs.Getattr(f.op("getattr", path), path, fh)
	if err != nil {
		return errc(err)
	}
	fillStat(st, a)
	return 0
}

// Access implements fuse.FileSystemInterface. Permission bits are the
// OS's to check (default_permissions, WinFsp's security descriptors).
func (f *fileSystem) Access(path string, mask uint32) int {
	return errc(f.fs.Access(f.op("access", path), path))
}

// Readlink implements fuse.FileSystemInterface.
func (f *fileSystem) Readlink(path string) (int, string) {
	target, err := f.fs.Readlink(f.op("readlink", path), path)
	return errc(err), target
}

// Mknod implements fuse.FileSystemInterface.
func (f *fileSystem) Mknod(path string, mode uint32, dev uint64) int {
	return errc(f.fs.Mknod(f.op("mknod", path), path, sdk.ModeFromPOSIX(mode), uint32(dev)))
}

// Mkdir implements fuse.FileSystemInterface.
func (f *fileSystem) Mkdir(path string, mode uint32) int {
	return errc(f.fs.Mkdir(f.op("mkdir", path), path, perm(mode)))
}

// Symlink implements fuse.FileSystemInterface.
func (f *fileSystem) Symlink(target, newpath string) int {
	return errc(f.fs.Symlink(f.op("symlink", newpath), target, newpath))
}

// Link implements fuse.FileSystemInterface.
func (f *fileSystem) Link(oldpath, newpath string) int {
	return errc(f.fs.Link(f.op("link", newpath), oldpath, newpath))
}

// Unlink implements fuse.FileSystemInterface.
func (f *fileSystem) Unlink(path string) int {
	return errc(f.fs.Unlink(f.op("unlink", path), path))
}

// Rmdir implements fuse.FileSystemInterface.
func (f *fileSystem) Rmdir(path string) int {
	return errc(f.fs.Rmdir(f.op("rmdir", path), path))
}

// Rename implements fuse.FileSystemInterface.
func (f *fileSystem) Rename(oldpath, newpath string) int { return f.Rename3(oldpath, newpath, 0) }

// Rename3 implements fuse.FileSystemRename3 (renameat2 flags).
func (f *fileSystem) Rename3(oldpath, newpath string, flags uint32) int {
	var rf sdk.RenameFlags
	if flags&fuse.RENAME_NOREPLACE != 0 {
		rf |= sdk.RenameNoReplace
	}
	if flags&fuse.RENAME_EXCHANGE != 0 {
		rf |= sdk.RenameExchange
	}
	if flags&^(fuse.RENAME_NOREPLACE|fuse.RENAME_EXCHANGE) != 0 {
		return -fuse.EINVAL // whiteouts are for overlay file systems
	}
	return errc(f.fs.Rename(f.op("rename", oldpath), oldpath, newpath, rf))
}

// perm keeps the permission bits (and setuid, setgid, sticky) of a
// POSIX mode.
func perm(mode uint32) fs.FileMode { return sdk.PermMode(sdk.ModeFromPOSIX(mode)) }

func (f *fileSystem) setattr(what, path string, fh uint64, sa sdk.SetAttr) int {
	_, err := f.fs.Setattr(f.op(what, path), path, fh, sa)
	return errc(err)
}

// Chmod implements fuse.FileSystemInterface.
func (f *fileSystem) Chmod(path string, mode uint32) int {
	return f.Chmod3(path, mode, pathfs.NoHandle)
}

// Chmod3 implements fuse.FileSystemChmod3.
func (f *fileSystem) Chmod3(path string, mode uint32, fh uint64) int {
	return f.setattr("chmod", path, fh, sdk.SetAttr{Valid: sdk.SetMode, Mode: perm(mode)})
}

// Chown implements fuse.FileSystemInterface.
func (f *fileSystem) Chown(path string, uid, gid uint32) int {
	return f.Chown3(path, uid, gid, pathfs.NoHandle)
}

// Chown3 implements fuse.FileSystemChown3; ^uint32(0) leaves an id.
func (f *fileSystem) Chown3(path string, uid, gid uint32, fh uint64) int {
	var sa sdk.SetAttr
	if uid != ^uint32(0) {
		sa.Valid |= sdk.SetUid
		sa.Uid = uid
	}
	if gid != ^uint32(0) {
		sa.Valid |= sdk.SetGid
		sa.Gid = gid
	}
	if sa.Valid == 0 {
		return 0
	}
	return f.setattr("chown", path, fh, sa)
}

// Utimens implements fuse.FileSystemInterface.
func (f *fileSystem) Utimens(path string, tmsp []fuse.Timespec) int {
	return f.Utimens3(path, tmsp, pathfs.NoHandle)
}

// Utimens3 implements fuse.FileSystemUtimens3.
func (f *fileSystem) Utimens3(path string, tmsp []fuse.Timespec, fh uint64) int {
	if len(tmsp) < 2 {
		return -fuse.EINVAL
	}
	var sa sdk.SetAttr
	setTime(&sa, tmsp[0], sdk.SetAtime, sdk.SetAtimeNow, &sa.Atime)
	setTime(&sa, tmsp[1], sdk.SetMtime, sdk.SetMtimeNow, &sa.Mtime)
	if sa.Valid == 0 {
		return 0
	}
	return f.setattr("utimens", path, fh, sa)
}

// Truncate implements fuse.FileSystemInterface.
func (f *fileSystem) Truncate(path string, size int64, fh uint64) int {
	if size < 0 {
		return -fuse.EINVAL
	}
	return f.setattr("truncate", path, fh, sdk.SetAttr{Valid: sdk.SetSize, Size: uint64(size)})
}

// Create implements fuse.FileSystemInterface.
func (f *fileSystem) Create(path string, flags int, mode uint32) (int, uint64) {
	fh, _, err := f.fs.Create(f.op("create", path), path, openFlags(flags)|sdk.Create, perm(mode))
	if err != nil {
		return errc(err), ^uint64(0)
	}
	return 0, fh
}

// Open implements fuse.FileSystemInterface.
func (f *fileSystem) Open(path string, flags int) (int, uint64) {
	fh, err := f.fs.Open(f.op("open", path), path, openFlags(flags))
	if err != nil {
		return errc(err), ^uint64(0)
	}
	return 0, fh
}

// Read implements fuse.FileSystemInterface: the byte count or an error.
func (f *fileSystem) Read(path string, buff []byte, ofst int64, fh uint64) int {
	n, err := f.fs.Read(f.op("read", path), fh, buff, ofst)
	if err != nil && n == 0 {
		return errc(err)
	}
	return n
}

// Write implements fuse.FileSystemInterface: the byte count or an error.
func (f *fileSystem) Write(path string, buff []byte, ofst int64, fh uint64) int {
	n, err := f.fs.Write(f.op("write", path), fh, buff, ofst)
	if err != nil && n == 0 {
		return errc(err)
	}
	return n
}

// Flush implements fuse.FileSystemInterface.
func (f *fileSystem) Flush(path string, fh uint64) int {
	return errc(f.fs.Flush(f.op("flush", path), fh))
}

// Fsync implements fuse.FileSystemInterface.
func (f *fileSystem) Fsync(path string, datasync bool, fh uint64) int {
	return errc(f.fs.Fsync(f.op("fsync", path), fh, datasync))
}

// Release implements fuse.FileSystemInterface.
func (f *fileSystem) Release(path string, fh uint64) int {
	return errc(f.fs.Release(f.op("release", path), fh))
}

// Opendir implements fuse.FileSystemInterface.
func (f *fileSystem) Opendir(path string) (int, uint64) {
	fh, err := f.fs.OpenDir(f.op("opendir", path), path)
	if err != nil {
		return errc(err), ^uint64(0)
	}
	return 0, fh
}

// Readdir implements fuse.FileSystemInterface. Offsets are entry indexes
// plus one, so a listing continues where the OS's buffer filled up. The
// buffer is filled until it is full or the listing ends, so the end is
// seen in the same call as the last entries (the VFS learns it then).
func (f *fileSystem) Readdir(path string, fill func(name string, stat *fuse.Stat_t, ofst int64) bool, ofst int64, fh uint64) int {
	ctx := f.op("readdir", path)
	for {
		ents, err := f.fs.ReadDir(ctx, fh, int(ofst))
		if err != nil {
			return errc(err)
		}
		if len(ents) == 0 {
			return 0
		}
		for _, e := range ents {
			st := fuse.Stat_t{Ino: e.Ino, Mode: sdk.ModeToPOSIX(e.Mode)}
			ofst++
			if !fill(e.Name, &st, ofst) {
				return 0
			}
		}
	}
}

// Releasedir implements fuse.FileSystemInterface.
func (f *fileSystem) Releasedir(path string, fh uint64) int {
	return errc(f.fs.Release(f.op("releasedir", path), fh))
}

// Fsyncdir implements fuse.FileSystemInterface: directory changes are
// the plugin's to make durable as they happen.
func (f *fileSystem) Fsyncdir(path string, datasync bool, fh uint64) int { return 0 }

// Setxattr implements fuse.FileSystemInterface.
func (f *fileSystem) Setxattr(path, name string, value []byte, flags int) int {
	var xf sdk.XattrFlags
	if flags&xattrCreate != 0 {
		xf |= sdk.XattrCreate
	}
	if flags&xattrReplace != 0 {
		xf |= sdk.XattrReplace
	}
	return errc(f.fs.Setxattr(f.op("setxattr", path), path, name, value, xf))
}

// Getxattr implements fuse.FileSystemInterface.
func (f *fileSystem) Getxattr(path, name string) (int, []byte) {
	v, err := f.fs.Getxattr(f.op("getxattr", path), path, name)
	if err != nil {
		return errc(err), nil
	}
	return 0, v
}

// Removexattr implements fuse.FileSystemInterface.
func (f *fileSystem) Removexattr(path, name string) int {
	return errc(f.fs.Removexattr(f.op("removexattr", path), path, name))
}

// Listxattr implements fuse.FileSystemInterface.
func (f *fileSystem) Listxattr(path string, fill func(name string) bool) int {
	names, err := f.fs.Listxattr(f.op("listxattr", path), path)
	if err != nil {
		return errc(err)
	}
	for _, n := range names {
		if !fill(n) {
			return -fuse.ERANGE
		}
	}
	return 0
}

// xattrCreate and xattrReplace are setxattr(2)'s flags, the same on every
// system cgofuse runs on.
const (
	xattrCreate  = 1
	xattrReplace = 2
)
