//go:build windows

package winfsp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/plugfs/plugfs/core"
)

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func checkHint(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, core.ErrDriverUnavailable) {
		t.Errorf("%v: does not wrap ErrDriverUnavailable", err)
	}
	for _, s := range []string{"winget install WinFsp.WinFsp", "https://winfsp.dev/rel/"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%v: no install hint %q", err, s)
		}
	}
}

// TestInstalled: Wine has no WinFsp, so Installed must say so and how to
// install it; on a Windows machine with WinFsp it must find the DLL.
func TestInstalled(t *testing.T) {
	dir, err := Installed()
	if underWine() && err == nil {
		t.Fatalf("Installed() = %q under Wine, which has no WinFsp", dir)
	}
	if err != nil {
		t.Logf("Installed: %v", err)
		checkHint(t, err)
		for _, k := range []string{`HKLM\SOFTWARE\WOW6432Node\WinFsp`, `HKLM\SOFTWARE\WinFsp`} {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("%v: does not name %s", err, k)
			}
		}
		return
	}
	if _, err := os.Stat(DLLPath(dir)); err != nil {
		t.Fatalf("Installed() = %q but %v", dir, err)
	}
}

// tempDir is t.TempDir without RemoveAll (which Go 1.26 implements with
// calls Wine 8 lacks); cleanup removes what the test made.
func tempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "winfsp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Remove(DLLPath(dir))
		_ = os.Remove(filepath.Join(dir, "bin"))
		_ = os.Remove(dir)
	})
	return dir
}

// testKey creates HKCU\Software\plugfs-test-<pid>\<name> with InstallDir
// = dir (skipped when dir is ""), removed at cleanup.
func testKey(t *testing.T, name, dir string) regKey {
	parent := fmt.Sprintf(`Software\plugfs-test-%d`, os.Getpid())
	k := regKey{registry.CURRENT_USER, parent + `\` + name}
	key, _, err := registry.CreateKey(k.root, k.path, registry.ALL_ACCESS)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	if dir != "" {
		if err := key.SetStringValue("InstallDir", dir); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = registry.DeleteKey(k.root, k.path)
		_ = registry.DeleteKey(k.root, parent)
	})
	return k
}

func TestFindInFakeRegistry(t *testing.T) {
	dir := tempDir(t)
	missing := regKey{registry.CURRENT_USER, fmt.Sprintf(`Software\plugfs-test-%d\Absent`, os.Getpid())}
	good := testKey(t, "WinFsp", dir+`\`) // the MSI writes a trailing backslash

	// Registered, DLL missing.
	_, err := find([]regKey{missing, good})
	checkHint(t, err)
	if err == nil || !strings.Contains(err.Error(), DLLName()) {
		t.Fatalf("find without DLL = %v, want an error naming %s", err, DLLName())
	}

	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DLLPath(dir), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := find([]regKey{missing, good})
	if err != nil || got != dir {
		t.Fatalf("find = %q, %v; want %q", got, err, dir)
	}

	// A key without InstallDir is skipped like a missing key.
	empty := testKey(t, "NoValue", "")
	if got, err := find([]regKey{empty, good}); err != nil || got != dir {
		t.Fatalf("find(no value, good) = %q, %v", got, err)
	}
	_, err = find([]regKey{missing, empty})
	checkHint(t, err)
	if err == nil || !strings.Contains(err.Error(), "not installed") || !strings.Contains(err.Error(), missing.String()) {
		t.Fatalf("find(nothing) = %v", err)
	}
}

func TestDLLName(t *testing.T) {
	if n := DLLName(); n != "winfsp-x64.dll" && n != "winfsp-a64.dll" && n != "winfsp-x86.dll" {
		t.Fatalf("DLLName() = %q", n)
	}
	if got := DLLPath(`C:\Program Files (x86)\WinFsp`); got != `C:\Program Files (x86)\WinFsp\bin\`+DLLName() {
		t.Fatalf("DLLPath = %q", got)
	}
}
