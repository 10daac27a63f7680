//go:build linux

package gofuse

import (
	"context"
	"fmt"
	"io/fs"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/errno"
	"github.com/plugfs/plugfs/sdk"
)

// interruptGrace: see the package comment.
const interruptGrace = 200 * time.Millisecond

// rawFS adapts core/vfs to go-fuse's raw protocol interface. Operations it
// does not override answer ENOSYS (go-fuse's defaults).
type rawFS struct {
	fuse.RawFileSystem
	m *mount
}

func (r *rawFS) String() string { return "plugfs:" + r.m.point }

// op starts an operation: a context carrying the caller, cancelled when the
// kernel interrupts the request and it is still running after the grace.
func (r *rawFS) op(cancel <-chan struct{}, h *fuse.InHeader, what string) (context.Context, func()) {
	if r.m.debug != nil {
		r.m.debug(fmt.Sprintf("%s node=%d uid=%d pid=%d", what, h.NodeId, h.Uid, h.Pid))
	}
	c := newOpContext(sdk.Caller{Uid: h.Uid, Gid: h.Gid, Pid: h.Pid}, cancel)
	return c, c.finish
}

func status(err error) fuse.Status {
	if err == nil {
		return fuse.OK
	}
	return fuse.Status(errno.FromError(err))
}

func setAttr(out *fuse.Attr, a sdk.Attr) {
	out.Ino = a.Ino
	out.Size = a.Size
	out.Blocks = a.Blocks
	out.Mode = sdk.ModeToPOSIX(a.Mode)
	out.Nlink = a.Nlink
	out.Uid, out.Gid = a.Uid, a.Gid
	out.Rdev = a.Rdev
	out.Blksize = 4096
	setTime := func(t time.Time, s *uint64, ns *uint32) {
		if t.IsZero() {
			*s, *ns = 0, 0
			return
		}
		*s, *ns = uint64(t.Unix()), uint32(t.Nanosecond())
	}
	setTime(a.Atime, &out.Atime, &out.Atimensec)
	setTime(a.Mtime, &out.Mtime, &out.Mtimensec)
	setTime(a.Ctime, &out.Ctime, &out.Ctimensec)
}

func entryOut(out *fuse.EntryOut, e vfs.Entry) {
	out.NodeId = e.ID
	out.Generation = e.Generation
	out.SetEntryTimeout(e.EntryTimeout)
	out.SetAttrTimeout(e.Attr.Timeout)
	setAttr(&out.Attr, e.Attr.Attr)
}

func attrOut(out *fuse.AttrOut, a vfs.Attr) {
	out.SetTimeout(a.Timeout)
	setAttr(&out.Attr, a.Attr)
}

func (r *rawFS) Lookup(cancel <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	ctx, done := r.op(cancel, h, "lookup "+name)
	defer done()
	e, err := r.m.fs.Lookup(ctx, h.NodeId, name)
	if err != nil {
		if neg := r.m.fs.NegativeTimeout(); neg > 0 && errno.FromError(err) == syscall.ENOENT {
			out.NodeId = 0
			out.SetEntryTimeout(neg)
			return fuse.OK // a cached "no such name"
		}
		return status(err)
	}
	entryOut(out, e)
	return fuse.OK
}

func (r *rawFS) Forget(nodeid, nlookup uint64) {
	r.m.keep.forget(nodeid)
	r.m.fs.Forget(nodeid, nlookup)
}

func (r *rawFS) GetAttr(cancel <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "getattr")
	defer done()
	var fh uint64
	if in.Flags()&fuse.FUSE_GETATTR_FH != 0 {
		fh = in.Fh()
	}
	a, err := r.m.fs.Getattr(ctx, in.NodeId, fh)
	if err != nil {
		return status(err)
	}
	attrOut(out, a)
	return fuse.OK
}

