//go:build windows

package winsvc

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// TestCommandLine: the command line quotes what needs quoting, and
// Windows' own splitter (CommandLineToArgv, what the C runtime and Go's
// os.Args do) gives every argument back unchanged.
func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		exe  string
		args []string
		want string
	}{
		{`C:\plugfs\plugfs.exe`, []string{"daemon", "--config", `C:\ProgramData\plugfs\config.yaml`},
			`C:\plugfs\plugfs.exe daemon --config C:\ProgramData\plugfs\config.yaml`},
		{`C:\Program Files\plugfs\plugfs.exe`, []string{"daemon", "--config", `D:\my configs\plugfs.yaml`},
			`"C:\Program Files\plugfs\plugfs.exe" daemon --config "D:\my configs\plugfs.yaml"`},
		// A trailing backslash inside quotes must be doubled, or it
		// would escape the closing quote.
		{`C:\p\plugfs.exe`, []string{`C:\dir with space\`}, `C:\p\plugfs.exe "C:\dir with space\\"`},
		{`C:\p\plugfs.exe`, []string{`say "hi"`, ""}, `C:\p\plugfs.exe "say \"hi\"" ""`},
	} {
		got := CommandLine(tc.exe, tc.args...)
		if got != tc.want {
			t.Errorf("CommandLine(%q, %q)\n got %s\nwant %s", tc.exe, tc.args, got, tc.want)
		}
		back, err := windows.DecomposeCommandLine(got)
		if err != nil {
			t.Fatalf("DecomposeCommandLine(%s): %v", got, err)
		}
		if want := append([]string{tc.exe}, tc.args...); !slices.Equal(back, want) {
			t.Errorf("%s splits into %q, want %q", got, back, want)
		}
	}
}

func TestRecoveryActions(t *testing.T) {
	r := func(d time.Duration) mgr.RecoveryAction {
		return mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: d}
	}
	none := mgr.RecoveryAction{Type: mgr.NoAction}
	for _, tc := range []struct {
		n    int
		d    time.Duration
		want []mgr.RecoveryAction
	}{
		{Restarts, RestartDelay, []mgr.RecoveryAction{r(5 * time.Second), r(5 * time.Second), r(5 * time.Second), none}},
		{1, time.Second, []mgr.RecoveryAction{r(time.Second), none}},
		{0, time.Second, []mgr.RecoveryAction{none}},
	} {
		if got := recoveryActions(tc.n, tc.d); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("recoveryActions(%d, %v) = %+v, want %+v", tc.n, tc.d, got, tc.want)
		}
	}
	if Restarts != 3 || RestartDelay != 5*time.Second || ResetPeriod != 24*time.Hour {
		t.Errorf("recovery policy %d × %v reset %v, documented as 3 × 5s reset after a day", Restarts, RestartDelay, ResetPeriod)
	}
}

func TestServiceConfig(t *testing.T) {
	c := serviceConfig("plugfs daemon", "mounts things")
	if c.StartType != mgr.StartAutomatic || c.ServiceType != windows.SERVICE_WIN32_OWN_PROCESS ||
		c.ServiceStartName != "" || c.DisplayName != "plugfs daemon" || c.Description != "mounts things" {
		t.Errorf("serviceConfig = %+v: want an automatic own-process LocalSystem service", c)
	}
}

func TestStateName(t *testing.T) {
	for s, want := range map[svc.State]string{
		svc.Stopped: "stopped", svc.StartPending: "start pending", svc.StopPending: "stop pending",
		svc.Running: "running", svc.ContinuePending: "continue pending", svc.PausePending: "pause pending",
		svc.Paused: "paused", svc.State(42): "state 42",
	} {
		if got := StateName(s); got != want {
			t.Errorf("StateName(%d) = %q, want %q", s, got, want)
		}
	}
}

func TestStartTypeName(t *testing.T) {
	for st, want := range map[uint32]string{
		mgr.StartAutomatic: "automatic", mgr.StartManual: "manual", mgr.StartDisabled: "disabled",
		windows.SERVICE_BOOT_START: "boot", windows.SERVICE_SYSTEM_START: "system", 9: "start type 9",
	} {
		if got := startTypeName(st); got != want {
			t.Errorf("startTypeName(%d) = %q, want %q", st, got, want)
		}
	}
}

func TestExitCodeOf(t *testing.T) {
	for _, tc := range []struct {
		st   svc.Status
		want uint32
	}{
		{svc.Status{}, 0},
		{svc.Status{Win32ExitCode: uint32(windows.ERROR_SERVICE_NEVER_STARTED)}, 0},
		{svc.Status{Win32ExitCode: uint32(windows.ERROR_SERVICE_SPECIFIC_ERROR), ServiceSpecificExitCode: 50}, 50},
		{svc.Status{Win32ExitCode: uint32(windows.ERROR_FILE_NOT_FOUND)}, uint32(windows.ERROR_FILE_NOT_FOUND)},
	} {
		if got := exitCodeOf(tc.st); got != tc.want {
			t.Errorf("exitCodeOf(%+v) = %d, want %d", tc.st, got, tc.want)
		}
	}
}

func TestLevelOf(t *testing.T) {
	for line, want := range map[string]level{
		`2026-01-02T03:04:05.000Z [ERROR] plugfs: shutdown: error="busy"`: levelError,
		`2026-01-02T03:04:05.000Z [WARN]  plugfs: second signal`:          levelWarning,
		`2026-01-02T03:04:05.000Z [INFO]  plugfs: ready: volumes=2`:       levelInfo,
		`time=now level=error msg=x`:                                      levelError,
		`plain text`:                                                      levelInfo,
		// A marker far into the message is not the line's level.
		`2026-01-02T03:04:05.000Z [INFO]  plugfs: a volume named xxxxxxxxxxxxxxxxxxxxx [ERROR]`: levelInfo,
	} {
		if got := levelOf(line); got != want {
			t.Errorf("levelOf(%q) = %d, want %d", line, got, want)
		}
	}
}

type event struct {
	lv  level
	msg string
}

// TestEventLogLines: one event per line, whatever the writes' sizes;
// blank lines dropped, CR stripped, the partial last line sent at Close.
func TestEventLogLines(t *testing.T) {
	var got []event
	closed := false
	e := &EventLog{
		report: func(lv level, msg string) error { got = append(got, event{lv, msg}); return nil },
		close:  func() error { closed = true; return nil },
	}
	for _, w := range []string{"[INFO] a", "\r\n[ERR", "OR] b\n\n", "[WARN] c\n[INFO] tail"} {
		if n, err := e.Write([]byte(w)); n != len(w) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	want := []event{{levelInfo, "[INFO] a"}, {levelError, "[ERROR] b"}, {levelWarning, "[WARN] c"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events before Close = %+v, want %+v", got, want)
	}
	if err := e.Close(); err != nil || !closed {
		t.Fatalf("Close = %v, closed %v", err, closed)
	}
	if want = append(want, event{levelInfo, "[INFO] tail"}); !reflect.DeepEqual(got, want) {
		t.Errorf("events after Close = %+v, want %+v", got, want)
	}
}

// TestEventLogError: a failing event log is reported, and the whole
// write is still consumed (the next line is tried).
func TestEventLogError(t *testing.T) {
	boom := errors.New("log full")
	var sent []string
	e := &EventLog{report: func(_ level, msg string) error { sent = append(sent, msg); return boom }}
	n, err := e.Write([]byte("one\ntwo\n"))
	if n != 8 || !errors.Is(err, boom) || !strings.Contains(err.Error(), "event log") {
		t.Errorf("Write = %d, %v; want 8 and the wrapped error", n, err)
	}
	if !slices.Equal(sent, []string{"one", "two"}) {
		t.Errorf("sent %q, want both lines", sent)
	}
}
