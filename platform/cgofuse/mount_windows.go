//go:build windows

package cgofuse

import (
	"context"
	"fmt"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/windows/netshare"
	"github.com/plugfs/plugfs/platform/windows/session"
	"github.com/plugfs/plugfs/platform/windows/winfsp"
)

// rank makes cgofuse (WinFsp) the Windows driver.
const rank = 10

// target is where a mount goes: the argument WinFsp takes, extra
// options, the point and spec reported (the spec with its letter and
// scope settled), what to do before WinFsp mounts (setup)
// and once it serves (ready: wait for WinFsp's own mount point, then add
// plugfs's names and shares around it), and what to undo after the
// mount ends (cleanup).
type target struct {
	arg, point string
	spec       mountpoint.Spec
	opts       []string
	setup      func() error
	ready      func(ctx context.Context, done <-chan struct{}) error
	cleanup    func() error
}

func available() error {
	_, err := winfsp.Installed()
	return err
}

// prepare turns a mounting point as the user wrote it into WinFsp's
// mount argument (see prepareSpec).
func prepare(point string) (target, error) {
	s, err := mountpoint.Parse(point, 0, 0)
	if err != nil {
		return target{}, err
	}
	return prepareSpec(s)
}

// WinFsp's mount point argument, as its FUSE layer (fsp_fuse_mount) and
// FspMountSet (dll/mount.c) read it:
//
//	X:          DefineDosDevice(X:) in the caller's device map: the
//	            caller's logon session, or the global namespace when the
//	            caller is LocalSystem (a service under another account
//	            asks WinFsp's launcher, which defines it globally)
//	*  or ""    the same at the first free letter from Z: down to D:
//	\\.\X:      a drive letter made by the mount manager (global,
//	            administrators only; WinFsp 2022 and later)
//	\\.\C:\Dir  a folder made by WinFsp (it must not exist yet) and
//	            announced to the mount manager (administrators only;
//	            WinFsp 2022.2 and later)
//	C:\Dir      a folder (junction) WinFsp creates, deleted when the
//	            volume goes; refused for network volumes (--VolumePrefix)
//
// WinFsp-FUSE always mounts at one of these and offers no other way to
// learn the volume's device (\Device\Volume{GUID}); plugfs reads it back
// from that mount point (QueryDosDevice of the letter, or the reparse
// point of the folder) when it must add names of its own.
//
// A point of the default scope (neither global nor local) is first
// settled as WinFsp settles its own X:: global when plugfs runs as
// LocalSystem or as a service (session 0), whose letters WinFsp makes
// global, and when the process is elevated (its logon session is not the
// one the user's Explorer runs in, and it may define global names);
// otherwise local to the caller's logon session, which needs no rights.
// The target reports the settled spec, which the engine lists. A point
// that is global by nature (mount-manager, a folder, a share without a
// Local part) is settled global.
//
// prepareSpec maps every kind and flag of a settled Spec onto them:
//
//	drive letter, global        LocalSystem: X: (WinFsp's letter is
//	                            global); anyone else: a letterless mount
//	                            on a private folder, then Global\X: ->
//	                            the volume (DefineDosDevice, needs
//	                            administrator rights: refused at that
//	                            step with what to do otherwise)
//	drive letter, local         X: (the caller's session); from a
//	                            service in session 0 (where WinFsp's X:
//	                            would be global): a letterless mount, then
//	                            X: -> the volume; for another
//	                            logon session (an auth id): a letterless
//	                            mount, then
//	                            GLOBALROOT\Sessions\0\DosDevices\<LUID>\X:
//	                            -> the volume (LocalSystem in practice)
//	drive letter, mount-manager \\.\X:
//	*                           the first free letter from Z: down, then
//	                            as a drive letter
//	\\.\Name                    a letterless mount, then Global\Name, Name
//	                            or the session's Name -> the volume
//	Y:;Server;Share             Y: with --VolumePrefix=\Server\Share; a
//	                            global point made by anyone but
//	                            LocalSystem adds Global\Y: -> the volume
//	Local;;Share + read-share   a letterless mount shared as Share (Share$
//	  or write-share            when hidden) with NetShareAdd, plus the
//	                            Local letter or UNC name if given
//	C:\Mounts\Data              \\.\C:\Mounts\Data: the empty folder is
//	                            removed for WinFsp to create it as the
//	                            mount point, and made again at unmount
//
// Refused, each with the reason: a point local to the caller's session
// when the caller is LocalSystem (its session's names are the global
// ones), a network point without a local drive letter, in another logon
// session, or local to a service (WinFsp-FUSE defines a network
// volume's letter itself, through its launcher for services, and cannot
// mount one letterless), a network point on this computer (empty
// Server) without read-share or write-share, and plain directories.
//
// Only this mapping, the folder checks and the DOS-name, share and
// notification calls run here (under Wine, with WinFsp's side played by
// the tests); WinFsp itself never does, so the mounts are compile-only.
func prepareSpec(s mountpoint.Spec) (target, error) {
	p, err := planSpec(s)
	if err != nil {
		return target{}, err
	}
	return target{arg: p.arg, point: p.point, spec: p.spec, opts: p.opts, setup: p.setup, ready: p.ready, cleanup: p.cleanup}, nil
}