func (r *rawFS) SetAttr(cancel <-chan struct{}, in *fuse.SetAttrIn, out *fuse.AttrOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "setattr")
	defer done()
	var sa sdk.SetAttr
	v := in.Valid
	if v&fuse.FATTR_MODE != 0 {
		sa.Valid |= sdk.SetMode
		sa.Mode = sdk.PermMode(sdk.ModeFromPOSIX(in.Mode))
	}
	if v&fuse.FATTR_UID != 0 {
		sa.Valid |= sdk.SetUid
		sa.Uid = in.Uid
	}
	if v&fuse.FATTR_GID != 0 {
		sa.Valid |= sdk.SetGid
		sa.Gid = in.Gid
	}
	if v&fuse.FATTR_SIZE != 0 {
		sa.Valid |= sdk.SetSize
		sa.Size = in.Size
	}
	switch {
	case v&fuse.FATTR_ATIME_NOW != 0:
		sa.Valid |= sdk.SetAtime | sdk.SetAtimeNow
	case v&fuse.FATTR_ATIME != 0:
		sa.Valid |= sdk.SetAtime
		sa.Atime = time.Unix(int64(in.Atime), int64(in.Atimensec))
	}
	switch {
	case v&fuse.FATTR_MTIME_NOW != 0:
		sa.Valid |= sdk.SetMtime | sdk.SetMtimeNow
	case v&fuse.FATTR_MTIME != 0:
		sa.Valid |= sdk.SetMtime
		sa.Mtime = time.Unix(int64(in.Mtime), int64(in.Mtimensec))
	}
	if v&fuse.FATTR_CTIME != 0 {
		sa.Valid |= sdk.SetCtime
		sa.Ctime = time.Unix(int64(in.Ctime), int64(in.Ctimensec))
	}
	var fh uint64
	if v&fuse.FATTR_FH != 0 {
		fh = in.Fh
	}
	if err := r.m.killInSetattr(ctx, in, fh, &sa); err != nil {
		return status(err)
	}
	a, err := r.m.fs.Setattr(ctx, in.NodeId, fh, sa)
	if err != nil {
		var ok bool
		if a, ok = r.m.timesLost(ctx, in.NodeId, sa, err); !ok {
			return status(err)
		}
	}
	if sa.Valid&sdk.SetSize != 0 {
		r.m.written(in.NodeId)
	}
	attrOut(out, a)
	return fuse.OK
}

func (r *rawFS) Readlink(cancel <-chan struct{}, h *fuse.InHeader) ([]byte, fuse.Status) {
	ctx, done := r.op(cancel, h, "readlink")
	defer done()
	t, err := r.m.fs.Readlink(ctx, h.NodeId)
	return []byte(t), status(err)
}

func (r *rawFS) entry(out *fuse.EntryOut, e vfs.Entry, err error) fuse.Status {
	if err != nil {
		return status(err)
	}
	entryOut(out, e)
	return fuse.OK
}

func (r *rawFS) Mknod(cancel <-chan struct{}, in *fuse.MknodIn, name string, out *fuse.EntryOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "mknod "+name)
	defer done()
	e, err := r.m.fs.Mknod(ctx, in.NodeId, name, sdk.ModeFromPOSIX(in.Mode), in.Rdev)
	return r.entry(out, e, err)
}

func (r *rawFS) Mkdir(cancel <-chan struct{}, in *fuse.MkdirIn, name string, out *fuse.EntryOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "mkdir "+name)
	defer done()
	e, err := r.m.fs.Mkdir(ctx, in.NodeId, name, sdk.PermMode(sdk.ModeFromPOSIX(in.Mode|syscall.S_IFDIR)))
	return r.entry(out, e, err)
}

func (r *rawFS) Symlink(cancel <-chan struct{}, h *fuse.InHeader, target, name string, out *fuse.EntryOut) fuse.Status {
	ctx, done := r.op(cancel, h, "symlink "+name)
	defer done()
	e, err := r.m.fs.Symlink(ctx, h.NodeId, name, target)
	return r.entry(out, e, err)
}

func (r *rawFS) Link(cancel <-chan struct{}, in *fuse.LinkIn, name string, out *fuse.EntryOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "link "+name)
	defer done()
	e, err := r.m.fs.Link(ctx, in.Oldnodeid, in.NodeId, name)
	return r.entry(out, e, err)
}

func (r *rawFS) Unlink(cancel <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	ctx, done := r.op(cancel, h, "unlink "+name)
	defer done()
	return status(r.m.fs.Unlink(ctx, h.NodeId, name))
}

