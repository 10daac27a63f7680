//go:build windows

package main

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"github.com/plugfs/plugfs/platform/winsvc"
)

// serviceControl carries the service control manager's requests into a
// running daemon: Stop and Shutdown (stop closes) arrive as SIGTERM,
// ParamChange as SIGHUP; ready reports Running.
type serviceControl struct {
	stop    <-chan struct{}
	signals chan os.Signal
	readyFn func()
}

type serviceControlKey struct{}

// runDaemonService runs the daemon under the service control manager
// when it started this process, else as a console program.
func (a *app) runDaemonService(ctx context.Context) error {
	if is, err := winsvc.IsService(); err != nil || !is {
		return a.runDaemon(ctx)
	}
	defer logToEventLog()()
	ctl := &serviceControl{signals: make(chan os.Signal, 4)}
	err := winsvc.Run(windowsServiceName, winsvc.Program{
		Main: func(sctx context.Context, ready func()) error {
			ctl.readyFn, ctl.stop = ready, sctx.Done()
			// The daemon's context is never cancelled, as on a console:
			// a stop is SIGTERM and nothing else, so it unmounts cleanly.
			dctx := context.WithValue(context.WithoutCancel(sctx), serviceControlKey{}, ctl)
			err := a.runDaemon(dctx)
			if err != nil {
				fmt.Fprintf(os.Stderr, "[ERROR] plugfs daemon: %v\n", err)
			}
			return err
		},
		Reload: func() {
			select {
			case ctl.signals <- syscall.SIGHUP:
			default: // reloads already queued
			}
		},
		ExitCode:    func(err error) uint32 { return uint32(exitCode(err)) },
		StopTimeout: windowsStopWait,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] plugfs daemon: %v\n", err)
	}
	return err
}

// serviceControls relays the service's controls to sigs, the daemon's
// signal channel, so that a stop is exactly SIGTERM and a ParamChange
// exactly SIGHUP. It returns nil (whose ready does nothing) when the
// daemon does not run as a service.
func serviceControls(ctx context.Context, sigs chan<- os.Signal) *serviceControl {
	ctl, _ := ctx.Value(serviceControlKey{}).(*serviceControl)
	if ctl == nil {
		return nil
	}
	go func() {
		for {
			select {
			case <-ctl.stop:
				sigs <- syscall.SIGTERM
				return
			case s := <-ctl.signals:
				select {
				case sigs <- s:
				case <-ctl.stop:
				}
			}
		}
	}()
	return ctl
}

// ready tells the service control manager that the daemon serves.
func (c *serviceControl) ready() {
	if c != nil && c.readyFn != nil {
		c.readyFn()
	}
}

// logToEventLog sends what the daemon writes to stderr (its log, which
// is created after this) to the Application event log, source plugfs: a
// service has no console. It returns the function that undoes it.
func logToEventLog() (restore func()) {
	el, err := winsvc.NewEventLog(windowsServiceName)
	if err != nil {
		return func() {}
	}
	r, w, err := os.Pipe()
	if err != nil {
		el.Close()
		return func() {}
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				_, _ = el.Write(buf[:n]) // a full event log must not block the daemon
			}
			if err != nil {
				return
			}
		}
	}()
	return func() {
		os.Stderr = old
		w.Close()
		<-done
		r.Close()
		el.Close()
	}
}
