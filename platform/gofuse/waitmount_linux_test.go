//go:build linux

package gofuse

import (
	"errors"
	"syscall"
	"testing"
)

// TestWaitMountedRetriesEINTR: an interrupted poll hack is retried, other
// errors and success are not, and the retries are bounded.
func TestWaitMountedRetriesEINTR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		errs  []error
		calls int
		want  error
	}{
		{"ok", []error{nil}, 1, nil},
		{"interrupted once", []error{syscall.EINTR, nil}, 2, nil},
		{"other error", []error{syscall.EIO, nil}, 1, syscall.EIO},
		{"always interrupted", []error{syscall.EINTR, syscall.EINTR, syscall.EINTR, syscall.EINTR, syscall.EINTR, nil}, pollHackTries, syscall.EINTR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := waitMounted(func() error { calls++; return tc.errs[calls-1] })
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) || calls != tc.calls {
				t.Errorf("waitMounted: %v after %d calls, want %v after %d", err, calls, tc.want, tc.calls)
			}
		})
	}
}