func (r *rawFS) Rmdir(cancel <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	ctx, done := r.op(cancel, h, "rmdir "+name)
	defer done()
	return status(r.m.fs.Rmdir(ctx, h.NodeId, name))
}

func (r *rawFS) Rename(cancel <-chan struct{}, in *fuse.RenameIn, oldName, newName string) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "rename "+oldName)
	defer done()
	var flags sdk.RenameFlags
	if in.Flags&1 != 0 { // RENAME_NOREPLACE
		flags |= sdk.RenameNoReplace
	}
	if in.Flags&2 != 0 { // RENAME_EXCHANGE
		flags |= sdk.RenameExchange
	}
	if in.Flags&^3 != 0 { // RENAME_WHITEOUT and beyond
		return fuse.EINVAL
	}
	return status(r.m.fs.Rename(ctx, in.NodeId, oldName, in.Newdir, newName, flags))
}

func (r *rawFS) Access(cancel <-chan struct{}, in *fuse.AccessIn) fuse.Status {
	return fuse.OK // permissions are the kernel's (default_permissions)
}

func openFlags(f uint32) sdk.OpenFlags {
	var o sdk.OpenFlags
	switch f & syscall.O_ACCMODE {
	case syscall.O_WRONLY:
		o = sdk.WriteOnly
	case syscall.O_RDWR:
		o = sdk.ReadWrite
	}
	for _, m := range []struct {
		k uint32
		s sdk.OpenFlags
	}{
		{syscall.O_APPEND, sdk.Append}, {syscall.O_CREAT, sdk.Create}, {syscall.O_EXCL, sdk.Exclusive},
		{syscall.O_TRUNC, sdk.Truncate}, {syscall.O_SYNC, sdk.Sync}, {syscall.O_DIRECT, sdk.Direct},
		{syscall.O_NOFOLLOW, sdk.NoFollow},
	} {
		if f&m.k != 0 {
			o |= m.s
		}
	}
	return o
}

func (r *rawFS) Create(cancel <-chan struct{}, in *fuse.CreateIn, name string, out *fuse.CreateOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "create "+name)
	defer done()
	e, fh, err := r.m.create(ctx, in.NodeId, name, openFlags(in.Flags), sdk.PermMode(sdk.ModeFromPOSIX(in.Mode)))
	if err != nil {
		return status(err)
	}
	entryOut(&out.EntryOut, e)
	out.Fh = fh
	r.m.pt.open(e.ID, fh, r.m.fs.File(fh), &out.OpenOut)
	r.m.keep.open(r.m.fs, e.ID, fh, &out.OpenOut)
	return fuse.OK
}

func (r *rawFS) Open(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "open")
	defer done()
	fh, err := r.m.open(ctx, in.NodeId, openFlags(in.Flags))
	if err != nil {
		return status(err)
	}
	if err := r.m.killAfterOpen(ctx, in, fh); err != nil {
		_ = r.m.fs.Release(context.WithoutCancel(ctx), fh)
		return status(err)
	}
	out.Fh = fh
	r.m.pt.open(in.NodeId, fh, r.m.fs.File(fh), out)
	r.m.keep.open(r.m.fs, in.NodeId, fh, out)
	return fuse.OK
}

func (r *rawFS) Read(cancel <-chan struct{}, in *fuse.ReadIn, buf []byte) (fuse.ReadResult, fuse.Status) {
	if r.m.writeback && r.m.fills.has(in.Fh) {
		ctx, done := r.op(cancel, &in.InHeader, "read (page fill)")
		defer done()
		n, err := r.m.fill(ctx, in.NodeId, in.Fh, buf[:min(int(in.Size), len(buf))], int64(in.Offset))
		if err != nil {
			return nil, status(err)
		}
		return fuse.ReadResultData(buf[:n]), fuse.OK
	}
	if f := r.m.fs.File(in.Fh); f != nil {
		// A donated file not in passthrough: splice it to the kernel.
		// The kernel holds the file open while this read runs, so no
		// Release can close it meanwhile.
		return fuse.ReadResultFd(f.Fd(), int64(in.Offset), int(in.Size)), fuse.OK
	}
	ctx, done := r.op(cancel, &in.InHeader, "read")
	defer done()
	n, err := r.m.fs.Read(ctx, in.Fh, buf[:min(int(in.Size), len(buf))], int64(in.Offset))
	if err != nil {
		return nil, status(err)
	}
	return fuse.ReadResultData(buf[:n]), fuse.OK
}

