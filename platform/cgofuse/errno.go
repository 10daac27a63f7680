//go:build (linux && cgo && cgofuse) || windows || (darwin && cgo)

package cgofuse

import (
	"github.com/winfsp/cgofuse/fuse"

	"github.com/plugfs/plugfs/sdk"
)

// errnos maps portable codes to cgofuse's error numbers, which are the
// host OS's on Unix and WinFsp's POSIX numbers on Windows.
var errnos = map[sdk.Code]int{
	sdk.CodeIO:           fuse.EIO,
	sdk.CodeNotExist:     fuse.ENOENT,
	sdk.CodeExist:        fuse.EEXIST,
	sdk.CodePermission:   fuse.EACCES,
	sdk.CodeNotPermitted: fuse.EPERM,
	sdk.CodeInvalid:      fuse.EINVAL,
	sdk.CodeNotDir:       fuse.ENOTDIR,
	sdk.CodeIsDir:        fuse.EISDIR,
	sdk.CodeNotEmpty:     fuse.ENOTEMPTY,
	sdk.CodeNoSpace:      fuse.ENOSPC,
	sdk.CodeNotSupported: fuse.ENOTSUP,
	sdk.CodeNameTooLong:  fuse.ENAMETOOLONG,
	sdk.CodeNoAttr:       fuse.ENOATTR,
	sdk.CodeCrossDevice:  fuse.EXDEV,
	sdk.CodeReadOnly:     fuse.EROFS,
	sdk.CodeBadHandle:    fuse.EBADF,
	sdk.CodeTooManyLinks: fuse.EMLINK,
	sdk.CodeLoop:         fuse.ELOOP,
	sdk.CodeRange:        fuse.ERANGE,
	sdk.CodeFileTooBig:   fuse.EFBIG,
	sdk.CodeBusy:         fuse.EBUSY,
	sdk.CodeStale:        fuse.EIO, // cgofuse has no ESTALE; the VFS has already retried
	sdk.CodeUnavailable:  fuse.EIO,
	sdk.CodeTimeout:      fuse.EIO,
	sdk.CodeCanceled:     fuse.EINTR,
	sdk.CodeNoSys:        fuse.ENOSYS,
}

// errc returns cgofuse's answer for err: 0, or a negative error number.
func errc(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := errnos[sdk.CodeOf(err)]; ok {
		return -e
	}
	return -fuse.EIO
}
