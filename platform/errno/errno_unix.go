//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Package errno maps portable plugfs error codes to this platform's error
// numbers: the one place where that happens for Unix drivers.
package errno

import (
	"syscall"

	"github.com/plugfs/plugfs/sdk"
)

var table = map[sdk.Code]syscall.Errno{
	sdk.CodeIO:           syscall.EIO,
	sdk.CodeNotExist:     syscall.ENOENT,
	sdk.CodeExist:        syscall.EEXIST,
	sdk.CodePermission:   syscall.EACCES,
	sdk.CodeNotPermitted: syscall.EPERM,
	sdk.CodeInvalid:      syscall.EINVAL,
	sdk.CodeNotDir:       syscall.ENOTDIR,
	sdk.CodeIsDir:        syscall.EISDIR,
	sdk.CodeNotEmpty:     syscall.ENOTEMPTY,
	sdk.CodeNoSpace:      syscall.ENOSPC,
	sdk.CodeNotSupported: syscall.ENOTSUP,
	sdk.CodeNameTooLong:  syscall.ENAMETOOLONG,
	sdk.CodeNoAttr:       noAttr,
	sdk.CodeCrossDevice:  syscall.EXDEV,
	sdk.CodeReadOnly:     syscall.EROFS,
	sdk.CodeBadHandle:    syscall.EBADF,
	sdk.CodeTooManyLinks: syscall.EMLINK,
	sdk.CodeLoop:         syscall.ELOOP,
	sdk.CodeRange:        syscall.ERANGE,
	sdk.CodeFileTooBig:   syscall.EFBIG,
	sdk.CodeBusy:         syscall.EBUSY,
	sdk.CodeStale:        syscall.ESTALE,
	sdk.CodeUnavailable:  syscall.EIO, // the plugin is restarting: programs expect EIO
	sdk.CodeTimeout:      syscall.EIO, // ETIMEDOUT is not a file system error programs handle
	sdk.CodeCanceled:     syscall.EINTR,
	sdk.CodeNoSys:        syscall.ENOSYS,
}

// FromError returns the errno for err (0 for nil; EIO for anything unknown).
func FromError(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := table[sdk.CodeOf(err)]; ok {
		return e
	}
	return syscall.EIO
}
