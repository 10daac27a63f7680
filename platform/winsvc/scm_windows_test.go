//go:build windows

package winsvc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// helperArg as os.Args[1] makes the test binary the service program:
// the SCM starts it as `winsvc.test.exe helperArg MODE NAME LOGFILE`.
const helperArg = "__winsvc_test_service"

func TestMain(m *testing.M) {
	if len(os.Args) == 5 && os.Args[1] == helperArg {
		os.Exit(serviceHelper(os.Args[2], os.Args[3], os.Args[4]))
	}
	os.Exit(m.Run())
}

// serviceHelper runs as the service under test. It records what it sees
// in logPath, one line each: IsService's answer, Main starting (with its
// pid), each Reload, Main's context ending, and Run's result. Mode
// "fail" makes Main fail before it is ready, with exit code 42.
func serviceHelper(mode, name, logPath string) int {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 3
	}
	defer f.Close()
	note := func(format string, args ...any) { fmt.Fprintf(f, format+"\n", args...) }
	is, err := IsService()
	note("isService=%v err=%v", is, err)

	err = Run(name, Program{
		Main: func(ctx context.Context, ready func()) error {
			note("main pid=%d", os.Getpid())
			if mode == "fail" {
				return errors.New("helper told to fail")
			}
			time.Sleep(300 * time.Millisecond) // StartPending meanwhile
			ready()
			<-ctx.Done()
			note("main: %v", ctx.Err())
			return ctx.Err()
		},
		Reload:   func() { note("reload") },
		ExitCode: func(error) uint32 { return 42 },
	})
	note("run: %v", err)
	return 0
}

