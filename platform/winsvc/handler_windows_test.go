//go:build windows

package winsvc

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/windows/svc"
)

// fakeSCM drives a handler the way svc.Run does, in this process.
type fakeSCM struct {
	t      *testing.T
	req    chan svc.ChangeRequest
	status chan svc.Status
	exit   chan [2]any // svcSpecific, code
}

func startHandler(t *testing.T, h *handler) *fakeSCM {
	f := &fakeSCM{t: t, req: make(chan svc.ChangeRequest), status: make(chan svc.Status, 16), exit: make(chan [2]any, 1)}
	go func() {
		ss, code := h.Execute([]string{"test"}, f.req, f.status)
		f.exit <- [2]any{ss, code}
	}()
	return f
}

// next returns the next reported status that is not a progress tick.
func (f *fakeSCM) next() svc.Status {
	f.t.Helper()
	for {
		select {
		case st := <-f.status:
			if st.CheckPoint > 0 {
				continue
			}
			return st
		case <-time.After(10 * time.Second):
			f.t.Fatal("no status reported within 10s")
		}
	}
}

func (f *fakeSCM) send(c svc.Cmd) {
	f.t.Helper()
	select {
	case f.req <- svc.ChangeRequest{Cmd: c}:
	case <-time.After(10 * time.Second):
		f.t.Fatalf("the handler took no %d control within 10s", c)
	}
}

func (f *fakeSCM) exited() (bool, uint32) {
	f.t.Helper()
	select {
	case e := <-f.exit:
		return e[0].(bool), e[1].(uint32)
	case <-time.After(10 * time.Second):
		f.t.Fatal("Execute did not return within 10s")
	}
	return false, 0
}

func wantState(t *testing.T, st svc.Status, want svc.State, accepts svc.Accepted) {
	t.Helper()
	if st.State != want || st.Accepts != accepts {
		t.Fatalf("status %s accepting %#x, want %s accepting %#x", StateName(st.State), st.Accepts, StateName(want), accepts)
	}
}

// TestHandlerLifecycle: StartPending until ready, Running accepting
// stop, shutdown and param change; ParamChange calls Reload; Stop
// reports StopPending, cancels Main's context and waits for it; exit 0.
func TestHandlerLifecycle(t *testing.T) {
	release := make(chan struct{})
	var reloads atomic.Int32
	mainErr := make(chan error, 1)
	h := &handler{p: Program{
		Main: func(ctx context.Context, ready func()) error {
			<-release
			ready()
			ready() // twice is harmless
			<-ctx.Done()
			time.Sleep(200 * time.Millisecond) // a shutdown that takes time
			mainErr <- ctx.Err()
			return ctx.Err()
		},
		Reload: func() { reloads.Add(1) },
	}}
	f := startHandler(t, h)
	wantState(t, f.next(), svc.StartPending, 0)
	select {
	case st := <-f.status:
		if st.State != svc.StartPending {
			t.Fatalf("%s before Main is ready", StateName(st.State))
		}
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	wantState(t, f.next(), svc.Running, svc.AcceptStop|svc.AcceptShutdown|svc.AcceptParamChange)
	f.send(svc.ParamChange)
	wantState(t, f.next(), svc.Running, accepted)
	f.send(svc.ParamChange)
	wantState(t, f.next(), svc.Running, accepted)
	if n := reloads.Load(); n != 2 {
		t.Errorf("Reload called %d times for 2 ParamChange", n)
	}
	f.send(svc.Interrogate)
	wantState(t, f.next(), svc.Running, accepted)
	f.send(svc.Stop)
	wantState(t, f.next(), svc.StopPending, 0)
	if ss, code := f.exited(); ss || code != 0 {
		t.Errorf("exit (%v, %d) after a stop, want (false, 0)", ss, code)
	}
	select {
	case err := <-mainErr:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Main saw %v, want its context cancelled", err)
		}
	default:
		t.Error("Execute returned before Main did")
	}
	if h.err != nil {
		t.Errorf("Run would return %v after a clean stop", h.err)
	}
}

// TestHandlerShutdown: Shutdown stops like Stop; a Main error at stop is
// handed to Run, not to the SCM (exit 0, so no restart).
func TestHandlerShutdown(t *testing.T) {
	boom := errors.New("a volume was busy")
	h := &handler{p: Program{Main: func(ctx context.Context, ready func()) error {
		ready()
		<-ctx.Done()
		return boom
	}}}
	f := startHandler(t, h)
	wantState(t, f.next(), svc.StartPending, 0)
	wantState(t, f.next(), svc.Running, svc.AcceptStop|svc.AcceptShutdown) // no Reload: no ParamChange
	f.send(svc.Shutdown)
	wantState(t, f.next(), svc.StopPending, 0)
	if ss, code := f.exited(); ss || code != 0 {
		t.Errorf("exit (%v, %d), want (false, 0)", ss, code)
	}
	if !errors.Is(h.err, boom) {
		t.Errorf("Run would return %v, want %v", h.err, boom)
	}
}

// TestHandlerStopTimeout: a Main that ignores its context is abandoned
// after StopTimeout; Run's error says so.
func TestHandlerStopTimeout(t *testing.T) {
	h := &handler{p: Program{StopTimeout: 300 * time.Millisecond, Main: func(ctx context.Context, ready func()) error {
		ready()
		select {}
	}}}
	f := startHandler(t, h)
	f.next()
	f.next()
	start := time.Now()
	f.send(svc.Stop)
	wantState(t, f.next(), svc.StopPending, 0)
	f.exited()
	if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("stop gave up after %v, want about 300ms", d)
	}
	if !errors.Is(h.err, ErrStopTimeout) {
		t.Errorf("Run would return %v, want ErrStopTimeout", h.err)
	}
}

// TestHandlerMainFails: Main failing on its own (here before ready)
// stops the service with its service-specific exit code, so the SCM's
// recovery actions apply.
func TestHandlerMainFails(t *testing.T) {
	bad := errors.New("invalid configuration")
	for _, tc := range []struct {
		name     string
		exitCode func(error) uint32
		want     uint32
	}{
		{"mapped", func(err error) uint32 {
			if errors.Is(err, bad) {
				return 50
			}
			return 7
		}, 50},
		{"default", nil, 1},
		{"mapped to zero", func(error) uint32 { return 0 }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &handler{p: Program{ExitCode: tc.exitCode, Main: func(context.Context, func()) error { return bad }}}
			f := startHandler(t, h)
			wantState(t, f.next(), svc.StartPending, 0)
			if ss, code := f.exited(); !ss || code != tc.want {
				t.Errorf("exit (%v, %d), want (true, %d)", ss, code, tc.want)
			}
			if !errors.Is(h.err, bad) {
				t.Errorf("Run would return %v", h.err)
			}
		})
	}
	// Returning nil on its own is a clean exit.
	h := &handler{p: Program{Main: func(_ context.Context, ready func()) error { ready(); return nil }}}
	f := startHandler(t, h)
	f.next()
	if ss, code := f.exited(); ss || code != 0 {
		t.Errorf("clean exit reported as (%v, %d)", ss, code)
	}
}
