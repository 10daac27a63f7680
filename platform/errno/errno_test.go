//go:build unix

package errno

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

func TestFromError(t *testing.T) {
	for err, want := range map[error]syscall.Errno{
		nil:                                   0,
		sdk.ErrNotExist:                       syscall.ENOENT,
		fmt.Errorf("x: %w", sdk.ErrNotEmpty):  syscall.ENOTEMPTY,
		sdk.NewError(sdk.CodeUnavailable, ""): syscall.EIO,
		sdk.NewError(sdk.CodeTimeout, ""):     syscall.EIO,
		context.Canceled:                      syscall.EINTR,
		sdk.ErrNoAttr:                         noAttr,
		sdk.NewError(sdk.Code(999), "future"): syscall.EIO,
	} {
		if got := FromError(err); got != want {
			t.Errorf("FromError(%v) = %v, want %v", err, got, want)
		}
	}
	for c := sdk.CodeIO; c <= sdk.CodeNoSys; c++ {
		if _, ok := table[c]; !ok {
			t.Errorf("code %v has no errno", c)
		}
	}
}
