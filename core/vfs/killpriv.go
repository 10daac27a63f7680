package vfs

import (
	"context"
	"io/fs"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Killing set-user-ID and set-group-ID bits. A write, a truncation or an
// O_TRUNC open by a process without CAP_FSETID, and any chown, must clear
// a regular file's set-user-ID bit, and its set-group-ID bit when group
// execution is allowed. The kernel does it itself for FUSE (asking the
// file's security.capability attribute before every write to decide) unless
// the server takes it over (FUSE_HANDLE_KILLPRIV_V2), which saves that
// round trip per write; a driver that does calls these.

// privBits are the bits a change by an unprivileged process clears.
func privBits(m fs.FileMode) fs.FileMode {
	kill := m & fs.ModeSetuid
	if m&fs.ModeSetgid != 0 && m&0o010 != 0 {
		kill |= fs.ModeSetgid
	}
	return kill
}

// KilledMode returns the permission bits node id must have after a change
// that kills privileges, and whether they differ from what it has. The
// mode the VFS last read answers, without a plugin call, while it is as
// fresh as the kernel's cached attributes would be (the attribute
// timeout, or until a change with ExclusiveData): writes make the size
// and times stale, not the mode.
func (v *VFS) KilledMode(ctx context.Context, id, fh uint64) (fs.FileMode, bool, error) {
	v.mu.Lock()
	n, ok := v.nodes[id]
	if !ok {
		v.mu.Unlock()
		return 0, false, sdk.ErrStale
	}
	mode, known := n.attr.Mode, n.attrGen == v.generation() && !n.attrAt.IsZero() && n.raw == 0 &&
		(v.feat.ExclusiveData || time.Since(n.attrAt) < v.opts.AttrTimeout)
	v.mu.Unlock()
	if !known {
		a, err := v.Getattr(ctx, id, fh)
		if err != nil {
			return 0, false, err
		}
		mode = a.Mode
	}
	if !mode.IsRegular() {
		return 0, false, nil
	}
	kill := privBits(mode)
	return sdk.PermMode(mode) &^ kill, kill != 0, nil
}

// KillSuidgid clears node id's set-user-ID and set-group-ID bits as an
// unprivileged write or truncation must (see KilledMode); it costs no
// plugin call when there is nothing to clear.
func (v *VFS) KillSuidgid(ctx context.Context, id, fh uint64) error {
	m, kill, err := v.KilledMode(ctx, id, fh)
	if err != nil || !kill {
		return err
	}
	_, err = v.Setattr(ctx, id, fh, sdk.SetAttr{Valid: sdk.SetMode, Mode: m})
	return err
}
