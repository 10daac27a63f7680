//go:build unix

package host_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func gone(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) != nil }

// TestLazyAndIdle: a lazy host stops its plugin once Init has answered,
// starts it on the first operation, stops it again after the idle timeout
// (never while a handle is open or an operation runs), and none of it
// counts as a restart.
func TestLazyAndIdle(t *testing.T) {
	cfg := config(testplugin.ModeServe, nil)
	cfg.Lazy, cfg.IdleTimeout = true, 300*time.Millisecond
	var pids []int
	cfg.OnStart = func(pid int) { pids = append(pids, pid) }
	h := start(t, cfg)
	first := pids[0]
	waitFor(t, "the lazy plugin is still running", 5*time.Second, func() bool { return h.Parked() && gone(first) && h.PID() == 0 })

	b := h.FileSystem()
	ctx := context.Background()
	if _, err := b.Stat(ctx, "/"); err != nil {
		t.Fatalf("first operation on a parked plugin: %v", err)
	}
	if h.Parked() || h.PID() == 0 || h.Starts() != 2 {
		t.Fatalf("after the first operation: parked %v pid %d starts %d", h.Parked(), h.PID(), h.Starts())
	}
	second := h.PID()
	waitFor(t, "the idle plugin is still running", 5*time.Second, func() bool { return h.Parked() && gone(second) })

	// An open handle keeps it running past the idle timeout.
	fh, _, err := b.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	third := h.PID()
	time.Sleep(3 * cfg.IdleTimeout)
	if h.Parked() || h.PID() != third {
		t.Fatalf("stopped with a handle open: parked %v pid %d (was %d)", h.Parked(), h.PID(), third)
	}
	if _, err := b.Write(ctx, fh, []byte("kept"), 0); err != nil {
		t.Fatalf("write after the idle timeout with the handle open: %v", err)
	}
	if err := b.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the plugin is still running after its last handle closed", 5*time.Second, func() bool { return h.Parked() && gone(third) })
	if h.Restarts() != 0 {
		t.Errorf("parking and waking counted %d restarts", h.Restarts())
	}
	if h.Starts() != 3 {
		t.Errorf("starts %d, want 3", h.Starts())
	}
}

// TestIdleOperationInFlight: an operation still running is never cut
// short by the idle timeout: it ends by its own deadline.
func TestIdleOperationInFlight(t *testing.T) {
	cfg := config(testplugin.ModeServe, nil)
	cfg.IdleTimeout, cfg.OpTimeout = 50*time.Millisecond, time.Second
	h := start(t, cfg)
	pid := h.PID()
	res := make(chan error, 1)
	go func() { _, err := h.FileSystem().Stat(context.Background(), "/hang"); res <- err }() // blocks until the deadline
	time.Sleep(500 * time.Millisecond)                                                       // ten idle timeouts
	if h.Parked() || gone(pid) {
		t.Errorf("the plugin was stopped while an operation ran")
	}
	if err := <-res; sdk.CodeOf(err) != sdk.CodeTimeout {
		t.Errorf("an operation outliving the idle timeout ended with %v, want its own timeout", err)
	}
}
