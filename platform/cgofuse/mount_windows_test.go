//go:build windows

package cgofuse

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
)

func TestPrepareWindows(t *testing.T) {
	old := usedLetters
	t.Cleanup(func() { usedLetters = old })
	usedLetters = func() (map[byte]bool, error) { return map[byte]bool{'C': true, 'Z': true, 'Y': true}, nil }
	for _, c := range []struct {
		point, arg, reported, opt string
		flags                     mountpoint.Flags
		want                      error
	}{
		{point: "X:", flags: mountpoint.Local, want: core.ErrMountPointInvalid},
		{point: "X:", flags: mountpoint.MountManager, want: core.ErrMountPointInvalid},
		{point: "X:", flags: mountpoint.NotifyAsync, arg: "X:", reported: "X:"},
		{point: "x:", arg: "X:", reported: "X:"},
		{point: `X:\`, arg: "X:", reported: "X:"},
		{point: "*", arg: "X:", reported: "X:"}, // Z: and Y: are taken
		{point: "Z:", want: core.ErrMountPointBusy},
		{point: `W:;srv;share`, arg: "W:", reported: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`},
		{point: `;srv;share`, want: core.ErrMountPointInvalid},
		{point: `\\.\Data`, want: core.ErrMountPointInvalid},
		{point: `C:\Mounts\Data`, want: core.ErrMountPointInvalid},
		{point: "", want: core.ErrMountPointInvalid},
	} {
		var tg target
		s, err := mountpoint.Parse(c.point, c.flags, 0)
		if err == nil {
			tg, err = prepareSpec(s)
		}
		if c.want != nil {
			if !errors.Is(err, c.want) {
				t.Errorf("prepare(%q): %v, want %v", c.point, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("prepare(%q): %v", c.point, err)
			continue
		}
		if tg.arg != c.arg || tg.point != c.reported || strings.Join(tg.opts, " ") != c.opt {
			t.Errorf("prepare(%q) = arg %q point %q opts %q; want %q %q %q", c.point, tg.arg, tg.point, tg.opts, c.arg, c.reported, c.opt)
		}
	}
}

// TestAvailableWithoutWinFsp: Wine has no WinFsp, and the driver must say
// so with the fix rather than fail at mount time.
func TestAvailableWithoutWinFsp(t *testing.T) {
	err := Driver{}.Available()
	if err == nil {
		t.Skip("WinFsp is installed here: nothing to check")
	}
	if !errors.Is(err, core.ErrDriverUnavailable) || !strings.Contains(err.Error(), "WinFsp") {
		t.Errorf("Available without WinFsp: %v", err)
	}
}
