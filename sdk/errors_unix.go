//go:build unix

package sdk

import (
	"errors"
	"syscall"
)

// platformCode maps a Unix error number found in err's chain to its code.
func platformCode(err error) (Code, bool) {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return 0, false
	}
	switch errno {
	case syscall.EIO:
		return CodeIO, true
	case syscall.ENOENT:
		return CodeNotExist, true
	case syscall.EEXIST:
		return CodeExist, true
	case syscall.EACCES:
		return CodePermission, true
	case syscall.EPERM:
		return CodeNotPermitted, true
	case syscall.EINVAL:
		return CodeInvalid, true
	case syscall.ENOTDIR:
		return CodeNotDir, true
	case syscall.EISDIR:
		return CodeIsDir, true
	case syscall.ENOTEMPTY:
		return CodeNotEmpty, true
	case syscall.ENOSPC, syscall.EDQUOT:
		return CodeNoSpace, true
	case syscall.ENOTSUP:
		return CodeNotSupported, true
	case syscall.ENAMETOOLONG:
		return CodeNameTooLong, true
	case syscall.ENODATA:
		return CodeNoAttr, true
	case syscall.EXDEV:
		return CodeCrossDevice, true
	case syscall.EROFS:
		return CodeReadOnly, true
	case syscall.EBADF:
		return CodeBadHandle, true
	case syscall.EMLINK:
		return CodeTooManyLinks, true
	case syscall.ELOOP:
		return CodeLoop, true
	case syscall.ERANGE:
		return CodeRange, true
	case syscall.EFBIG:
		return CodeFileTooBig, true
	case syscall.EBUSY:
		return CodeBusy, true
	case syscall.ESTALE:
		return CodeStale, true
	case syscall.ETIMEDOUT:
		return CodeTimeout, true
	case syscall.EINTR:
		return CodeCanceled, true
	case syscall.ENOSYS:
		return CodeNoSys, true
	}
	if errno == syscall.EOPNOTSUPP { // distinct from ENOTSUP on some BSDs
		return CodeNotSupported, true
	}
	return CodeIO, true
}
