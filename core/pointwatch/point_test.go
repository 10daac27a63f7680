package pointwatch

import (
	"testing"

	"github.com/plugfs/plugfs/core/mountpoint"
)

func TestLetter(t *testing.T) {
	for _, tc := range []struct {
		path, kind string
		want       byte // 0: none
	}{
		{"X:", "drive", 'X'},
		{"x:", "drive", 'X'},
		{`X:\`, "drive", 'X'},
		{"Q:", "auto-drive", 'Q'},
		{"*", "auto-drive", 0}, // not chosen yet: nothing to show
		{"W:;srv;share", "network", 'W'},
		{"w:;;share", "network", 'W'},
		{";srv;share", "network", 0},
		{`\\.\N;srv;share`, "network", 0},
		{`\\.\Data`, "unc", 0},
		{`C:\Mounts\Data`, "folder", 0},
		{"/mnt/x", "directory", 0},
		{"X:", "directory", 0}, // the kind decides, not the look of the path
		{"1:", "drive", 0},
		{"XY:", "drive", 0},
		{"X", "drive", 0},
		{"", "drive", 0},
		{"X:", "", 0},
	} {
		got, ok := Point{Path: tc.path, Kind: tc.kind}.Letter()
		if ok != (tc.want != 0) || got != tc.want {
			t.Errorf("Point{%q, %q}.Letter() = %q, %v; want %q", tc.path, tc.kind, got, ok, tc.want)
		}
	}
}

// TestLetterOfModel lists points the way the daemon does (spec String,
// Kind String, Flags String) and reads back the model's letter.
func TestLetterOfModel(t *testing.T) {
	for _, tc := range []struct {
		text  string
		flags mountpoint.Flags
		auth  uint64
	}{
		{"Z:", 0, 0}, {`k:\`, mountpoint.Local, 0}, {"M:", mountpoint.MountManager, 0},
		{"Y:;Server;Share", 0, 0}, {"Y:;;Share", mountpoint.ReadShare, 0}, {";Server;Share", 0, 0},
		{`\\.\Name;Server;Share`, 0, 0}, {`\\.\Data`, 0, 0}, {`C:\Mounts\Data`, 0, 0},
		{"/mnt/x", 0, 0}, {"X:", 0, 0x3e7},
	} {
		s, err := mountpoint.Parse(tc.text, tc.flags, tc.auth)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.text, err)
		}
		p := Point{Path: s.String(), Kind: s.Kind.String(), Flags: s.Flags.String(), AuthID: s.AuthID}
		got, ok := p.Letter()
		if got != s.Letter || ok != (s.Letter != 0) {
			t.Errorf("%q: Letter() = %q, %v; the model's letter is %q", tc.text, got, ok, s.Letter)
		}
		if p.Network() != (s.Kind == mountpoint.KindNetwork) {
			t.Errorf("%q: Network() = %v", tc.text, p.Network())
		}
		if p.Local() != (s.Flags&mountpoint.Local != 0) {
			t.Errorf("%q (flags %q, auth %#x): Local() = %v", tc.text, p.Flags, p.AuthID, p.Local())
		}
	}
	// An automatic letter, as the engine records the one it chose.
	s, err := mountpoint.Parse("*", mountpoint.Local, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Letter = 'R'
	if l, ok := (Point{Path: s.String(), Kind: s.Kind.String()}).Letter(); !ok || l != 'R' {
		t.Errorf("automatic letter R: Letter() = %q, %v", l, ok)
	}
}

func TestVisibleIn(t *testing.T) {
	const me, other = 0x1234, 0x5678
	for _, tc := range []struct {
		name    string
		p       Point
		session uint64
		want    bool
	}{
		{"global", Point{Flags: "global"}, me, true},
		{"global, session unknown", Point{Flags: "global"}, 0, true},
		{"global with other flags", Point{Flags: "mount-manager,notify-async"}, me, true},
		{"no flags given", Point{}, me, true},
		{"local to me", Point{Flags: "local", AuthID: me}, me, true},
		{"local to another session", Point{Flags: "local", AuthID: other}, me, false},
		{"auth id without the flag", Point{Flags: "global", AuthID: me}, me, true},
		{"auth id of another without the flag", Point{AuthID: other}, me, false},
		{"local to the mounting process", Point{Flags: "local"}, me, false},
		{"local to the mounting process, session unknown", Point{Flags: "notify-async,local"}, 0, false},
		{"local to me, session unknown", Point{Flags: "local", AuthID: me}, 0, false},
		{"a flag that only contains local", Point{Flags: "nonlocal"}, me, true},
	} {
		if got := tc.p.VisibleIn(tc.session); got != tc.want {
			t.Errorf("%s: %+v.VisibleIn(%#x) = %v, want %v", tc.name, tc.p, tc.session, got, tc.want)
		}
	}
}
