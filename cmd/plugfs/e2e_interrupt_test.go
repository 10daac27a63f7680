//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestInterruptCancelsPluginCall: a caller blocked in a plugin call that
// never answers is released with EINTR when it receives a signal it
// handles, long before the operation deadline.
func TestInterruptCancelsPluginCall(t *testing.T) {
	mnt := mountBackground(t, testPluginBin, "--op-timeout", "60s")
	tids := make(chan int, 1)
	result := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		var st unix.Stat_t
		result <- unix.Stat(filepath.Join(mnt, "hang"), &st)
	}()
	tid := <-tids
	time.Sleep(300 * time.Millisecond) // let the request reach the plugin
	began := time.Now()
	// SIGURG: Go handles it (preemption), so it interrupts without killing.
	if err := unix.Tgkill(os.Getpid(), tid, syscall.SIGURG); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-result:
		if !errors.Is(err, syscall.EINTR) {
			t.Errorf("interrupted stat returned %v, want EINTR", err)
		}
		if d := time.Since(began); d > 3*time.Second {
			t.Errorf("released %v after the signal", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the interrupted call is still blocked after 10s")
	}
}