// waitLog waits until the helper's log has every line in want.
func waitLog(t *testing.T, path string, want ...string) string {
	t.Helper()
	var b []byte
	for range 100 {
		b, _ = os.ReadFile(path)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(string(b), w+"\n")
		}
		if ok {
			return string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the service's log lacks %q after 10s:\n%s", want, b)
	return ""
}

// eventSource reports whether the Application log has source name.
func eventSource(name string) bool {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\EventLog\Application\`+name, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	k.Close()
	return true
}

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// installHelper installs the test binary as service name in mode, and
// removes it when the test ends.
func installHelper(t *testing.T, mode string) (name, logPath string, args []string) {
	t.Helper()
	name = fmt.Sprintf("plugfs-winsvc-test-%s-%d", mode, os.Getpid())
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "winsvc-")
	if err != nil {
		t.Fatal(err)
	}
	logPath = filepath.Join(dir, "service.log")
	args = []string{helperArg, mode, name, logPath}
	if err := Install(name, "plugfs winsvc test", exe, args, "installed by the winsvc tests"); err != nil {
		t.Fatalf("Install: %v", err)
	}
	t.Cleanup(func() {
		if err := Uninstall(name, 20*time.Second); err != nil && !errors.Is(err, ErrNotInstalled) {
			t.Errorf("cleanup: %v", err)
		}
		// Not t.TempDir: Go 1.26's RemoveAll needs calls Wine 8 lacks.
		_ = os.Remove(logPath)
		_ = os.Remove(dir)
	})
	return name, logPath, append([]string{exe}, args...)
}

// TestServiceLifecycle installs the test binary as a service with the
// SCM (Wine's services.exe here), checks its configuration, starts it
// (it runs Run), sends ParamChange and Stop, and uninstalls it.
func TestServiceLifecycle(t *testing.T) {
	name, logPath, cmd := installHelper(t, "ok")
	if err := Install(name, "again", cmd[0], nil, ""); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "uninstall it first") {
		t.Errorf("second Install = %v, want ErrExists with the fix", err)
	}
	info, err := Status(name)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if !info.Installed || info.State != svc.Stopped || info.PID != 0 || info.StartType != "automatic" {
		t.Errorf("after Install: %+v, want installed, stopped, automatic", info)
	}
	if want := CommandLine(cmd[0], cmd[1:]...); info.CommandLine != want {
		t.Errorf("command line %q, want %q", info.CommandLine, want)
	}
	checkInstalledConfig(t, name)
	if !eventSource(name) {
		t.Errorf("no Application event-log source %q after Install", name)
	}
	// Wine's ReportEvent stores nothing (there is no log to read back):
	// under Wine only that opening, writing and closing succeed is checked.
	el, err := NewEventLog(name)
	if err != nil {
		t.Fatalf("NewEventLog: %v", err)
	}
	if _, err := el.Write([]byte("[INFO]  plugfs: test event\n[ERROR] plugfs: test error\n")); err != nil {
		t.Errorf("event log Write: %v", err)
	}
	if err := el.Close(); err != nil {
		t.Errorf("event log Close: %v", err)
	}

	info, err = Start(name, 30*time.Second)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if info.State != svc.Running || info.PID == 0 {
		t.Fatalf("after Start: %+v, want running with a pid", info)
	}
	log := waitLog(t, logPath, fmt.Sprintf("main pid=%d", info.PID))
	switch {
	case underWine():
		// svc.IsWindowsService wants a parent services.exe in session 0;
		// Wine runs services.exe, and so its services, in session 1: the
		// check says false there. Windows must say true.
		if !strings.Contains(log, "isService=false err=<nil>\n") {
			t.Errorf("IsService under Wine: want false (services.exe is in session 1):\n%s", log)
		}
		t.Log("Wine: IsService is false in a service (no session 0); checked true on Windows only")
	case !strings.Contains(log, "isService=true err=<nil>\n"):
		t.Errorf("IsService in the service process did not say true:\n%s", log)
	}

	st, err := control(name, svc.ParamChange)
	if err != nil {
		t.Fatalf("ParamChange: %v", err)
	}
	if st.State != svc.Running || st.Accepts&svc.AcceptParamChange == 0 {
		t.Errorf("status after ParamChange %+v", st)
	}
	waitLog(t, logPath, "reload")

	if err := Stop(name, 30*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitLog(t, logPath, "main: context canceled", "run: <nil>")
	info, err = Status(name)
	if err != nil || info.State != svc.Stopped || info.PID != 0 || info.ExitCode != 0 {
		t.Errorf("after Stop: %+v, %v; want stopped, no pid, exit code 0", info, err)
	}

	if err := Uninstall(name, 20*time.Second); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	if info, err := Status(name); err != nil || info.Installed {
		t.Errorf("Status after Uninstall = %+v, %v", info, err)
	}
	if eventSource(name) {
		t.Errorf("event-log source %q left after Uninstall", name)
	}
	if err := Uninstall(name, time.Second); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second Uninstall = %v, want ErrNotInstalled", err)
	}
}

// control sends c to service name, holding no handle afterwards (an
// open handle would keep a deleted service in the SCM).
func control(name string, c svc.Cmd) (svc.Status, error) {
	m, err := mgr.Connect()
	if err != nil {
		return svc.Status{}, err
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		return svc.Status{}, err
	}
	defer s.Close()
	return s.Control(c)
}

// checkInstalledConfig reads back what Install set beyond the command
// line: LocalSystem, the description, the recovery actions.
func checkInstalledConfig(t *testing.T, name string) {
	t.Helper()
	m, err := mgr.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := queryConfig(s.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(c.ServiceStartName, "LocalSystem") || c.Description != "installed by the winsvc tests" || c.DisplayName != "plugfs winsvc test" {
		t.Errorf("config %+v: want LocalSystem, the display name and description", c)
	}
	// Wine's SCM accepts the failure actions but cannot give them back
	// (QueryServiceConfig2 answers ERROR_INVALID_LEVEL for that level,
	// and nothing is written to the registry): they are read back on
	// Windows only; under Wine only Install's acceptance is checked.
	acts, err := s.RecoveryActions()
	if underWine() && errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		t.Log("Wine cannot read failure actions back: recovery actions not checked")
	} else if err != nil {
		t.Errorf("RecoveryActions: %v", err)
	} else if fmt.Sprint(acts) != fmt.Sprint(recoveryActions(Restarts, RestartDelay)) {
		t.Errorf("recovery actions %+v, want %+v", acts, recoveryActions(Restarts, RestartDelay))
	}
	if p, err := s.ResetPeriod(); underWine() && errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		t.Log("Wine cannot read failure actions back: reset period not checked")
	} else if err != nil || p != 86400 {
		t.Errorf("reset period %d, %v; want 86400 s", p, err)
	}
	on, err := s.RecoveryActionsOnNonCrashFailures()
	if underWine() && errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		// Wine's SCM does not implement SERVICE_CONFIG_FAILURE_ACTIONS_FLAG
		// (Install tolerates exactly that): Windows reads back true.
		t.Log("Wine has no failure-actions flag: recovery on non-crash failures not checked")
	} else if err != nil || !on {
		t.Errorf("recovery on non-crash failures %v, %v; want true", on, err)
	}
}

// TestServiceFails: a service whose Main fails at start stops with the
// exit code Program.ExitCode gives, and Start says so.
func TestServiceFails(t *testing.T) {
	name, logPath, _ := installHelper(t, "fail")
	info, err := Start(name, 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exit code 42") {
		t.Fatalf("Start of a failing service = %+v, %v; want an error with exit code 42", info, err)
	}
	waitLog(t, logPath, "run: helper told to fail")
	if info, err = Status(name); err != nil || info.State != svc.Stopped || info.ExitCode != 42 {
		t.Errorf("Status = %+v, %v; want stopped with exit code 42", info, err)
	}
}

// TestNotInstalled: Status, Stop, Start and Uninstall of a service that
// does not exist.
func TestNotInstalled(t *testing.T) {
	const name = "plugfs-winsvc-test-never-installed"
	if info, err := Status(name); err != nil || info.Installed {
		t.Errorf("Status = %+v, %v", info, err)
	}
	if err := Stop(name, time.Second); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Stop = %v", err)
	}
	if _, err := Start(name, time.Second); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Start = %v", err)
	}
	if err := Uninstall(name, time.Second); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Uninstall = %v", err)
	}
}

// TestIsServiceHere: the test binary itself is not a service.
func TestIsServiceHere(t *testing.T) {
	if is, err := IsService(); err != nil || is {
		t.Errorf("IsService() = %v, %v in a test binary", is, err)
	}
}
