//go:build windows

package winfsp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/windows/registry"

	"github.com/plugfs/plugfs/core"
)

// InstallHint says how to install WinFsp; every "not installed" error
// ends with it.
const InstallHint = "install WinFsp: winget install WinFsp.WinFsp, or the MSI from https://winfsp.dev/rel/"

// regKey is one registry key that may hold WinFsp's InstallDir.
type regKey struct {
	root registry.Key
	path string
}

func (k regKey) String() string {
	root := "HKLM"
	if k.root == registry.CURRENT_USER {
		root = "HKCU"
	}
	return root + `\` + k.path
}

// installKeys are where WinFsp records its installation: its MSI is
// 32-bit, so on 64-bit Windows the key is under WOW6432Node.
func installKeys() []regKey {
	return []regKey{
		{registry.LOCAL_MACHINE, `SOFTWARE\WOW6432Node\WinFsp`},
		{registry.LOCAL_MACHINE, `SOFTWARE\WinFsp`},
	}
}

// DLLName is the WinFsp DLL for this binary's architecture:
// winfsp-x64.dll, winfsp-a64.dll or winfsp-x86.dll.
func DLLName() string {
	switch runtime.GOARCH {
	case "arm64":
		return "winfsp-a64.dll"
	case "386":
		return "winfsp-x86.dll"
	}
	return "winfsp-x64.dll"
}

// DLLPath is the path of the WinFsp DLL in the installation dir.
func DLLPath(dir string) string {
	return filepath.Join(dir, "bin", DLLName())
}

// Installed returns the WinFsp installation directory (such as
// C:\Program Files (x86)\WinFsp) when WinFsp is installed and its DLL for
// this architecture is present. Otherwise the error wraps
// core.ErrDriverUnavailable and ends with InstallHint.
func Installed() (dir string, err error) {
	return find(installKeys())
}

// find looks for InstallDir in keys, in order, and checks the DLL.
func find(keys []regKey) (string, error) {
	var tried []string
	for _, k := range keys {
		dir, err := installDir(k)
		if errors.Is(err, fs.ErrNotExist) {
			tried = append(tried, k.String())
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%w: WinFsp: %s: %w; %s", core.ErrDriverUnavailable, k, err, InstallHint)
		}
		dll := DLLPath(dir)
		if fi, err := os.Stat(dll); err != nil || fi.IsDir() {
			return "", fmt.Errorf("%w: WinFsp is registered at %s (%s) but %s is missing: the installation is broken or lacks this architecture; reinstall: %s", core.ErrDriverUnavailable, dir, k, dll, InstallHint)
		}
		return dir, nil
	}
	return "", fmt.Errorf("%w: WinFsp is not installed (no InstallDir under %s); %s", core.ErrDriverUnavailable, strings.Join(tried, " or "), InstallHint)
}

// installDir reads InstallDir from k; a missing key or value is
// fs.ErrNotExist.
func installDir(k regKey) (string, error) {
	key, err := registry.OpenKey(k.root, k.path, registry.QUERY_VALUE)
	if err != nil {
		return "", err // ERROR_FILE_NOT_FOUND matches fs.ErrNotExist
	}
	defer key.Close()
	dir, _, err := key.GetStringValue("InstallDir")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("InstallDir: %w", err)
	}
	dir = strings.TrimRight(dir, `\`)
	if dir == "" {
		return "", fmt.Errorf("InstallDir is empty")
	}
	return dir, nil
}
