//go:build windows

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/platform/winsvc"
)

// runPlugfs runs the plugfs command line in this process.
func runPlugfs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newApp().root()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestWindowsServiceCommands drives plugfs service install, status and
// uninstall against the service control manager (Wine's services.exe
// under test-windows). The configuration does not exist, so install does
// not start the service: the service here would be this test binary,
// and starting a real daemon as a Wine service is not possible (Wine's
// services run in session 1, so winsvc.IsService says false there; see
// platform/winsvc for the start, stop and ParamChange tested for real).
func TestWindowsServiceCommands(t *testing.T) {
	if info, err := winsvc.Status(windowsServiceName); err != nil || info.Installed {
		t.Skipf("a service %q exists on this machine (or the SCM cannot be asked: %v): not touching it", windowsServiceName, err)
	}
	t.Cleanup(func() { _ = winsvc.Uninstall(windowsServiceName, windowsStopWait) })
	cfg := filepath.Join(os.TempDir(), "plugfs service test", "config.yaml") // a space: quoting

	out, err := runPlugfs(t, "service", "status")
	if err != nil || !strings.Contains(out, "not installed") {
		t.Fatalf("status before install: %v\n%s", err, out)
	}
	out, err = runPlugfs(t, "service", "install", "--config", cfg)
	if err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	cmdline := winsvc.CommandLine(exe, "daemon", "--config", cfg)
	for _, want := range []string{"installed service plugfs: " + cmdline, "restarted 3 times, 5s apart", "does not exist yet", "sc.exe start plugfs"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(cmdline, `"`+cfg+`"`) {
		t.Errorf("the config path with a space is not quoted: %s", cmdline)
	}

	out, err = runPlugfs(t, "service", "status")
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, want := range []string{"installed: service plugfs, start automatic\n", "command: " + cmdline + "\n", "state: stopped\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}

	out, err = runPlugfs(t, "service", "install", "--config", cfg)
	if !errors.Is(err, winsvc.ErrExists) || !strings.Contains(err.Error(), "plugfs service uninstall removes it") {
		t.Errorf("second install: %v\n%s", err, out)
	}
	_, err = runPlugfs(t, "service", "status", "--root", `C:\image`)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "drop --root") {
		t.Errorf("--root on Windows: exit %d, %v", exitCode(err), err)
	}

	out, err = runPlugfs(t, "service", "uninstall")
	if err != nil || !strings.Contains(out, "stopped and removed service plugfs") {
		t.Fatalf("uninstall: %v\n%s", err, out)
	}
	out, _ = runPlugfs(t, "service", "status")
	if !strings.Contains(out, "not installed") {
		t.Errorf("status after uninstall:\n%s", out)
	}
	out, err = runPlugfs(t, "service", "uninstall")
	if err != nil || !strings.Contains(out, "was not installed") {
		t.Errorf("second uninstall: %v\n%s", err, out)
	}
}
