//go:build linux

package bazil

import (
	"context"
	"io/fs"
	"syscall"
	"time"

	"bazil.org/fuse"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// handle serves one request; it responds itself on success and returns
// the error to respond with otherwise.
func (m *mount) handle(ctx context.Context, req fuse.Request) error {
	node := uint64(req.Hdr().Node)
	switch r := req.(type) {
	case *fuse.LookupRequest:
		e, err := m.fs.Lookup(ctx, node, r.Name)
		if neg := m.fs.NegativeTimeout(); neg > 0 && sdk.CodeOf(err) == sdk.CodeNotExist {
			// node 0: the kernel caches that the name does not exist
			r.Respond(&fuse.LookupResponse{EntryValid: neg})
			return nil
		}
		if err != nil {
			return err
		}
		r.Respond(lookupResponse(e))
	case *fuse.GetattrRequest:
		var fh uint64
		if r.Flags&fuse.GetattrFh != 0 {
			fh = uint64(r.Handle)
		}
		a, err := m.fs.Getattr(ctx, node, fh)
		if err != nil {
			return err
		}
		r.Respond(&fuse.GetattrResponse{Attr: fuseAttr(a)})
	case *fuse.SetattrRequest:
		var fh uint64
		if r.Valid.Handle() {
			fh = uint64(r.Handle)
		}
		a, err := m.fs.Setattr(ctx, node, fh, setAttr(r))
		if err != nil {
			return err
		}
		r.Respond(&fuse.SetattrResponse{Attr: fuseAttr(a)})
	case *fuse.ReadlinkRequest:
		t, err := m.fs.Readlink(ctx, node)
		if err != nil {
			return err
		}
		r.Respond(t)
	case *fuse.MkdirRequest:
		e, err := m.fs.Mkdir(ctx, node, r.Name, masked(r.Mode, r.Umask))
		if err != nil {
			return err
		}
		r.Respond(&fuse.MkdirResponse{LookupResponse: *lookupResponse(e)})
	case *fuse.MknodRequest:
		e, err := m.fs.Mknod(ctx, node, r.Name, masked(r.Mode, r.Umask), r.Rdev)
		if err != nil {
			return err
		}
		r.Respond(lookupResponse(e))
	case *fuse.SymlinkRequest:
		e, err := m.fs.Symlink(ctx, node, r.NewName, r.Target)
		if err != nil {
			return err
		}
		r.Respond(&fuse.SymlinkResponse{LookupResponse: *lookupResponse(e)})
	case *fuse.LinkRequest:
		e, err := m.fs.Link(ctx, uint64(r.OldNode), node, r.NewName)
		if err != nil {
			return err
		}
		r.Respond(lookupResponse(e))
	case *fuse.RemoveRequest:
		var err error
		if r.Dir {
			err = m.fs.Rmdir(ctx, node, r.Name)
		} else {
			err = m.fs.Unlink(ctx, node, r.Name)
		}
		if err != nil {
			return err
		}
		r.Respond()
	case *fuse.RenameRequest:
		if err := m.fs.Rename(ctx, node, r.OldName, uint64(r.NewDir), r.NewName, 0); err != nil {
			return err
		}
		r.Respond()
	case *fuse.OpenRequest:
		var fh uint64
		var err error
		if r.Dir {
			fh, err = m.fs.OpenDir(ctx, node)
		} else {
			fh, err = m.fs.Open(ctx, node, openFlags(r.Flags))
		}
		if err != nil {
			return err
		}
		r.Respond(&fuse.OpenResponse{Handle: fuse.HandleID(fh)})
	case *fuse.CreateRequest:
		e, fh, err := m.fs.Create(ctx, node, r.Name, openFlags(r.Flags), masked(r.Mode, r.Umask))
		if err != nil {
			return err
		}
		r.Respond(&fuse.CreateResponse{LookupResponse: *lookupResponse(e), OpenResponse: fuse.OpenResponse{Handle: fuse.HandleID(fh)}})
	case *fuse.ReadRequest:
		if r.Dir {
			return m.readDir(ctx, r)
		}
		buf := make([]byte, r.Size)
		n, err := m.fs.Read(ctx, uint64(r.Handle), buf, r.Offset)
		if err != nil {
			return err
		}
		r.Respond(&fuse.ReadResponse{Data: buf[:n]})
	case *fuse.WriteRequest:
		n, err := m.fs.Write(ctx, uint64(r.Handle), r.Data, r.Offset)
		if err != nil {
			return err
		}
		r.Respond(&fuse.WriteResponse{Size: n})
	case *fuse.FlushRequest:
		if err := m.fs.Flush(ctx, uint64(r.Handle)); err != nil {
			return err
		}
		r.Respond()
	case *fuse.FsyncRequest:
		if err := m.fs.Fsync(ctx, uint64(r.Handle), r.Flags&1 != 0); err != nil {
			return err
		}
		r.Respond()
	case *fuse.ReleaseRequest:
		if r.Dir {
			m.mu.Lock()
			delete(m.dirs, r.Handle)
			m.mu.Unlock()
		}
		if err := m.fs.Release(ctx, uint64(r.Handle)); err != nil {
			return err
		}
		r.Respond()
	case *fuse.StatfsRequest:
		st, err := m.fs.Statfs(ctx)
		if err != nil {
			return err
		}
		bs := st.BlockSize
		if bs == 0 {
			bs = 4096
		}
		r.Respond(&fuse.StatfsResponse{Blocks: st.Blocks, Bfree: st.BlocksFree, Bavail: st.BlocksAvail,
			Files: st.Files, Ffree: st.FilesFree, Bsize: bs, Frsize: bs, Namelen: st.NameMax})
	case *fuse.GetxattrRequest:
		val, err := m.fs.Getxattr(ctx, node, r.Name)
		if err != nil {
			return err
		}
		if r.Size != 0 && uint32(len(val)) > r.Size {
			return syscall.ERANGE
		}
		r.Respond(&fuse.GetxattrResponse{Xattr: val})
	case *fuse.ListxattrRequest:
		names, err := m.fs.Listxattr(ctx, node)
		if err != nil {
			return err
		}
		var resp fuse.ListxattrResponse
		resp.Append(names...)
		if r.Size != 0 && uint32(len(resp.Xattr)) > r.Size {
			return syscall.ERANGE
		}
		r.Respond(&resp)
	case *fuse.SetxattrRequest:
		if err := m.fs.Setxattr(ctx, node, r.Name, r.Xattr, xattrFlags(r.Flags)); err != nil {
			return err
		}
		r.Respond()
	case *fuse.RemovexattrRequest:
		if err := m.fs.Removexattr(ctx, node, r.Name); err != nil {
			return err
		}
		r.Respond()
	case *fuse.AccessRequest:
		r.Respond() // permissions are the kernel's (default_permissions)
	case *fuse.DestroyRequest:
		r.Respond()
	default:
		return syscall.ENOSYS
	}
	return nil
}

func lookupResponse(e vfs.Entry) *fuse.LookupResponse {
	return &fuse.LookupResponse{Node: fuse.NodeID(e.ID), Generation: e.Generation, EntryValid: e.EntryTimeout, Attr: fuseAttr(e.Attr)}
}

func kernelTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}

