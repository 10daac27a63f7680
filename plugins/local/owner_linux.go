//go:build linux && !localportable

package local

import (
	"context"
	"os"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// settle finishes the creation of the object fd refers to (a new file's
// descriptor, or an O_PATH descriptor of a new directory, node or symlink)
// the way a kernel file system would:
//
//   - The mode is exactly perm: the host applied the caller's umask already,
//     so what the plugin process's own umask took away is put back. A
//     directory keeps the setgid bit it inherited from its parent.
//   - When the plugin runs as root on behalf of another caller, the object
//     is given to the caller's uid and gid; under a setgid parent it keeps
//     the parent's group (parentSetgid is asked only then). chown clears
//     setuid and setgid, so they are set again afterwards.
//
// It returns the object's attributes.
func (f *FS) settle(ctx context.Context, fd int, perm uint32, parentSetgid func() bool) (sdk.Attr, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return sdk.Attr{}, err
	}
	changed := false
	if c, ok := sdk.CallerFrom(ctx); ok && f.asRoot && (c.Uid != uint32(os.Geteuid()) || c.Gid != uint32(os.Getegid())) {
		gid := int(c.Gid)
		if parentSetgid() {
			gid = -1
		}
		if err := unix.Fchownat(fd, "", int(c.Uid), gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return sdk.Attr{}, err
		}
		if err := unix.Fstat(fd, &st); err != nil {
			return sdk.Attr{}, err
		}
		changed = true
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		want := perm & 0o7777
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			// mkdir ignores setuid/setgid in its mode; setgid comes from
			// the parent.
			want = perm&0o1777 | st.Mode&unix.S_ISGID
		}
		if st.Mode&0o7777 != want {
			if err := fchmod(fd, want); err != nil {
				return sdk.Attr{}, err
			}
			changed = true
		}
	}
	if changed {
		if err := unix.Fstat(fd, &st); err != nil {
			return sdk.Attr{}, err
		}
	}
	return attrOf(&st), nil
}

// setgidDir reports whether the directory dfd refers to has the setgid bit.
func setgidDir(dfd int) bool {
	var st unix.Stat_t
	return unix.Fstat(dfd, &st) == nil && st.Mode&unix.S_ISGID != 0
}
