//go:build windows

package winsvc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/windows/svc"
)

// DefaultStopTimeout is how long Run waits for Main to return after a
// stop when Program.StopTimeout is zero. It matches the systemd unit's
// TimeoutStopSec, above the daemon's own default shutdown bound (30 s).
const DefaultStopTimeout = 45 * time.Second

// pendingTick is how often a pending state reports progress (a new
// checkpoint), and pendingHint the wait hint it gives the SCM.
const (
	pendingTick = 2 * time.Second
	pendingHint = 10 * time.Second
)

// accepted are the controls a running service takes.
const accepted = svc.AcceptStop | svc.AcceptShutdown | svc.AcceptParamChange

// Program is what Run serves as a service.
type Program struct {
	// Main runs until ctx is cancelled (Stop or Shutdown) and returns;
	// it calls ready once it serves, which turns StartPending into
	// Running. Returning before a stop was asked for is a failure when
	// the error is not nil (the SCM's recovery actions apply).
	Main func(ctx context.Context, ready func()) error
	// Reload is called on ParamChange ("sc control NAME paramchange").
	// It runs on the control loop: start the reload, do not wait for it.
	// If nil, ParamChange is not accepted.
	Reload func()
	// ExitCode maps Main's error to the service-specific exit code the
	// SCM records when Main fails on its own; nil means 1 for any error.
	ExitCode func(error) uint32
	// StopTimeout bounds the wait for Main after a stop; zero means
	// DefaultStopTimeout.
	StopTimeout time.Duration
}

// IsService reports whether this process was started by the SCM.
func IsService() (bool, error) {
	return svc.IsWindowsService()
}

// Run serves p as service name until it stops; call it only when
// IsService is true (it fails at once otherwise). It returns Main's
// error, or one wrapping ErrStopTimeout if Main did not return within
// the stop timeout (Main is then abandoned: return soon after Run).
func Run(name string, p Program) error {
	h := &handler{p: p}
	if err := svc.Run(name, h); err != nil {
		return fmt.Errorf("run as service %q: %w", name, err)
	}
	return h.err
}

// handler is the svc.Handler that runs a Program.
type handler struct {
	p   Program
	err error // Main's result, for Run
}

var _ svc.Handler = (*handler)(nil)

func ms(d time.Duration) uint32 { return uint32(d / time.Millisecond) }

func (h *handler) accepts() svc.Accepted {
	if h.p.Reload == nil {
		return accepted &^ svc.AcceptParamChange
	}
	return accepted
}

// Execute reports StartPending, runs Main, reports Running once Main is
// ready, and serves controls until Main returns or a stop is asked for.
func (h *handler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	ready := make(chan struct{})
	var once sync.Once
	cur := svc.Status{State: svc.StartPending, WaitHint: ms(pendingHint)}
	status <- cur
	go func() { done <- h.p.Main(ctx, func() { once.Do(func() { close(ready) }) }) }()
	tick := time.NewTicker(pendingTick)
	defer tick.Stop()
	for {
		select {
		case <-ready:
			ready = nil
			cur = svc.Status{State: svc.Running, Accepts: h.accepts()}
			status <- cur
		case <-tick.C:
			if cur.State == svc.StartPending {
				cur.CheckPoint++
				status <- cur
			}
		case err := <-done:
			// Main ended on its own: a failure unless it returned nil.
			h.err = err
			if err == nil {
				return false, 0
			}
			return true, h.exitCode(err)
		case r := <-req:
			switch r.Cmd {
			case svc.Stop, svc.Shutdown:
				h.stop(cancel, done, req, status)
				return false, 0
			case svc.ParamChange:
				if h.p.Reload != nil {
					h.p.Reload()
				}
				status <- cur
			default: // Interrogate, and anything the SCM sends regardless
				status <- cur
			}
		}
	}
}

// stop reports StopPending, cancels Main and waits for it, bounded. A
// stop that was asked for ends with exit code 0 whatever Main returns:
// a non-zero code would make the SCM restart what the administrator
// stopped. Main's error (or the timeout) goes to Run's caller.
func (h *handler) stop(cancel context.CancelFunc, done <-chan error, req <-chan svc.ChangeRequest, status chan<- svc.Status) {
	wait := h.p.StopTimeout
	if wait <= 0 {
		wait = DefaultStopTimeout
	}
	cur := svc.Status{State: svc.StopPending, WaitHint: ms(min(wait, pendingHint))}
	status <- cur
	cancel()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(pendingTick)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				h.err = err
			}
			return
		case <-tick.C:
			cur.CheckPoint++
			status <- cur
		case <-req: // only Interrogate reaches a stopping service
			status <- cur
		case <-deadline.C:
			h.err = fmt.Errorf("stopping: the service's work did not end within %v: %w", wait, ErrStopTimeout)
			return
		}
	}
}

func (h *handler) exitCode(err error) uint32 {
	if h.p.ExitCode == nil {
		return 1
	}
	if c := h.p.ExitCode(err); c != 0 {
		return c
	}
	return 1 // an error is never success
}
