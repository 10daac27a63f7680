//go:build windows

package cgofuse

import (
	"fmt"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/windows/dosdev"
	"github.com/plugfs/plugfs/platform/windows/winfsp"
)

// rank makes cgofuse (WinFsp) the Windows driver.
const rank = 10

// target is where a mount goes: the argument WinFsp takes, extra
// options, the point reported, and what to undo after the mount ends.
type target struct {
	arg, point string
	opts       []string
	cleanup    func()
}

func available() error {
	_, err := winfsp.Installed()
	return err
}

// usedLetters is dosdev.UsedLetters; tests replace it.
var usedLetters = dosdev.UsedLetters

// prepare turns a mounting point as the user wrote it into WinFsp's
// mount argument. WinFsp serves drive letters (named or automatic) and,
// with a volume prefix, network points with a local letter; the other
// kinds are refused with what to use instead.
func prepare(point string) (target, error) {
	s, err := mountpoint.Parse(point, 0, 0)
	if err != nil {
		return target{}, err
	}
	return prepareSpec(s)
}

func prepareSpec(s mountpoint.Spec) (target, error) {
	if s.Flags&mountpoint.Local != 0 {
		return target{}, unsupported(s, "a point local to a logon session")
	}
	if s.Flags&mountpoint.MountManager != 0 && s.Kind != mountpoint.KindFolder {
		return target{}, unsupported(s, "a drive letter through the mount manager")
	}
	used, err := usedLetters()
	if err != nil {
		return target{}, fmt.Errorf("%w: listing drive letters: %w", core.ErrMountPointAccess, err)
	}
	letter := func(l byte) (string, error) {
		if used[l] {
			return "", fmt.Errorf("%w: drive %c: is in use: choose another letter, or * for a free one", core.ErrMountPointBusy, l)
		}
		return string([]byte{l, ':'}), nil
	}
	switch s.Kind {
	case mountpoint.KindDrive:
		d, err := letter(s.Letter)
		return target{arg: d, point: d, cleanup: func() {}}, err
	case mountpoint.KindAutoDrive:
		l, err := mountpoint.ChooseLetter(func(l byte) bool { return used[l] })
		if err != nil {
			return target{}, err
		}
		d := string([]byte{l, ':'})
		return target{arg: d, point: d, cleanup: func() {}}, nil
	case mountpoint.KindNetwork:
		if s.Flags&(mountpoint.ReadShare|mountpoint.WriteShare) != 0 {
			return target{}, unsupported(s, "a real SMB share (read-share, write-share)")
		}
		if s.Letter == 0 {
			return target{}, unsupported(s, "a network point without a local drive letter")
		}
		d, err := letter(s.Letter)
		return target{
			arg: d, point: s.String(), cleanup: func() {},
			opts: []string{"--VolumePrefix=" + `\` + s.Server + `\` + s.Share},
		}, err
	case mountpoint.KindUNC:
		return target{}, unsupported(s, `a UNC name (\\.\Name)`)
	case mountpoint.KindFolder:
		return target{}, unsupported(s, "a folder through the mount manager")
	}
	return target{}, unsupported(s, "a "+s.Kind.String()+" point")
}

func unsupported(s mountpoint.Spec, what string) error {
	return fmt.Errorf("%w: %s: the cgofuse driver does not serve %s on Windows yet; use a drive letter (Z:), * for a free one, or Z:;Server;Share", core.ErrMountPointInvalid, s, what)
}

func osOptions(opts core.MountOptions) []string {
	// The mounting user owns every file, as Windows expects of a drive.
	return []string{"uid=-1", "gid=-1"}
}

// unmount asks WinFsp to stop; it has no busy check and no lazy mode.
func (m *mount) unmount(lazy bool) error {
	if !m.host.Unmount() {
		return fmt.Errorf("%w: %s", core.ErrNotMounted, m.point)
	}
	return nil
}

// confirm has nothing to check: WinFsp reports a failed mount itself.
func confirm(point string) error { return nil }
