//go:build windows

package winsvc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// Recovery policy set by Install: what the SCM does when the service
// fails (its process dies, or it stops with a non-zero exit code).
const (
	// Restarts is how many times in a row the SCM restarts the service.
	Restarts = 3
	// RestartDelay is how long the SCM waits before each restart.
	RestartDelay = 5 * time.Second
	// ResetPeriod is how long without a failure resets the count.
	ResetPeriod = 24 * time.Hour
)

// ErrExists is returned by Install when a service of that name exists.
var ErrExists = errors.New("the service already exists")

// ErrNotInstalled is returned when the named service does not exist.
var ErrNotInstalled = errors.New("the service is not installed")

// ErrStopTimeout is returned when a service did not stop in time.
var ErrStopTimeout = errors.New("the service did not stop in time")

// CommandLine returns the command line the SCM runs: exe and args, each
// quoted where needed so that CommandLineToArgv (and Go's os.Args) give
// them back unchanged. mgr.CreateService builds it the same way.
func CommandLine(exe string, args ...string) string {
	s := syscall.EscapeArg(exe)
	for _, a := range args {
		s += " " + syscall.EscapeArg(a)
	}
	return s
}

// recoveryActions returns the SCM failure actions for restarts restarts
// delay apart: then nothing (the SCM repeats the last action forever).
func recoveryActions(restarts int, delay time.Duration) []mgr.RecoveryAction {
	acts := make([]mgr.RecoveryAction, 0, restarts+1)
	for range restarts {
		acts = append(acts, mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: delay})
	}
	return append(acts, mgr.RecoveryAction{Type: mgr.NoAction})
}

// serviceConfig is the configuration Install creates the service with.
func serviceConfig(displayName, description string) mgr.Config {
	return mgr.Config{
		ServiceType:  windows.SERVICE_WIN32_OWN_PROCESS,
		StartType:    mgr.StartAutomatic,
		ErrorControl: mgr.ErrorNormal,
		DisplayName:  displayName,
		Description:  description,
		// ServiceStartName empty: LocalSystem.
	}
}

// connect opens the SCM with full access (an administrator's).
func connect() (*mgr.Mgr, error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, fmt.Errorf("cannot open the service control manager: %w (run this from an elevated prompt, as an administrator)", err)
	}
	return m, nil
}

// open opens service name; ErrNotInstalled when there is none.
func open(m *mgr.Mgr, name string) (*mgr.Service, error) {
	s, err := m.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil, fmt.Errorf("%q: %w", name, ErrNotInstalled)
	}
	if err != nil {
		return nil, fmt.Errorf("open service %q: %w", name, err)
	}
	return s, nil
}

// Install creates service name, started automatically at boot as
// LocalSystem, running exePath with args, with the recovery policy above
// and an Application event-log source of the same name. It refuses, with
// ErrExists, when the service exists already.
func Install(name, displayName, exePath string, args []string, description string) error {
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	if s, err := m.OpenService(name); err == nil {
		s.Close()
		return fmt.Errorf("%q: %w: uninstall it first", name, ErrExists)
	}
	s, err := m.CreateService(name, exePath, serviceConfig(displayName, description), args...)
	if err != nil {
		return fmt.Errorf("create service %q: %w", name, err)
	}
	defer s.Close()
	undo := func(err error) error {
		_ = s.Delete()
		return fmt.Errorf("service %q: %w (the service was removed again)", name, err)
	}
	if err := s.SetRecoveryActions(recoveryActions(Restarts, RestartDelay), uint32(ResetPeriod/time.Second)); err != nil {
		return undo(fmt.Errorf("set recovery actions: %w", err))
	}
	// An SCM without this setting (Wine's: ERROR_INVALID_LEVEL) restarts
	// only a crashed service; Windows has it since Vista.
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil && !errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		return undo(fmt.Errorf("set recovery on non-crash failures: %w", err))
	}
	_ = eventlog.Remove(name) // a source left by an earlier install
	if err := eventlog.InstallAsEventCreate(name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		return undo(fmt.Errorf("register the event-log source: %w", err))
	}
	return nil
}

// Start starts service name and waits up to wait for it to run. If it
// stops instead, the error carries its exit code.
func Start(name string, wait time.Duration) (Info, error) {
	m, err := connect()
	if err != nil {
		return Info{}, err
	}
	defer m.Disconnect()
	s, err := open(m, name)
	if err != nil {
		return Info{}, err
	}
	defer s.Close()
	if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
		return Info{}, fmt.Errorf("start service %q: %w", name, err)
	}
	// StartService has set StartPending: Stopped now means it ended.
	st, err := waitState(s, wait, func(st svc.State) bool { return st != svc.StartPending })
	info := infoOf(s, st)
	if err != nil {
		return info, fmt.Errorf("service %q did not start within %v: %w", name, wait, err)
	}
	if st.State != svc.Running {
		return info, fmt.Errorf("service %q did not start: it is %s (exit code %d)", name, StateName(st.State), info.ExitCode)
	}
	return info, nil
}

// Stop asks service name to stop and waits up to wait for it to be
// stopped. A stopped service is left alone.
func Stop(name string, wait time.Duration) error {
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := open(m, name)
	if err != nil {
		return err
	}
	defer s.Close()
	return stop(s, wait)
}

func stop(s *mgr.Service, wait time.Duration) error {
	st, err := s.Query()
	if err != nil {
		return fmt.Errorf("query service %q: %w", s.Name, err)
	}
	if st.State == svc.Stopped {
		return nil
	}
	if st.State != svc.StopPending {
		if _, err := s.Control(svc.Stop); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			return fmt.Errorf("stop service %q: %w", s.Name, err)
		}
	}
	if _, err := waitState(s, wait, func(st svc.State) bool { return st == svc.Stopped }); err != nil {
		return fmt.Errorf("service %q: %w", s.Name, err)
	}
	return nil
}

// waitState polls s until done(state) or wait passes (ErrStopTimeout is
// wrapped then, whichever state was awaited).
func waitState(s *mgr.Service, wait time.Duration, done func(svc.State) bool) (svc.Status, error) {
	deadline := time.Now().Add(wait)
	for {
		st, err := s.Query()
		if err != nil {
			return st, fmt.Errorf("query: %w", err)
		}
		if done(st.State) {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("still %s after %v: %w", StateName(st.State), wait, ErrStopTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Uninstall stops service name, waiting up to stopWait, then deletes it
// and its event-log source. A service that does not stop in time is
// still marked for deletion (the SCM removes it once it stops) and the
// error wraps ErrStopTimeout. ErrNotInstalled when there is none.
func Uninstall(name string, stopWait time.Duration) error {
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := open(m, name)
	if err != nil {
		return err
	}
	defer s.Close()
	stopErr := stop(s, stopWait)
	if err := s.Delete(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_MARKED_FOR_DELETE) {
		return fmt.Errorf("delete service %q: %w", name, err)
	}
	_ = eventlog.Remove(name)
	if stopErr != nil {
		return fmt.Errorf("%w; it is marked for deletion and goes once it stops", stopErr)
	}
	return nil
}
