//go:build unix

package sdk_test

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestErrnoMapping: errors from the os package keep their meaning.
func TestErrnoMapping(t *testing.T) {
	for errno, want := range map[syscall.Errno]error{
		syscall.ENOTDIR:    sdk.ErrNotDir,
		syscall.ENOTEMPTY:  sdk.ErrNotEmpty,
		syscall.ENOENT:     sdk.ErrNotExist,
		syscall.EACCES:     sdk.ErrPermission,
		syscall.EPERM:      sdk.ErrNotPermitted,
		syscall.EXDEV:      sdk.ErrCrossDevice,
		syscall.ENODATA:    sdk.ErrNoAttr,
		syscall.EOPNOTSUPP: sdk.ErrNotSupported,
	} {
		err := &fs.PathError{Op: "op", Path: "/x", Err: errno}
		if got := sdk.CodeOf(err); got != sdk.CodeOf(want) {
			t.Errorf("CodeOf(%v) = %v, want %v", errno, got, sdk.CodeOf(want))
		}
		if !errors.Is(sdk.NewError(sdk.CodeOf(err), err.Error()), want) {
			t.Errorf("%v does not come back as %v", errno, want)
		}
	}
}