func fuseAttr(a vfs.Attr) fuse.Attr {
	return fuse.Attr{
		Valid: a.Timeout, Inode: a.Ino, Size: a.Size, Blocks: a.Blocks,
		Atime: kernelTime(a.Atime), Mtime: kernelTime(a.Mtime), Ctime: kernelTime(a.Ctime),
		Mode: a.Mode, Nlink: a.Nlink, Uid: a.Uid, Gid: a.Gid, Rdev: a.Rdev, BlockSize: 4096,
	}
}

// masked applies the caller's umask to a new object's permission bits. The
// kernel has applied it already unless the server negotiated DONT_MASK
// (bazil does not), so this only matters if that changes; it is
// idempotent otherwise.
func masked(mode, umask fs.FileMode) fs.FileMode { return mode &^ (umask & fs.ModePerm) }

func openFlags(f fuse.OpenFlags) sdk.OpenFlags {
	var o sdk.OpenFlags
	switch {
	case f.IsWriteOnly():
		o = sdk.WriteOnly
	case f.IsReadWrite():
		o = sdk.ReadWrite
	}
	for _, m := range []struct {
		k fuse.OpenFlags
		s sdk.OpenFlags
	}{
		{fuse.OpenAppend, sdk.Append}, {fuse.OpenCreate, sdk.Create}, {fuse.OpenExclusive, sdk.Exclusive},
		{fuse.OpenTruncate, sdk.Truncate}, {fuse.OpenSync, sdk.Sync},
		{fuse.OpenFlags(syscall.O_DIRECT), sdk.Direct}, {fuse.OpenFlags(syscall.O_NOFOLLOW), sdk.NoFollow},
	} {
		if f&m.k != 0 {
			o |= m.s
		}
	}
	return o
}

func setAttr(r *fuse.SetattrRequest) sdk.SetAttr {
	var s sdk.SetAttr
	v := r.Valid
	if v.Mode() {
		s.Valid |= sdk.SetMode
		s.Mode = sdk.PermMode(r.Mode)
	}
	if v.Uid() {
		s.Valid |= sdk.SetUid
		s.Uid = r.Uid
	}
	if v.Gid() {
		s.Valid |= sdk.SetGid
		s.Gid = r.Gid
	}
	if v.Size() {
		s.Valid |= sdk.SetSize
		s.Size = r.Size
	}
	switch {
	case v.AtimeNow():
		s.Valid |= sdk.SetAtime | sdk.SetAtimeNow
	case v.Atime():
		s.Valid |= sdk.SetAtime
		s.Atime = r.Atime
	}
	switch {
	case v.MtimeNow():
		s.Valid |= sdk.SetMtime | sdk.SetMtimeNow
	case v.Mtime():
		s.Valid |= sdk.SetMtime
		s.Mtime = r.Mtime
	}
	if v&fuse.SetattrCTime != 0 {
		s.Valid |= sdk.SetCtime
		s.Ctime = r.Ctime
	}
	return s
}

func xattrFlags(f uint32) sdk.XattrFlags {
	var x sdk.XattrFlags
	if f&0x1 != 0 { // XATTR_CREATE
		x |= sdk.XattrCreate
	}
	if f&0x2 != 0 { // XATTR_REPLACE
		x |= sdk.XattrReplace
	}
	return x
}

// direntType maps a mode to the kernel's dirent type.
func direntType(m fs.FileMode) fuse.DirentType {
	switch {
	case m&fs.ModeDir != 0:
		return fuse.DT_Dir
	case m&fs.ModeSymlink != 0:
		return fuse.DT_Link
	case m&fs.ModeNamedPipe != 0:
		return fuse.DT_FIFO
	case m&fs.ModeSocket != 0:
		return fuse.DT_Socket
	case m&fs.ModeCharDevice != 0:
		return fuse.DT_Char
	case m&fs.ModeDevice != 0:
		return fuse.DT_Block
	}
	return fuse.DT_File
}
