package main

import (
	"errors"
	"runtime"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
)

// TestParsePoints: --point-flags and --auth-id apply to every point, bad
// values are usage errors naming the flag, and kinds other than
// directories are refused outside Windows before any plugin starts.
func TestParsePoints(t *testing.T) {
	if _, err := parsePoints([]string{"/mnt/x"}, "sparkly", ""); !errors.As(err, new(usageError)) || !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("unknown flag: %v, want a usage error", err)
	}
	if _, err := parsePoints([]string{"/mnt/x"}, "", "session-1"); !errors.As(err, new(usageError)) {
		t.Errorf("bad auth id: %v, want a usage error", err)
	}
	if _, err := parsePoints([]string{"/mnt/x"}, "hidden", ""); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("a directory with flags: %v", err)
	}
	specs, err := parsePoints([]string{"/mnt/x", "/mnt/y"}, "", "")
	if err != nil || len(specs) != 2 || specs[1].Kind != mountpoint.KindDirectory || specs[1].Path != "/mnt/y" {
		t.Errorf("two directories: %+v %v", specs, err)
	}
	_, err = parsePoints([]string{"Z:", `\\.\Data`}, "local", "0x3e7")
	if runtime.GOOS == "windows" {
		if err != nil {
			t.Errorf("Windows points: %v", err)
		}
	} else if !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("a drive letter on %s: %v, want ErrMountPointInvalid", runtime.GOOS, err)
	}
}
