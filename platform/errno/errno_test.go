//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package errno

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

func TestFromError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{sdk.ErrIO, syscall.EIO},
		{sdk.ErrNotExist, syscall.ENOENT},
		{sdk.ErrExist, syscall.EEXIST},
		{sdk.ErrPermission, syscall.EACCES},
		{sdk.ErrNotPermitted, syscall.EPERM},
		{sdk.ErrInvalid, syscall.EINVAL},
		{sdk.ErrNotDir, syscall.ENOTDIR},
		{sdk.ErrIsDir, syscall.EISDIR},
		{sdk.ErrNotEmpty, syscall.ENOTEMPTY},
		{sdk.ErrNoSpace, syscall.ENOSPC},
		{sdk.ErrNotSupported, syscall.ENOTSUP},
		{sdk.ErrNameTooLong, syscall.ENAMETOOLONG},
		{sdk.ErrNoAttr, noAttr},
		{sdk.ErrCrossDevice, syscall.EXDEV},
		{sdk.ErrReadOnly, syscall.EROFS},
		{sdk.ErrBadHandle, syscall.EBADF},
		{sdk.ErrTooManyLinks, syscall.EMLINK},
		{sdk.ErrLoop, syscall.ELOOP},
		{sdk.ErrRange, syscall.ERANGE},
		{sdk.ErrFileTooBig, syscall.EFBIG},
		{sdk.ErrBusy, syscall.EBUSY},
		{sdk.ErrStale, syscall.ESTALE},
		{sdk.ErrUnavailable, syscall.EIO},
		{sdk.ErrTimeout, syscall.EIO},
		{sdk.ErrCanceled, syscall.EINTR},
		{sdk.ErrNoSys, syscall.ENOSYS},
		// wrapped, coded, from the context package, from the os package
		{fmt.Errorf("x: %w", sdk.ErrNotEmpty), syscall.ENOTEMPTY},
		{sdk.NewError(sdk.CodeUnavailable, "restarting"), syscall.EIO},
		{sdk.NewError(sdk.CodeTimeout, ""), syscall.EIO},
		{context.Canceled, syscall.EINTR},
		{context.DeadlineExceeded, syscall.EIO},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, syscall.ENOENT},
		{syscall.ERANGE, syscall.ERANGE},
		{sdk.NewError(sdk.Code(999), "from a newer plugin"), syscall.EIO},
		{fmt.Errorf("anything else"), syscall.EIO},
	} {
		if got := FromError(tc.err); got != tc.want {
			t.Errorf("FromError(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	for c := sdk.CodeIO; c <= sdk.CodeNoSys; c++ {
		if _, ok := table[c]; !ok {
			t.Errorf("code %v has no errno", c)
		}
	}
}
