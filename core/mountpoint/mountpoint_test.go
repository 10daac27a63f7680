package mountpoint

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in     string
		flags  Flags
		auth   uint64
		want   Spec
		errHas string // "" = valid
	}{
		// drive letters, normalised at the edge
		{in: "Z:", want: Spec{Kind: KindDrive, Letter: 'Z'}},
		{in: "z:", want: Spec{Kind: KindDrive, Letter: 'Z'}},
		{in: `Z:\`, want: Spec{Kind: KindDrive, Letter: 'Z'}},
		{in: "Z:/", want: Spec{Kind: KindDrive, Letter: 'Z'}},
		{in: "ZZ:", errHas: "one letter and a colon"},
		{in: "1:", want: Spec{Kind: KindDirectory, Path: "1:"}},
		{in: "*", want: Spec{Kind: KindAutoDrive}},
		{in: "Z:", flags: MountManager, want: Spec{Kind: KindDrive, Letter: 'Z', Flags: MountManager}},
		// UNC
		{in: `\\.\Data`, want: Spec{Kind: KindUNC, Name: "Data"}},
		{in: `\\.\`, errHas: "UNC name is empty"},
		{in: `\\.\a\b`, errHas: "does not allow"},
		{in: `\\server\share`, errHas: `Local;Server;Share`},
		{in: `\\.\Data`, flags: MountManager, errHas: "mount-manager applies to drive letters and folders"},
		// network
		{in: "Y:;Server;Share", want: Spec{Kind: KindNetwork, Letter: 'Y', Server: "Server", Share: "Share", Flags: Network}},
		{in: ";;Share", flags: ReadShare | Hidden, want: Spec{Kind: KindNetwork, Share: "Share", Flags: Network | ReadShare | Hidden}},
		{in: `\\.\N;Srv;S`, want: Spec{Kind: KindNetwork, Name: "N", Server: "Srv", Share: "S", Flags: Network}},
		{in: "Y:;Server;Share", flags: WriteShare, errHas: "leave the Server part empty"},
		{in: "Y:;Server", errHas: "three parts"},
		{in: "Y:;Server;", errHas: "share name is empty"},
		{in: "Q;Server;Share", errHas: "Local part must be"},
		{in: ";Server;Share", flags: Local, errHas: "always global"},
		{in: "Y:;Server;Share", flags: Local, want: Spec{Kind: KindNetwork, Letter: 'Y', Server: "Server", Share: "Share", Flags: Network | Local}},
		{in: "Y:;Server;Share", flags: MountManager, errHas: "cannot be combined with network"},
		// folders
		{in: `C:\Mounts\Data`, want: Spec{Kind: KindFolder, Path: `C:\Mounts\Data`, Flags: MountManager}},
		{in: `c:/Mounts/Data`, want: Spec{Kind: KindFolder, Path: `c:\Mounts\Data`, Flags: MountManager}},
		{in: `C:\Mounts\Data`, flags: Local, errHas: "cannot be combined with local"},
		// local / global / auth id
		{in: "X:", flags: Local, want: Spec{Kind: KindDrive, Letter: 'X', Flags: Local}},
		{in: "X:", auth: 0x3e7, want: Spec{Kind: KindDrive, Letter: 'X', Flags: Local, AuthID: 0x3e7}},
		{in: "X:", flags: MountManager, auth: 5, errHas: "cannot be combined with local"},
		{in: "X:", flags: Hidden, errHas: "apply only to network"},
		{in: "X:", flags: Network, errHas: "Local;Server;Share form"},
		// directories
		{in: "/mnt/x", want: Spec{Kind: KindDirectory, Path: "/mnt/x"}},
		{in: "rel/dir", want: Spec{Kind: KindDirectory, Path: "rel/dir"}},
		{in: "/mnt/x", flags: Local, errHas: "a directory takes none"},
		{in: "", errHas: "empty mounting point"},
	} {
		got, err := Parse(tc.in, tc.flags, tc.auth)
		if tc.errHas != "" {
			if err == nil || !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("Parse(%q, %v, %d) = %+v, %v; want an invalid-mounting-point error mentioning %q", tc.in, tc.flags, tc.auth, got, err, tc.errHas)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q, %v, %d) = %+v, %v; want %+v", tc.in, tc.flags, tc.auth, got, err, tc.want)
		}
	}
}

func TestAutoDriveMustNotNameALetter(t *testing.T) {
	err := Spec{Kind: KindAutoDrive, Letter: 'Q'}.Validate()
	if !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "must not also name a letter") {
		t.Fatalf("got %v", err)
	}
}

func TestFolderRequiresMountManager(t *testing.T) {
	err := Spec{Kind: KindFolder, Path: `C:\M`}.Validate()
	if !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "requires mount-manager") {
		t.Fatalf("got %v", err)
	}
	if err := (Spec{Kind: KindFolder, Path: `C:\M`}).Normalize().Validate(); err != nil {
		t.Fatalf("normalised folder: %v", err)
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, in := range []string{"Z:", "*", `\\.\Vol`, "Y:;Srv;Sh", ";;Sh", `\\.\N;S;Sh`, `C:\Mounts\D`, "/mnt/x"} {
		s, err := Parse(in, 0, 0)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if s.String() != in {
			t.Errorf("Parse(%q).String() = %q", in, s.String())
		}
	}
}

func TestShareName(t *testing.T) {
	s, _ := Parse(";;Data", Hidden|ReadShare, 0)
	if s.ShareName() != "Data$" {
		t.Errorf("hidden share name %q", s.ShareName())
	}
	s, _ = Parse(";;Data", ReadShare, 0)
	if s.ShareName() != "Data" {
		t.Errorf("share name %q", s.ShareName())
	}
}

func TestCheckAdd(t *testing.T) {
	mm, _ := Parse("M:", MountManager, 0)
	mm2, _ := Parse(`C:\Mounts\X`, 0, 0)
	z, _ := Parse("Z:", 0, 0)
	z2, _ := Parse("z:", 0, 0)
	zLocal, _ := Parse("Z:", 0, 7)
	if err := CheckAdd([]Spec{mm}, mm2); err == nil || !strings.Contains(err.Error(), "at most one") {
		t.Errorf("second mount-manager point: %v", err)
	}
	if err := CheckAdd([]Spec{mm, z}, z2); err == nil || !strings.Contains(err.Error(), "already has the mounting point") {
		t.Errorf("same letter twice: %v", err)
	}
	if err := CheckAdd([]Spec{z}, zLocal); err != nil {
		t.Errorf("a session-local Z: beside a global one is another point: %v", err)
	}
	if err := CheckAdd([]Spec{mm}, z); err != nil {
		t.Errorf("simple letter beside a mount-manager point: %v", err)
	}
}

func TestChooseLetter(t *testing.T) {
	used := map[byte]bool{'Z': true, 'Y': true, 'W': true}
	l, err := ChooseLetter(func(c byte) bool { return used[c] })
	if err != nil || l != 'X' {
		t.Errorf("ChooseLetter = %c, %v; want X", l, err)
	}
	if _, err := ChooseLetter(func(byte) bool { return true }); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("all letters used: %v", err)
	}
	l, _ = ChooseLetter(func(c byte) bool { return c > 'C' })
	if l != 'C' {
		t.Errorf("last resort letter %c, want C (never A: or B:)", l)
	}
}

func TestParseFlags(t *testing.T) {
	f, err := ParseFlags("local, notify-async")
	if err != nil || f != Local|NotifyAsync {
		t.Errorf("ParseFlags = %v, %v", f, err)
	}
	if _, err := ParseFlags("locl"); !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "known:") {
		t.Errorf("unknown flag: %v", err)
	}
	if f.String() != "local,notify-async" || Flags(0).String() != "none" {
		t.Errorf("String: %q %q", f.String(), Flags(0).String())
	}
}

// TestCheckAddAutomaticLetters: automatic points never collide with each
// other as "*"; once one has its letter, that letter is taken.
func TestCheckAddAutomaticLetters(t *testing.T) {
	auto, err := Parse("*", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAdd([]Spec{auto}, auto); err != nil {
		t.Errorf("a second automatic letter: %v", err)
	}
	chosen := auto
	chosen.Letter = 'X'
	drive, _ := Parse("x:", 0, 0)
	if err := CheckAdd([]Spec{chosen}, drive); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("X: after an automatic point chose X:: %v", err)
	}
}