func (r *rawFS) Write(cancel <-chan struct{}, in *fuse.WriteIn, data []byte) (uint32, fuse.Status) {
	ctx, done := r.op(cancel, &in.InHeader, "write")
	defer done()
	n, err := r.m.fs.Write(ctx, in.Fh, data, int64(in.Offset))
	if err == nil {
		err = r.m.killAfterWrite(ctx, in)
	}
	return uint32(n), status(err)
}

// Flush answers ENOSYS when the plugin has no Flush and the handle holds
// no gathered writes: the kernel then takes every close as flushed and
// stops sending FLUSH (a round trip per close saved). A handle that
// gathers writes keeps FLUSH coming, so close reports a delayed write's
// failure.
func (r *rawFS) Flush(cancel <-chan struct{}, in *fuse.FlushIn) fuse.Status {
	if !r.m.fs.FlushNeeded(in.Fh) {
		if r.m.debug != nil {
			r.m.debug(fmt.Sprintf("flush node=%d: ENOSYS (the plugin has nothing to flush)", in.NodeId))
		}
		return fuse.ENOSYS
	}
	ctx, done := r.op(cancel, &in.InHeader, "flush")
	defer done()
	return status(r.m.fs.Flush(ctx, in.Fh))
}

// Fsync answers ENOSYS when the plugin has no Fsync, which the kernel
// takes as success from then on, without asking again.
func (r *rawFS) Fsync(cancel <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	if !r.m.fs.FsyncNeeded(in.Fh) {
		return fuse.ENOSYS
	}
	ctx, done := r.op(cancel, &in.InHeader, "fsync")
	defer done()
	err := r.m.fs.Fsync(ctx, in.Fh, in.FsyncFlags&1 != 0)
	if err == nil {
		r.m.written(in.NodeId)
	}
	return status(err)
}

func (r *rawFS) FsyncDir(cancel <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	return fuse.OK
}

func (r *rawFS) Release(cancel <-chan struct{}, in *fuse.ReleaseIn) {
	r.m.pt.release(in.Fh)
	r.m.fills.remove(in.Fh)
	_ = r.m.fs.Release(context.Background(), in.Fh)
	if in.Flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		r.m.written(in.NodeId)
	}
}

func (r *rawFS) OpenDir(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "opendir")
	defer done()
	fh, err := r.m.fs.OpenDir(ctx, in.NodeId)
	if err != nil {
		return status(err)
	}
	out.Fh = fh
	return fuse.OK
}

// ReadDir: kernel offsets are indexes into the VFS listing ("." is 0).
func (r *rawFS) ReadDir(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	return r.readDir(cancel, in, out, false)
}

// ReadDirPlus answers READDIRPLUS, which the kernel sends instead of
// READDIR on every listing unless the mount has NoReadDirPlus (go-fuse
// does not ask for READDIRPLUS_AUTO, the kernel's heuristic that would
// list with attributes only the first page and after lookups).
//
// Each entry the plugin listed with attributes is bound (vfs.BindEntry)
// and goes with its node id, attributes and timeouts; the kernel takes a
// reference for it as for a LOOKUP reply, so it is bound only once
// AddDirLookupEntry has placed it in the reply: an entry that does not
// fit is not bound, and comes first in the next request. Every other
// entry, "." and ".." among them, goes with a zero EntryOut: node id 0
// means "no entry" to the kernel (fuse_direntplus_link skips it, and
// skips "." and ".." whatever they carry, as go-fuse's fs bridge relies
// on), which lists the name and looks it up when it needs it. That is
// preferred to a plugin Stat per entry here, which would cost `ls` (no
// -l) and listings whose names are never stat'ed a round trip per name.
// So READDIRPLUS is on whatever the plugin lists (sdk.Features does not
// say), and only its larger entries cost a plugin without attributes.
func (r *rawFS) ReadDirPlus(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	return r.readDir(cancel, in, out, true)
}

