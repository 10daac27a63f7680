package pointwatch

import (
	"strings"

	"github.com/plugfs/plugfs/core/mountpoint"
)

// Point is one mounting point of a daemon's volume, as the control API
// lists it (controlv1.MountPoint). Two Points are the same point when
// every field is equal: a point removed and added again has a new Since.
type Point struct {
	// Volume is the name of the volume the point belongs to.
	Volume string
	// Path is where the volume is visible: "X:" for a drive letter (the
	// letter chosen for an automatic one), "Y:;Server;Share" for a
	// network point, \\.\Name, a folder or a directory.
	Path string
	// Kind is mountpoint.Kind's String: directory, drive, auto-drive,
	// unc, network or folder.
	Kind string
	// Flags is mountpoint.Flags' String: "none", or flag names joined
	// by commas ("local,notify-async").
	Flags string
	// AuthID is the logon session (AuthenticationId) a local point is
	// visible in; 0 for a global point, or for a local point in the
	// mounting process's own session.
	AuthID uint64
	// Since is when the point was added, in Unix nanoseconds.
	Since int64
}

// Letter returns the drive letter, upper case, that the point shows in
// Explorer: that of a drive or automatic drive point, or the Local
// letter of a network point. UNC names, folders, directories and network
// points without a letter have none.
func (p Point) Letter() (byte, bool) {
	s := p.Path
	switch p.Kind {
	case mountpoint.KindDrive.String(), mountpoint.KindAutoDrive.String():
	case mountpoint.KindNetwork.String():
		s, _, _ = strings.Cut(s, ";")
	default:
		return 0, false
	}
	s = strings.TrimRight(s, `\/`)
	if len(s) != 2 || s[1] != ':' {
		return 0, false
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	if c < 'A' || c > 'Z' {
		return 0, false
	}
	return c, true
}

// Network reports whether the point is a network point (Explorer shows
// its letter as a network drive).
func (p Point) Network() bool { return p.Kind == mountpoint.KindNetwork.String() }

// Local reports whether the point is visible in one logon session only:
// it has the local flag, or an AuthID (which implies it).
func (p Point) Local() bool {
	if p.AuthID != 0 {
		return true
	}
	for _, f := range strings.Split(p.Flags, ",") {
		if strings.TrimSpace(f) == mountpoint.Local.String() {
			return true
		}
	}
	return false
}

// VisibleIn reports whether the logon session whose AuthenticationId is
// session sees the point: every session sees a global point, only the
// session its AuthID names sees a local one. A local point with AuthID 0
// is in the mounting process's session, which the listing does not name:
// VisibleIn says false for it. session 0 stands for a session that is
// not known, which sees only global points.
func (p Point) VisibleIn(session uint64) bool {
	if !p.Local() {
		return true
	}
	return p.AuthID != 0 && p.AuthID == session
}
