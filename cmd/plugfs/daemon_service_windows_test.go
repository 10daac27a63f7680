//go:build windows

package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestServiceControls: in a service, ParamChange reaches the daemon's
// signal loop as SIGHUP, a stop as SIGTERM, and ready reports Running;
// outside one, nothing is relayed.
func TestServiceControls(t *testing.T) {
	sigs := make(chan os.Signal, 4)
	if c := serviceControls(context.Background(), sigs); c != nil {
		t.Fatalf("serviceControls outside a service = %+v, want nil", c)
	}
	(*serviceControl)(nil).ready() // must not panic

	stop := make(chan struct{})
	readied := 0
	ctl := &serviceControl{stop: stop, signals: make(chan os.Signal, 4), readyFn: func() { readied++ }}
	ctx := context.WithValue(context.Background(), serviceControlKey{}, ctl)
	if got := serviceControls(ctx, sigs); got != ctl {
		t.Fatalf("serviceControls in a service = %p, want %p", got, ctl)
	}
	got := func() os.Signal {
		t.Helper()
		select {
		case s := <-sigs:
			return s
		case <-time.After(5 * time.Second):
			t.Fatal("nothing relayed within 5s")
		}
		return nil
	}
	ctl.signals <- syscall.SIGHUP
	if s := got(); s != syscall.SIGHUP {
		t.Errorf("ParamChange relayed as %v, want SIGHUP", s)
	}
	ctl.ready()
	if readied != 1 {
		t.Errorf("ready called the service's ready %d times", readied)
	}
	close(stop)
	if s := got(); s != syscall.SIGTERM {
		t.Errorf("stop relayed as %v, want SIGTERM", s)
	}
}

// TestLogToEventLog: stderr goes to the event log while the service runs
// and is restored after. Wine keeps no event log to read back, so only
// the redirection itself is checked.
func TestLogToEventLog(t *testing.T) {
	old := os.Stderr
	restore := logToEventLog()
	if os.Stderr == old {
		t.Fatal("stderr not redirected")
	}
	fmt.Fprintln(os.Stderr, "[INFO]  plugfs: TestLogToEventLog")
	restore()
	if os.Stderr != old {
		t.Error("stderr not restored")
	}
}