func (r *rawFS) readDir(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList, plus bool) fuse.Status {
	what := "readdir"
	if plus {
		what = "readdirplus"
	}
	ctx, done := r.op(cancel, &in.InHeader, what)
	defer done()
	idx := int(in.Offset)
	added := false
	for {
		ents, err := r.m.fs.ReadDir(ctx, in.Fh, idx)
		if err != nil {
			if added {
				// Entries are in the reply (and bound, with plus): send
				// them; the next request meets the error again.
				return fuse.OK
			}
			return status(err)
		}
		if len(ents) == 0 {
			return fuse.OK
		}
		for _, e := range ents {
			idx++
			de := fuse.DirEntry{Name: e.Name, Mode: sdk.ModeToPOSIX(e.Mode.Type() | fs.ModePerm), Ino: e.Ino, Off: uint64(idx)}
			if !plus {
				if !out.AddDirEntry(de) {
					return fuse.OK
				}
				added = true
				continue
			}
			eo := out.AddDirLookupEntry(de)
			if eo == nil {
				return fuse.OK // full; e was not bound
			}
			added = true
			if be, ok := r.m.fs.BindEntry(in.Fh, e); ok {
				entryOut(eo, be)
			} // else eo stays zero: the name alone
		}
	}
}

func (r *rawFS) ReleaseDir(in *fuse.ReleaseIn) {
	_ = r.m.fs.Release(context.Background(), in.Fh)
}

func (r *rawFS) StatFs(cancel <-chan struct{}, h *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	ctx, done := r.op(cancel, h, "statfs")
	defer done()
	st, err := r.m.fs.Statfs(ctx)
	if err != nil {
		return status(err)
	}
	bs := st.BlockSize
	if bs == 0 {
		bs = 4096
	}
	out.Blocks, out.Bfree, out.Bavail = st.Blocks, st.BlocksFree, st.BlocksAvail
	out.Files, out.Ffree = st.Files, st.FilesFree
	out.Bsize, out.Frsize, out.NameLen = bs, bs, st.NameMax
	return fuse.OK
}

func (r *rawFS) GetXAttr(cancel <-chan struct{}, h *fuse.InHeader, name string, dest []byte) (uint32, fuse.Status) {
	ctx, done := r.op(cancel, h, "getxattr "+name)
	defer done()
	val, err := r.m.fs.Getxattr(ctx, h.NodeId, name)
	if err != nil {
		return 0, status(err)
	}
	if len(dest) < len(val) {
		return uint32(len(val)), fuse.ERANGE
	}
	return uint32(copy(dest, val)), fuse.OK
}

func (r *rawFS) ListXAttr(cancel <-chan struct{}, h *fuse.InHeader, dest []byte) (uint32, fuse.Status) {
	ctx, done := r.op(cancel, h, "listxattr")
	defer done()
	names, err := r.m.fs.Listxattr(ctx, h.NodeId)
	if err != nil {
		return 0, status(err)
	}
	var b []byte
	for _, n := range names {
		b = append(append(b, n...), 0)
	}
	if len(dest) < len(b) {
		return uint32(len(b)), fuse.ERANGE
	}
	return uint32(copy(dest, b)), fuse.OK
}

func (r *rawFS) SetXAttr(cancel <-chan struct{}, in *fuse.SetXAttrIn, name string, data []byte) fuse.Status {
	ctx, done := r.op(cancel, &in.InHeader, "setxattr "+name)
	defer done()
	var flags sdk.XattrFlags
	if in.Flags&0x1 != 0 {
		flags |= sdk.XattrCreate
	}
	if in.Flags&0x2 != 0 {
		flags |= sdk.XattrReplace
	}
	return status(r.m.fs.Setxattr(ctx, in.NodeId, name, data, flags))
}

func (r *rawFS) RemoveXAttr(cancel <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	ctx, done := r.op(cancel, h, "removexattr "+name)
	defer done()
	return status(r.m.fs.Removexattr(ctx, h.NodeId, name))
}
