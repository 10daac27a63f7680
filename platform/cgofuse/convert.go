//go:build (linux && cgo && cgofuse) || windows || (darwin && cgo)

package cgofuse

import (
	"time"

	"github.com/winfsp/cgofuse/fuse"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// blockSize is the preferred I/O size reported in st_blksize.
const blockSize = 1 << 16

func timespec(t time.Time) fuse.Timespec {
	if t.IsZero() {
		return fuse.Timespec{}
	}
	return fuse.NewTimespec(t)
}

// fillStat writes a into st.
func fillStat(st *fuse.Stat_t, a vfs.Attr) {
	*st = fuse.Stat_t{
		Ino:      a.Ino,
		Mode:     sdk.ModeToPOSIX(a.Mode),
		Nlink:    a.Nlink,
		Uid:      a.Uid,
		Gid:      a.Gid,
		Rdev:     uint64(a.Rdev),
		Size:     int64(a.Size),
		Atim:     timespec(a.Atime),
		Mtim:     timespec(a.Mtime),
		Ctim:     timespec(a.Ctime),
		Birthtim: timespec(a.Btime),
		Blksize:  blockSize,
		Blocks:   int64(a.Blocks),
	}
}

// openFlags converts cgofuse's open flags (the OS's O_ constants).
func openFlags(f int) sdk.OpenFlags {
	var o sdk.OpenFlags
	switch f & fuse.O_ACCMODE {
	case fuse.O_WRONLY:
		o = sdk.WriteOnly
	case fuse.O_RDWR:
		o = sdk.ReadWrite
	}
	for _, m := range []struct {
		k int
		s sdk.OpenFlags
	}{
		{fuse.O_APPEND, sdk.Append}, {fuse.O_CREAT, sdk.Create}, {fuse.O_EXCL, sdk.Exclusive},
		{fuse.O_TRUNC, sdk.Truncate},
	} {
		if f&m.k != 0 {
			o |= m.s
		}
	}
	return o
}

// setTime adds one utimens time to sa: UTIME_OMIT leaves it, UTIME_NOW
// asks for the plugin's clock.
func setTime(sa *sdk.SetAttr, ts fuse.Timespec, field, now sdk.SetAttrMask, dst *time.Time) {
	switch ts.Nsec {
	case fuse.UTIME_OMIT:
	case fuse.UTIME_NOW:
		sa.Valid |= field | now
	default:
		sa.Valid |= field
		*dst = ts.Time()
	}
}
