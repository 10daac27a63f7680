package gofuse

import (
	"context"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// FUSE_HANDLE_KILLPRIV_V2. Without it the kernel asks the file's
// security.capability attribute (a GETXATTR round trip) before every
// write(2), to learn whether the write must clear privileges, and clears
// set-user-ID and set-group-ID bits itself. With it the kernel asks once
// per inode until it next refreshes the attributes (S_NOSEC), and leaves
// the bits to the server: it flags WRITEs, truncating SETATTRs and
// O_TRUNC OPENs by a process without CAP_FSETID, and SETATTRs that
// chown, and the driver clears them through the VFS (vfs.VFS.KillSuidgid:
// no plugin call when there is nothing to clear). A capability attribute
// is still removed by the kernel.
//
// Only where every write reaches the driver: with FUSE passthrough the
// kernel writes a donated file itself, so a connection that may pass a
// file through (the auto data plane with passthrough on) does not take it
// over.

// useKillPriv reports whether the mount asks for FUSE_HANDLE_KILLPRIV_V2.
func useKillPriv(fsys *vfs.VFS, opts core.MountOptions, pt *passthrough) bool {
	noPassthrough := pt.disabled || opts.DataPlane != core.DataPlaneAuto
	return noPassthrough && !opts.ReadOnly && !fsys.ReadOnly() && fsys.Features().Setattr
}

// killAfterWrite clears privileges after a WRITE the kernel flagged.
func (m *mount) killAfterWrite(ctx context.Context, in *fuse.WriteIn) error {
	if !m.killpriv || in.WriteFlags&fuse.WRITE_KILL_SUIDGID == 0 {
		return nil
	}
	return m.fs.KillSuidgid(ctx, in.NodeId, in.Fh)
}

// killAfterOpen clears privileges after an O_TRUNC OPEN the kernel
// flagged.
func (m *mount) killAfterOpen(ctx context.Context, in *fuse.OpenIn, fh uint64) error {
	if !m.killpriv || in.Mode&fuse.OPEN_KILL_SUIDGID == 0 {
		return nil
	}
	return m.fs.KillSuidgid(ctx, in.NodeId, fh)
}

// killInSetattr adds the clearing of privileges to a SETATTR the kernel
// flagged (a truncation or a chown), so one plugin call does both.
func (m *mount) killInSetattr(ctx context.Context, in *fuse.SetAttrIn, fh uint64, sa *sdk.SetAttr) error {
	if !m.killpriv || in.Valid&fuse.FATTR_KILL_SUIDGID == 0 {
		return nil
	}
	if sa.Valid&sdk.SetMode != 0 {
		return nil // a chmod in the same request says what the mode becomes
	}
	mode, kill, err := m.fs.KilledMode(ctx, in.NodeId, fh)
	if err != nil || !kill {
		return err
	}
	sa.Valid |= sdk.SetMode
	sa.Mode = mode
	return nil
}
