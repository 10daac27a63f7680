//go:build linux

package mountdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/core"
)

func TestCheck(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(base, "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	mnt := filepath.Join(base, "mnt")
	os.Mkdir(mnt, 0o755)
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	defer syscall.Unmount(mnt, syscall.MNT_DETACH)
	empty := filepath.Join(base, "empty")
	os.Mkdir(empty, 0o755)

	for _, tc := range []struct {
		path string
		want error
		say  string
	}{
		{filepath.Join(base, "missing"), core.ErrMountPointMissing, "mkdir -p"},
		{file, core.ErrMountPointNotDir, "empty directory"},
		{filepath.Join(file, "below"), core.ErrMountPointNotDir, "not a directory"},
		{full, core.ErrMountPointNotEmpty, "hide its contents"},
		{mnt, core.ErrMountPointBusy, "mounted there already"},
	} {
		_, err := Check(tc.path)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.say) {
			t.Errorf("Check(%s) = %v; want %v saying %q", tc.path, err, tc.want, tc.say)
		}
	}
	got, err := Check(empty + "/")
	if err != nil || got != empty {
		t.Errorf("Check(empty) = %q, %v", got, err)
	}
}