// planSpec decides how s is made (see prepareSpec).
func planSpec(s mountpoint.Spec) (*plan, error) {
	sys, err := ops.isLocalSystem()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading this process's account: %w", core.ErrMountPointAccess, s, err)
	}
	zero, err := ops.inSessionZero()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading this process's session: %w", core.ErrMountPointAccess, s, err)
	}
	// WinFsp's X: from a service that is not LocalSystem is made
	// global by WinFsp's launcher: not the caller's own.
	service := zero && !sys
	asked := s.Scope()
	if asked == mountpoint.ScopeDefault {
		s = s.ResolveScope(sys || zero || ops.isElevated())
	}
	p := &plan{spec: s, asked: asked, point: s.String()}
	switch s.Kind {
	case mountpoint.KindDrive, mountpoint.KindAutoDrive:
		l, err := pickLetter(s)
		if err != nil {
			return nil, err
		}
		x := driveName(l)
		p.point, p.letter = x, l
		if s.Kind == mountpoint.KindAutoDrive {
			p.spec.Letter = l
		}
		if s.Flags&mountpoint.MountManager != 0 {
			p.onLetter(`\\.\`+x, x)
			return p, nil
		}
		sc, err := scopeOf(s, sys)
		if err != nil {
			return nil, err
		}
		if sc == scopeCaller && !service || sc == scopeGlobal && sys {
			p.onLetter(x, x)
			return p, nil
		}
		p.onDirectory()
		p.names = []string{dosName(sc, s, x)}
		return p, nil
	case mountpoint.KindUNC:
		sc, err := scopeOf(s, sys)
		if err != nil {
			return nil, err
		}
		p.onDirectory()
		p.names = []string{dosName(sc, s, s.Name)}
		return p, nil
	case mountpoint.KindNetwork:
		if s.Flags&(mountpoint.ReadShare|mountpoint.WriteShare) != 0 {
			return planShare(p, s, sys)
		}
		return planNetwork(p, s, sys, service)
	case mountpoint.KindFolder:
		if err := checkFolder(s.Path); err != nil {
			return nil, err
		}
		p.arg = `\\.\` + s.Path
		p.carrier, p.carrierPath, p.folder = carrierFolder, s.Path, s.Path
		return p, nil
	}
	return nil, fmt.Errorf("%w: %s: the cgofuse driver does not serve a %s point on Windows: use a drive letter (Z:), * for a free one, \\\\.\\Name, Z:;Server;Share or a folder (C:\\Mounts\\Data)", core.ErrMountPointInvalid, s, s.Kind)
}

// planNetwork makes Y:;Server;Share: WinFsp's network volume (its
// network provider resolves \\Server\Share) at the letter Y:.
func planNetwork(p *plan, s mountpoint.Spec, sys, service bool) (*plan, error) {
	if s.Server == "" {
		return nil, fmt.Errorf("%w: %s: a network point on this computer (empty Server part) is a real share: add read-share or write-share, or name a server (Y:;Server;%s)", core.ErrMountPointInvalid, s, s.Share)
	}
	if s.Letter == 0 {
		return nil, fmt.Errorf("%w: %s: WinFsp cannot mount a network volume without a drive letter (it refuses folders for network volumes): give a Local letter (Y:;%s;%s)", core.ErrMountPointInvalid, s, s.Server, s.Share)
	}
	if err := checkLetterFree(s.Letter); err != nil {
		return nil, err
	}
	sc, err := scopeOf(s, sys)
	if err != nil {
		return nil, err
	}
	if sc == scopeSession {
		return nil, fmt.Errorf("%w: %s: WinFsp defines a network volume's letter in the mounting process's own logon session and cannot mount it without one, so it cannot be local to another session (auth id %#x): run plugfs in that session", core.ErrMountPointInvalid, s, s.AuthID)
	}
	if sc == scopeCaller && service {
		return nil, fmt.Errorf("%w: %s: this process is a service (session 0, not LocalSystem), for which WinFsp's launcher makes a network volume's letter global: drop local, or run plugfs in the user's session", core.ErrMountPointInvalid, s)
	}
	y := driveName(s.Letter)
	p.letter, p.net = s.Letter, true
	p.opts = []string{`--VolumePrefix=\` + s.Server + `\` + s.Share}
	p.onLetter(y, y)
	if sc == scopeGlobal && !sys {
		// WinFsp's Y: is the caller's own; the same link in \GLOBAL??
		// makes it every session's.
		p.names = []string{dosName(scopeGlobal, s, y)}
	}
	return p, nil
}

// planShare makes Local;;Share with read-share or write-share: a
// letterless volume shared by the Server service, and the Local letter
// or UNC name if one is given.
func planShare(p *plan, s mountpoint.Spec, sys bool) (*plan, error) {
	access := netshare.ReadOnly
	if s.Flags&mountpoint.WriteShare != 0 {
		access = netshare.ReadWrite
	}
	p.onDirectory()
	p.share = &netshare.Share{Name: s.ShareName(), Remark: "plugfs volume", Access: access}
	if s.Letter == 0 && s.Name == "" {
		return p, nil
	}
	sc, err := scopeOf(s, sys)
	if err != nil {
		return nil, err
	}
	if s.Letter != 0 {
		if err := checkLetterFree(s.Letter); err != nil {
			return nil, err
		}
		p.letter = s.Letter
		p.names = []string{dosName(sc, s, driveName(s.Letter))}
	} else {
		p.names = []string{dosName(sc, s, s.Name)}
	}
	return p, nil
}

// scope is where a DOS device name a point needs is defined.
type scope int

const (
	// scopeGlobal is \GLOBAL??, seen by every session.
	scopeGlobal scope = iota
	// scopeCaller is the mounting process's own logon session.
	scopeCaller
	// scopeSession is another logon session, named by Spec.AuthID.
	scopeSession
)

// scopeOf says where s's names go. An auth id that is the caller's own
// session counts as the caller's. LocalSystem has no session of its own
// to be local to: its device map is the global one.
func scopeOf(s mountpoint.Spec, sys bool) (scope, error) {
	if s.Flags&mountpoint.Local == 0 {
		return scopeGlobal, nil
	}
	if s.AuthID != 0 {
		if own, err := ops.authID(); err != nil || own != s.AuthID {
			return scopeSession, nil
		}
	}
	if sys {
		return 0, fmt.Errorf("%w: %s: local to the mounting process's logon session, but this process runs as LocalSystem, whose session's DOS devices are the global ones: give the user's logon session (--auth-id, its AuthenticationId), or drop local", core.ErrMountPointInvalid, s)
	}
	return scopeCaller, nil
}

// dosName is the DefineDosDevice name of name (X: or a UNC name) in
// scope sc.
func dosName(sc scope, s mountpoint.Spec, name string) string {
	switch sc {
	case scopeGlobal:
		return `Global\` + name
	case scopeSession:
		return session.DosDeviceName(s.AuthID, name)
	}
	return name
}

// pickLetter checks a named letter or chooses a free one for *.
func pickLetter(s mountpoint.Spec) (byte, error) {
	if s.Kind == mountpoint.KindDrive {
		return s.Letter, checkLetterFree(s.Letter)
	}
	used, err := ops.usedLetters()
	if err != nil {
		return 0, fmt.Errorf("%w: listing drive letters: %w", core.ErrMountPointAccess, err)
	}
	return mountpoint.ChooseLetter(func(l byte) bool { return used[l] })
}

func checkLetterFree(l byte) error {
	used, err := ops.usedLetters()
	if err != nil {
		return fmt.Errorf("%w: listing drive letters: %w", core.ErrMountPointAccess, err)
	}
	if used[l] {
		return fmt.Errorf("%w: drive %c: is in use: choose another letter, or * for a free one", core.ErrMountPointBusy, l)
	}
	return nil
}

func driveName(l byte) string { return string([]byte{l, ':'}) }

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

// confirm has nothing to check: WinFsp reports a failed mount itself,
// and target.ready waits for its mount point.
func confirm(point string) error { return nil }
