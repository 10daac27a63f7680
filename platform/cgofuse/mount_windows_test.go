//go:build windows

package cgofuse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/windows/netshare"
	"github.com/plugfs/plugfs/platform/windows/shellnotify"
)

// testDevice is the volume device the fake WinFsp mounts.
const testDevice = `\Device\Volume{00000000-0000-0000-0000-00000000cafe}`

// fakeWin plays the system and WinFsp for the driver's Windows side:
// it records every DOS-name and share call, and makes the mount point
// WinFsp would make for the argument it is given.
type fakeWin struct {
	used      map[byte]bool
	sys       bool
	sysErr    error
	zero      bool // session 0, where services run
	elevated  bool // an elevated token
	own       uint64
	ownErr    error
	fsName    string
	defineErr error
	shareErr  error

	mu        sync.Mutex
	calls     []string
	announced chan string       // every announcement, as it happens
	hold      chan struct{}     // when set, announcements wait for it
	letters   map[string]string // DOS names WinFsp (or the test) defined
	folders   map[string]string // folders WinFsp mounted on -> target
}

func (f *fakeWin) record(c string) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *fakeWin) recorded() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, "; ")
}

// install makes f the system for one test; letterless mounts go under a
// fresh directory, which the test checks is gone at the end.
func (f *fakeWin) install(t *testing.T) (tempRoot string) {
	t.Helper()
	root, err := os.MkdirTemp("", "cgofuse-points-")
	if err != nil {
		t.Fatal(err)
	}
	old := ops
	t.Cleanup(func() {
		ops = old
		if err := os.Remove(root); err != nil {
			t.Errorf("a letterless mount's directory was left in %s: %v", root, err)
		}
	})
	f.letters, f.folders = map[string]string{}, map[string]string{}
	f.announced = make(chan string, 16)
	if f.fsName == "" {
		f.fsName = "NTFS"
	}
	ops = winOps{
		usedLetters:   func() (map[byte]bool, error) { return f.used, nil },
		isLocalSystem: func() (bool, error) { return f.sys, f.sysErr },
		inSessionZero: func() (bool, error) { return f.zero, nil },
		isElevated:    func() bool { return f.elevated },
		authID: func() (uint64, error) {
			if f.ownErr != nil {
				return 0, f.ownErr
			}
			return f.own, nil
		},
		query: func(name string) ([]string, error) {
			if d, ok := f.letters[name]; ok {
				return []string{d}, nil
			}
			return nil, fmt.Errorf("query %s: %w", name, fs.ErrNotExist)
		},
		define: func(name, device string) error {
			f.record("define " + name + " -> " + device)
			if f.defineErr != nil {
				return f.defineErr
			}
			f.letters[name] = device
			return nil
		},
		undefine: func(name, device string) error {
			f.record("undefine " + name + " -> " + device)
			if f.letters[name] != device {
				return fmt.Errorf("%w: %s not ours", core.ErrNotMounted, name)
			}
			delete(f.letters, name)
			return nil
		},
		folderTarget: func(folder string) (string, error) {
			if t, ok := f.folders[folder]; ok {
				return t, nil
			}
			return "", fmt.Errorf("%w: %s", core.ErrNotMounted, folder)
		},
		fsName: func(string) (string, error) { return f.fsName, nil },
		shareAdd: func(s netshare.Share) error {
			f.record(fmt.Sprintf("share %s %s access %d", s.Name, s.Path, s.Access))
			return f.shareErr
		},
		shareRemove: func(name, path string) error {
			f.record("unshare " + name + " " + path)
			return nil
		},
		tempRoot: func() string { return root },
		announce: func(letter byte, ev shellnotify.Event, network bool) error {
			if f.hold != nil {
				<-f.hold
			}
			c := fmt.Sprintf("announce %c: %v", letter, ev)
			if network {
				c += " net"
			}
			f.record(c)
			f.announced <- c
			return nil
		},
		poll: time.Millisecond,
		wait: 5 * time.Second,
	}
	return root
}

// winfspMounts does what WinFsp does with its mount point argument.
func (f *fakeWin) winfspMounts(arg string) {
	switch {
	case len(arg) == 2 && arg[1] == ':':
		f.letters[arg] = testDevice
	case strings.HasPrefix(arg, `\\.\`) && len(arg) == 6:
		f.letters[arg[4:]] = testDevice // the mount manager's letter
	case strings.HasPrefix(arg, `\\.\`):
		f.folders[arg[4:]] = `\??\Volume{00000000-0000-0000-0000-00000000cafe}\`
	default:
		f.folders[arg] = testDevice + `\`
	}
}

// winfspUnmounts removes WinFsp's own mount point.
func (f *fakeWin) winfspUnmounts(arg string) {
	switch {
	case len(arg) == 2:
		delete(f.letters, arg)
	case strings.HasPrefix(arg, `\\.\`) && len(arg) == 6:
		delete(f.letters, arg[4:])
	case strings.HasPrefix(arg, `\\.\`):
		delete(f.folders, arg[4:])
	default:
		delete(f.folders, arg)
	}
}

// TestPrepareWindows runs every kind and flag through prepareSpec and
// then through the mount's life as WinFsp would drive it: setup, WinFsp
// makes its mount point, ready, WinFsp removes it, cleanup. "{vol}"
// stands for the letterless mount's folder.
func TestPrepareWindows(t *testing.T) {
	const dev = testDevice
	session := `GLOBALROOT\Sessions\0\DosDevices\00000000-00001234\`
	for _, c := range []struct {
		name        string
		point       string
		flags       mountpoint.Flags
		auth        uint64
		sys         bool
		zero        bool
		elevated    bool
		ownErr      bool
		want        error
		says        string
		arg, report string
		opt         string
		announce    string // the letter announced, "W: net" for a network drive
		listed      string // the settled spec's flags, when the case checks them
		ready       []string
		cleanup     []string
	}{
		// Drive letters.
		{name: "global letter", flags: mountpoint.Global, announce: "X:", point: "X:", arg: "{vol}", report: "X:",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "global letter normalised", flags: mountpoint.Global, announce: "X:", point: `x:\`, arg: "{vol}", report: "X:",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "global letter as LocalSystem", flags: mountpoint.Global, announce: "X:", point: "X:", sys: true, zero: true, arg: "X:", report: "X:"},
		{name: "global letter from a service", flags: mountpoint.Global, announce: "X:", point: "X:", zero: true, arg: "{vol}", report: "X:",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "local letter from a service", announce: "X:", point: "X:", flags: mountpoint.Local, zero: true, arg: "{vol}", report: "X:",
			ready: []string{`define X: -> ` + dev}, cleanup: []string{`undefine X: -> ` + dev}},
		{name: "local letter", announce: "X:", point: "X:", flags: mountpoint.Local, arg: "X:", report: "X:"},
		{name: "local letter as LocalSystem", point: "X:", flags: mountpoint.Local, sys: true, want: core.ErrMountPointInvalid, says: "LocalSystem"},
		{name: "letter in another session", announce: "X:", point: "X:", auth: 0x1234, arg: "{vol}", report: "X:",
			ready: []string{"define " + session + "X: -> " + dev}, cleanup: []string{"undefine " + session + "X: -> " + dev}},
		{name: "letter in another session as LocalSystem", announce: "X:", point: "X:", auth: 0x1234, sys: true, arg: "{vol}", report: "X:",
			ready: []string{"define " + session + "X: -> " + dev}, cleanup: []string{"undefine " + session + "X: -> " + dev}},
		{name: "letter in own session by auth id", announce: "X:", point: "X:", auth: 0x999, arg: "X:", report: "X:"},
		{name: "letter by auth id, own session unknown (Wine)", announce: "X:", point: "X:", auth: 0x1234, ownErr: true, arg: "{vol}", report: "X:",
			ready: []string{"define " + session + "X: -> " + dev}, cleanup: []string{"undefine " + session + "X: -> " + dev}},
		{name: "mount-manager letter", announce: "X:", point: "X:", flags: mountpoint.MountManager, arg: `\\.\X:`, report: "X:"},
		{name: "notify-async letter", announce: "X:", point: "X:", flags: mountpoint.NotifyAsync | mountpoint.Local, arg: "X:", report: "X:"},
		{name: "letter in use", point: "Z:", want: core.ErrMountPointBusy, says: "choose another"},
		{name: "mount-manager letter in use", point: "Y:", flags: mountpoint.MountManager, want: core.ErrMountPointBusy},
		// Automatic letters: Z: and Y: are taken.
		{name: "automatic letter", flags: mountpoint.Global, announce: "X:", point: "*", arg: "{vol}", report: "X:",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "automatic local letter", announce: "X:", point: "*", flags: mountpoint.Local, arg: "X:", report: "X:"},
		{name: "automatic mount-manager letter", announce: "X:", point: "*", flags: mountpoint.MountManager, arg: `\\.\X:`, report: "X:"},
		// UNC names.
		{name: "global UNC name", flags: mountpoint.Global, point: `\\.\Data`, arg: "{vol}", report: `\\.\Data`,
			ready: []string{`define Global\Data -> ` + dev}, cleanup: []string{`undefine Global\Data -> ` + dev}},
		{name: "global UNC name as LocalSystem", flags: mountpoint.Global, point: `\\.\Data`, sys: true, arg: "{vol}", report: `\\.\Data`,
			ready: []string{`define Global\Data -> ` + dev}, cleanup: []string{`undefine Global\Data -> ` + dev}},
		{name: "local UNC name", point: `\\.\Data`, flags: mountpoint.Local, arg: "{vol}", report: `\\.\Data`,
			ready: []string{`define Data -> ` + dev}, cleanup: []string{`undefine Data -> ` + dev}},
		{name: "UNC name in another session", point: `\\.\Data`, auth: 0x1234, arg: "{vol}", report: `\\.\Data`,
			ready: []string{"define " + session + "Data -> " + dev}, cleanup: []string{"undefine " + session + "Data -> " + dev}},
		{name: "local UNC name as LocalSystem", point: `\\.\Data`, flags: mountpoint.Local, sys: true, want: core.ErrMountPointInvalid, says: "--auth-id"},
		// Network points through WinFsp's network provider.
		{name: "global network letter", flags: mountpoint.Global, announce: "W: net", point: `W:;srv;share`, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`,
			ready: []string{`define Global\W: -> ` + dev}, cleanup: []string{`undefine Global\W: -> ` + dev}},
		{name: "global network letter as LocalSystem", flags: mountpoint.Global, announce: "W: net", point: `W:;srv;share`, sys: true, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`},
		{name: "local network letter", announce: "W: net", point: `W:;srv;share`, flags: mountpoint.Local, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`},
		{name: "local network letter from a service", point: `W:;srv;share`, flags: mountpoint.Local, zero: true, want: core.ErrMountPointInvalid, says: "service"},
		{name: "global network letter from a service", flags: mountpoint.Global, announce: "W: net", point: `W:;srv;share`, zero: true, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`,
			ready: []string{`define Global\W: -> ` + dev}, cleanup: []string{`undefine Global\W: -> ` + dev}},
		{name: "network flags WinFsp has no use for", announce: "W: net", point: `W:;srv;share`, flags: mountpoint.AllowMapAsDrive | mountpoint.ClaimServer | mountpoint.Local,
			arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`},
		{name: "network letter in another session", point: `W:;srv;share`, auth: 0x1234, want: core.ErrMountPointInvalid, says: "run plugfs in that session"},
		{name: "network letter in use", point: `Z:;srv;share`, want: core.ErrMountPointBusy},
		{name: "network without a letter", point: `;srv;share`, want: core.ErrMountPointInvalid, says: "without a drive letter"},
		{name: "network with a UNC name", point: `\\.\N;srv;share`, want: core.ErrMountPointInvalid, says: "without a drive letter"},
		{name: "network on this computer without a share", point: `W:;;share`, want: core.ErrMountPointInvalid, says: "read-share or write-share"},
		// Real shares.
		{name: "read share", point: `;;data`, flags: mountpoint.ReadShare, arg: "{vol}", report: ";;data",
			ready: []string{`share data {vol} access 1`}, cleanup: []string{`unshare data {vol}`}},
		{name: "hidden write share", point: `;;data`, flags: mountpoint.WriteShare | mountpoint.Hidden, arg: "{vol}", report: ";;data",
			ready: []string{`share data$ {vol} access 2`}, cleanup: []string{`unshare data$ {vol}`}},
		{name: "read and write share", point: `;;data`, flags: mountpoint.WriteShare | mountpoint.ReadShare, arg: "{vol}", report: ";;data",
			ready: []string{`share data {vol} access 2`}, cleanup: []string{`unshare data {vol}`}},
		{name: "share with a global letter", announce: "W:", point: `W:;;data`, flags: mountpoint.ReadShare | mountpoint.Global, arg: "{vol}", report: "W:;;data",
			ready:   []string{`define Global\W: -> ` + dev, `share data {vol} access 1`},
			cleanup: []string{`unshare data {vol}`, `undefine Global\W: -> ` + dev}},
		{name: "share with a local letter", announce: "W:", point: `W:;;data`, flags: mountpoint.ReadShare | mountpoint.Local, arg: "{vol}", report: "W:;;data",
			ready:   []string{`define W: -> ` + dev, `share data {vol} access 1`},
			cleanup: []string{`unshare data {vol}`, `undefine W: -> ` + dev}},
		{name: "share with a UNC name", point: `\\.\N;;data`, flags: mountpoint.ReadShare | mountpoint.Global, arg: "{vol}", report: `\\.\N;;data`,
			ready:   []string{`define Global\N -> ` + dev, `share data {vol} access 1`},
			cleanup: []string{`unshare data {vol}`, `undefine Global\N -> ` + dev}},
		{name: "share with a local letter as LocalSystem", point: `W:;;data`, flags: mountpoint.ReadShare | mountpoint.Local, sys: true, want: core.ErrMountPointInvalid, says: "LocalSystem"},
		{name: "share with a letter in use", point: `Y:;;data`, flags: mountpoint.ReadShare, want: core.ErrMountPointBusy},
		// The default scope (neither global nor local), settled as WinFsp
		// settles its X:: global for LocalSystem, a service (session 0) or
		// an elevated process, else the caller's own session.
		{name: "default letter", announce: "X:", point: "X:", arg: "X:", report: "X:", listed: "local"},
		{name: "default letter normalised", announce: "X:", point: `x:\`, arg: "X:", report: "X:", listed: "local"},
		{name: "default letter, elevated", announce: "X:", point: "X:", elevated: true, arg: "{vol}", report: "X:", listed: "global",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "default letter as LocalSystem", announce: "X:", point: "X:", sys: true, zero: true, arg: "X:", report: "X:", listed: "global"},
		{name: "default letter from a service", announce: "X:", point: "X:", zero: true, arg: "{vol}", report: "X:", listed: "global",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "default notify-async letter", announce: "X:", point: "X:", flags: mountpoint.NotifyAsync, arg: "X:", report: "X:", listed: "local,notify-async"},
		{name: "default automatic letter", announce: "X:", point: "*", arg: "X:", report: "X:", listed: "local"},
		{name: "default automatic letter, elevated", announce: "X:", point: "*", elevated: true, arg: "{vol}", report: "X:", listed: "global",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "default mount-manager letter", announce: "X:", point: "X:", flags: mountpoint.MountManager, arg: `\\.\X:`, report: "X:", listed: "global,mount-manager"},
		{name: "global mount-manager letter", announce: "X:", point: "X:", flags: mountpoint.MountManager | mountpoint.Global, arg: `\\.\X:`, report: "X:", listed: "global,mount-manager"},
		{name: "default letter by auth id", announce: "X:", point: "X:", auth: 0x1234, elevated: true, arg: "{vol}", report: "X:", listed: "local",
			ready: []string{"define " + session + "X: -> " + dev}, cleanup: []string{"undefine " + session + "X: -> " + dev}},
		{name: "default letter in use", point: "Z:", want: core.ErrMountPointBusy, says: "choose another"},
		{name: "default UNC name", point: `\\.\Data`, arg: "{vol}", report: `\\.\Data`, listed: "local",
			ready: []string{`define Data -> ` + dev}, cleanup: []string{`undefine Data -> ` + dev}},
		{name: "default UNC name, elevated", point: `\\.\Data`, elevated: true, arg: "{vol}", report: `\\.\Data`, listed: "global",
			ready: []string{`define Global\Data -> ` + dev}, cleanup: []string{`undefine Global\Data -> ` + dev}},
		{name: "default UNC name as LocalSystem", point: `\\.\Data`, sys: true, arg: "{vol}", report: `\\.\Data`, listed: "global",
			ready: []string{`define Global\Data -> ` + dev}, cleanup: []string{`undefine Global\Data -> ` + dev}},
		{name: "default network letter", announce: "W: net", point: `W:;srv;share`, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`, listed: "local,network"},
		{name: "default network letter, elevated", announce: "W: net", point: `W:;srv;share`, elevated: true, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`, listed: "global,network",
			ready: []string{`define Global\W: -> ` + dev}, cleanup: []string{`undefine Global\W: -> ` + dev}},
		{name: "default network letter from a service", announce: "W: net", point: `W:;srv;share`, zero: true, arg: "W:", report: `W:;srv;share`, opt: `--VolumePrefix=\srv\share`, listed: "global,network",
			ready: []string{`define Global\W: -> ` + dev}, cleanup: []string{`undefine Global\W: -> ` + dev}},
		{name: "default read share", point: `;;data`, flags: mountpoint.ReadShare, arg: "{vol}", report: ";;data", listed: "global,network,read-share",
			ready: []string{`share data {vol} access 1`}, cleanup: []string{`unshare data {vol}`}},
		{name: "default share with a letter", announce: "W:", point: `W:;;data`, flags: mountpoint.ReadShare, arg: "{vol}", report: "W:;;data", listed: "local,network,read-share",
			ready:   []string{`define W: -> ` + dev, `share data {vol} access 1`},
			cleanup: []string{`unshare data {vol}`, `undefine W: -> ` + dev}},
		{name: "default folder (absent)", point: `C:\plugfs-absent\Data`, elevated: true, want: core.ErrMountPointMissing, says: "create it"},
		// An explicit global letter is made the same whoever asks (above:
		// not elevated, where Windows refuses Global\X: as
		// TestReadyFailures shows) and an explicit local one stays local.
		{name: "global letter, elevated", announce: "X:", point: "X:", flags: mountpoint.Global, elevated: true, arg: "{vol}", report: "X:", listed: "global",
			ready: []string{`define Global\X: -> ` + dev}, cleanup: []string{`undefine Global\X: -> ` + dev}},
		{name: "local letter, elevated", announce: "X:", point: "X:", flags: mountpoint.Local, elevated: true, arg: "X:", report: "X:", listed: "local"},
		{name: "global and local", point: "X:", flags: mountpoint.Global | mountpoint.Local, want: core.ErrMountPointInvalid, says: "global and local cannot be combined"},
		{name: "global with an auth id", point: "X:", flags: mountpoint.Global, auth: 0x1234, want: core.ErrMountPointInvalid, says: "auth id"},
		// Folders (the real file system under Wine: this one is absent;
		// TestFolderPoints covers the others) and the rest.
		{name: "absent folder", point: `C:\plugfs-absent\Data`, want: core.ErrMountPointMissing, says: "create it"},
		{name: "directory", point: `mnt\x`, want: core.ErrMountPointInvalid, says: "does not serve a directory"},
		{name: "empty", point: "", want: core.ErrMountPointInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeWin{used: map[byte]bool{'C': true, 'Z': true, 'Y': true}, sys: c.sys, zero: c.zero, elevated: c.elevated, own: 0x999}
			if c.ownErr {
				f.ownErr = errors.ErrUnsupported
			}
			f.install(t)
			s, err := mountpoint.Parse(c.point, c.flags, c.auth)
			var tg target
			if err == nil {
				tg, err = prepareSpec(s)
			}
			if c.want != nil {
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
					t.Fatalf("prepare(%q) = %v, want %v saying %q", c.point, err, c.want, c.says)
				}
				return
			}
			if err != nil {
				t.Fatalf("prepare(%q): %v", c.point, err)
			}
			vol := tg.arg
			expand := func(l []string) string {
				return strings.ReplaceAll(strings.Join(l, "; "), "{vol}", vol)
			}
			wantArg := strings.ReplaceAll(c.arg, "{vol}", vol)
			if c.arg == "{vol}" && (filepath.Base(vol) != "volume" || !strings.HasPrefix(vol, ops.tempRoot())) {
				t.Errorf("letterless mount at %q, want a folder under %s", vol, ops.tempRoot())
			}
			if tg.arg != wantArg || tg.point != c.report || strings.Join(tg.opts, " ") != c.opt {
				t.Fatalf("prepare(%q) = arg %q point %q opts %q; want %q %q %q", c.point, tg.arg, tg.point, tg.opts, wantArg, c.report, c.opt)
			}
			// The spec reported is the one asked for, settled: a scope
			// always, the letter of * (what the engine lists).
			if !s.Settles(tg.spec) || tg.spec.Scope() == mountpoint.ScopeDefault || tg.spec.String() != c.report {
				t.Errorf("prepare(%q) reports %+v (%v): not %+v settled, at %s", c.point, tg.spec, tg.spec.Scope(), s, c.report)
			}
			if c.listed != "" && tg.spec.Flags.String() != c.listed {
				t.Errorf("prepare(%q %v) lists flags %q, want %q", c.point, c.flags, tg.spec.Flags, c.listed)
			}
			ready, cleanup := c.ready, c.cleanup
			if c.announce != "" {
				l, net, _ := strings.Cut(c.announce, " ")
				if net != "" {
					net = " net"
				}
				ready = append(append([]string{}, ready...), "announce "+l+" arrival"+net)
				cleanup = append(append([]string{}, cleanup...), "announce "+l+" removal"+net)
			}
			runLife(t, f, tg, s.Flags&mountpoint.NotifyAsync != 0)
			if got, want := f.recorded(), expand(append(append([]string{}, ready...), cleanup...)); got != want {
				t.Errorf("calls:\n  %s\nwant\n  %s", got, want)
			}
			if len(f.letters) != 0 || len(f.folders) != 0 {
				t.Errorf("left behind: names %v, folders %v", f.letters, f.folders)
			}
		})
	}
}

// runLife drives a target as the driver and WinFsp do. With async, each
// announcement is waited for after the step that started it.
func runLife(t *testing.T, f *fakeWin, tg target, async bool) {
	t.Helper()
	if err := tg.setup(); err != nil {
		t.Fatalf("setup: %v", err)
	}
	f.winfspMounts(tg.arg)
	if err := tg.ready(context.Background(), make(chan struct{})); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if async {
		f.waitAnnounce(t)
	}
	f.winfspUnmounts(tg.arg)
	if err := tg.cleanup(); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
	if async {
		f.waitAnnounce(t)
	}
}

func (f *fakeWin) waitAnnounce(t *testing.T) string {
	t.Helper()
	select {
	case c := <-f.announced:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no announcement")
		return ""
	}
}

// TestReadyFailures: a name or share that cannot be made fails the
// mount with a clear error, and cleanup undoes exactly what was made.
func TestReadyFailures(t *testing.T) {
	for _, c := range []struct {
		name      string
		point     string
		flags     mountpoint.Flags
		zero      bool
		defineErr error
		shareErr  error
		want      error
		says      string
		calls     string
	}{
		{name: "no global namespace (Wine)", point: "X:", flags: mountpoint.Global, defineErr: windows.ERROR_PATH_NOT_FOUND,
			want: core.ErrDriverUnavailable, says: "no global DOS device directory",
			calls: `define Global\X: -> ` + testDevice},
		{name: "session not logged on", point: "X:", defineErr: windows.ERROR_PATH_NOT_FOUND,
			want: core.ErrMountPointMissing, says: "check the auth id",
			calls: `define GLOBALROOT\Sessions\0\DosDevices\00000000-00001234\X: -> ` + testDevice},
		{name: "not an administrator", point: `\\.\Data`, flags: mountpoint.Global, defineErr: fmt.Errorf("%w: denied", core.ErrMountPointAccess),
			want: core.ErrMountPointAccess, says: "Global\\Data",
			calls: `define Global\Data -> ` + testDevice},
		{name: "global letter, not an administrator", point: "X:", flags: mountpoint.Global, defineErr: fmt.Errorf("%w: denied", core.ErrMountPointAccess),
			want: core.ErrMountPointAccess, says: "run elevated, or drop 'global' for a letter in your own session",
			calls: `define Global\X: -> ` + testDevice},
		{name: "default scope global for a service, refused", point: "X:", zero: true, defineErr: fmt.Errorf("%w: denied", core.ErrMountPointAccess),
			want: core.ErrMountPointAccess, says: "give 'local'",
			calls: `define Global\X: -> ` + testDevice},
		{name: "share refused after the letter", point: `W:;;data`, flags: mountpoint.ReadShare | mountpoint.Global,
			shareErr: fmt.Errorf("%w: no Server service", core.ErrDriverUnavailable),
			want:     core.ErrDriverUnavailable, says: "no Server service",
			calls: `define Global\W: -> ` + testDevice + `; share data {vol} access 1; undefine Global\W: -> ` + testDevice},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeWin{used: map[byte]bool{}, own: 0x999, zero: c.zero, defineErr: c.defineErr, shareErr: c.shareErr}
			f.install(t)
			auth := uint64(0)
			if strings.Contains(c.calls, "GLOBALROOT") {
				auth = 0x1234
			}
			s, err := mountpoint.Parse(c.point, c.flags, auth)
			if err != nil {
				t.Fatal(err)
			}
			tg, err := prepareSpec(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := tg.setup(); err != nil {
				t.Fatal(err)
			}
			f.winfspMounts(tg.arg)
			err = tg.ready(context.Background(), make(chan struct{}))
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("ready = %v, want %v saying %q", err, c.want, c.says)
			}
			f.winfspUnmounts(tg.arg)
			if err := tg.cleanup(); err != nil {
				t.Fatalf("cleanup: %v", err)
			}
			if got, want := f.recorded(), strings.ReplaceAll(c.calls, "{vol}", tg.arg); got != want {
				t.Errorf("calls:\n  %s\nwant\n  %s", got, want)
			}
		})
	}
}

// TestReadyWaits: ready waits for WinFsp's mount point, and gives up
// when WinFsp stops, when the caller cancels, or after ops.wait.
func TestReadyWaits(t *testing.T) {
	f := &fakeWin{used: map[byte]bool{}}
	f.install(t)
	s, _ := mountpoint.Parse("X:", mountpoint.Local, 0)
	tg, err := prepareSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	// WinFsp makes its letter a little after init.
	go func() {
		time.Sleep(30 * time.Millisecond)
		f.winfspMounts("X:")
	}()
	if err := tg.ready(context.Background(), make(chan struct{})); err != nil {
		t.Fatalf("ready with a late letter: %v", err)
	}
	delete(f.letters, "X:")

	done := make(chan struct{})
	close(done)
	if err := tg.ready(context.Background(), done); !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "WinFsp stopped") {
		t.Errorf("ready after WinFsp stopped = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tg.ready(ctx, make(chan struct{})); !errors.Is(err, context.Canceled) {
		t.Errorf("ready with a cancelled context = %v", err)
	}
	ops.wait = 20 * time.Millisecond
	if err := tg.ready(context.Background(), make(chan struct{})); !errors.Is(err, core.ErrMountPointAccess) || !strings.Contains(err.Error(), "did not appear") {
		t.Errorf("ready past the wait = %v", err)
	}
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
	// A point unmounted before ready got to it makes nothing.
	f.winfspMounts("X:")
	if err := tg.ready(context.Background(), make(chan struct{})); !errors.Is(err, core.ErrNotMounted) {
		t.Errorf("ready after cleanup = %v", err)
	}
}

func TestPrepareAccountUnknown(t *testing.T) {
	f := &fakeWin{used: map[byte]bool{}, sysErr: windows.ERROR_ACCESS_DENIED}
	f.install(t)
	s, _ := mountpoint.Parse("X:", 0, 0)
	if _, err := prepareSpec(s); !errors.Is(err, core.ErrMountPointAccess) || !errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		t.Fatalf("prepare without the account = %v", err)
	}
}

// TestFolderPoints runs the folder checks, the removal of the empty
// folder before WinFsp mounts and its return at cleanup on the real
// file system (Wine's, which reports NTFS for C:).
func TestFolderPoints(t *testing.T) {
	f := &fakeWin{used: map[byte]bool{}}
	f.install(t)
	ops.fsName = volumeFSName // the real one
	base, err := os.MkdirTemp("", "cgofuse-folder-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(base) })
	abs := func(name string) string { return filepath.Join(base, name) }
	mk := func(name string) string {
		if err := os.Mkdir(abs(name), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Remove(abs(name)) })
		return abs(name)
	}
	full, file := mk("full"), abs("file")
	for _, p := range []string{filepath.Join(full, "x"), file} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Remove(p) })
	}
	empty := mk("empty")

	for _, c := range []struct {
		path string
		want error
		says string
	}{
		{abs("absent"), core.ErrMountPointMissing, "create it"},
		{file, core.ErrMountPointNotDir, "is a file"},
		{full, core.ErrMountPointNotEmpty, "holds x"},
	} {
		s, err := mountpoint.Parse(c.path, 0, 0)
		if err == nil {
			_, err = prepareSpec(s)
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("prepare(%s) = %v, want %v saying %q", c.path, err, c.want, c.says)
		}
	}
	if name, err := volumeFSName(empty); err != nil || name != "NTFS" {
		t.Logf("volumeFSName(%s) = %q, %v", empty, name, err)
	}

	s, err := mountpoint.Parse(empty, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := prepareSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	if tg.arg != `\\.\`+empty || tg.point != empty || len(tg.opts) != 0 {
		t.Fatalf("folder: arg %q point %q opts %q", tg.arg, tg.point, tg.opts)
	}
	if err := tg.setup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the empty folder is still there for WinFsp to create: %v", err)
	}
	f.winfspMounts(tg.arg)
	if err := tg.ready(context.Background(), make(chan struct{})); err != nil {
		t.Fatal(err)
	}
	f.winfspUnmounts(tg.arg)
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(empty); err != nil || !fi.IsDir() {
		t.Fatalf("the folder was not made again: %v", err)
	}
	if len(f.calls) != 0 {
		t.Errorf("a folder needs no names or shares: %v", f.calls)
	}

	// A file dropped into the folder between the check and the mount
	// is not lost: setup refuses.
	tg, err = prepareSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	late := filepath.Join(empty, "late")
	if err := os.WriteFile(late, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(late)
	if err := tg.setup(); !errors.Is(err, core.ErrMountPointNotEmpty) {
		t.Fatalf("setup of a folder filled since = %v", err)
	}
	if _, err := os.Stat(late); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(late); err != nil {
		t.Fatal(err)
	}
	ops.fsName = func(string) (string, error) { return "FAT32", nil }
	if _, err := prepareSpec(s); !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "need NTFS") {
		t.Errorf("folder on FAT32 = %v", err)
	}
}

// TestPointsWithRealDosDevices uses the real DefineDosDevice and
// QueryDosDevice, the test standing in for WinFsp: it defines the letter
// WinFsp would, or answers for the folder of a letterless mount (Wine
// cannot make mount points). Wine has one DOS device namespace:
// Global\Y: finds the Y: WinFsp made, but a new Global\X: cannot be
// defined (ERROR_PATH_NOT_FOUND). On Windows, Global\ names need an
// administrator.
func TestPointsWithRealDosDevices(t *testing.T) {
	old := ops
	t.Cleanup(func() { ops = old })
	root, err := os.MkdirTemp("", "cgofuse-real-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(root) })
	ops.poll, ops.wait = time.Millisecond, 5*time.Second
	ops.tempRoot = func() string { return root }
	dev := fmt.Sprintf(`\Device\PlugfsTest%d`, os.Getpid())
	ops.folderTarget = func(string) (string, error) { return dev + `\`, nil }
	free := func() string {
		t.Helper()
		used, err := ops.usedLetters()
		if err != nil {
			t.Fatal(err)
		}
		l, err := mountpoint.ChooseLetter(func(l byte) bool { return used[l] })
		if err != nil {
			t.Fatal(err)
		}
		return driveName(l)
	}
	prep := func(point string, flags mountpoint.Flags) target {
		t.Helper()
		s, err := mountpoint.Parse(point, flags, 0)
		if err != nil {
			t.Fatal(err)
		}
		tg, err := prepareSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.setup(); err != nil {
			t.Fatal(err)
		}
		return tg
	}
	gone := func(name string) {
		t.Helper()
		if got, err := ops.query(name); err == nil && len(got) > 0 {
			t.Fatalf("%s left: %q", name, got)
		}
	}
	sys, err := ops.isLocalSystem()
	if err != nil {
		t.Fatal(err)
	}
	// ready's outcome for a Global\ name plugfs must define.
	global := func(err error, name string) {
		t.Helper()
		switch {
		case sys:
		case underWine():
			if !errors.Is(err, core.ErrDriverUnavailable) || !errors.Is(err, windows.ERROR_PATH_NOT_FOUND) {
				t.Fatalf("%s under Wine = %v, want ErrDriverUnavailable wrapping ERROR_PATH_NOT_FOUND", name, err)
			}
			t.Logf("Wine: %v", err)
			return
		case errors.Is(err, core.ErrMountPointAccess):
			t.Logf("not an administrator: %v", err)
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ops.query(name); err != nil || len(got) == 0 || got[0] != dev {
			t.Fatalf("%s = %q, %v; want %s", name, got, err, dev)
		}
	}

	// A local letter is WinFsp's alone.
	x := free()
	tg := prep(x, mountpoint.Local)
	if tg.arg != x {
		t.Fatalf("local letter: WinFsp mounts at %q, want %s", tg.arg, x)
	}
	if err := ops.define(x, dev); err != nil { // WinFsp's letter
		t.Fatal(err)
	}
	if err := tg.ready(context.Background(), make(chan struct{})); err != nil {
		t.Fatal(err)
	}
	if err := ops.undefine(x, dev); err != nil {
		t.Fatal(err)
	}
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
	gone(x)

	// A letter of the default scope, settled by the real account,
	// session and elevation checks (under Wine, whatever they answer:
	// the test follows them and logs them).
	zero, err := ops.inSessionZero()
	if err != nil {
		t.Fatal(err)
	}
	elevated := ops.isElevated()
	t.Logf("LocalSystem %v, session 0 %v, elevated %v", sys, zero, elevated)
	tg = prep(x, 0)
	wantScope, wantArg := mountpoint.ScopeLocal, x
	if sys || zero || elevated {
		wantScope = mountpoint.ScopeGlobal
		if !sys {
			wantArg = tg.arg // letterless; TestPrepareWindows checks where
			if tg.arg == x {
				t.Errorf("a default-scope letter settled global (not LocalSystem) mounts at %s, want a letterless mount", x)
			}
		}
	}
	if tg.spec.Scope() != wantScope || tg.arg != wantArg {
		t.Errorf("default-scope %s: settled %v, WinFsp mounts at %q; want %v at %q", x, tg.spec.Scope(), tg.arg, wantScope, wantArg)
	}
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}

	if sys {
		t.Log("running as LocalSystem: global letters are WinFsp's own")
		return
	}
	// A global letter: plugfs defines Global\X: to the letterless volume.
	tg = prep(x, mountpoint.Global)
	global(tg.ready(context.Background(), make(chan struct{})), `Global\`+x)
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
	gone(`Global\` + x)
	gone(x)

	// A global network letter: WinFsp's own Y:, and Global\Y: beside it.
	tg = prep(x+";srv;share", mountpoint.Global)
	if err := ops.define(x, dev); err != nil { // WinFsp's letter
		t.Fatal(err)
	}
	err = tg.ready(context.Background(), make(chan struct{}))
	if underWine() {
		// Wine's Global\Y: is Y: itself, already this volume's.
		if err != nil {
			t.Fatalf("Global\\%s under Wine = %v, want nil (the same name as WinFsp's)", x, err)
		}
	} else {
		global(err, `Global\`+x)
	}
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
	if got, err := ops.query(x); err != nil || len(got) == 0 || got[0] != dev {
		t.Fatalf("cleanup touched WinFsp's %s: %q, %v", x, got, err)
	}
	if err := ops.undefine(x, dev); err != nil {
		t.Fatal(err)
	}
	gone(`Global\` + x)
	gone(x)
}

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
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

// TestReadyNameAlreadyThere: a name that already leads to the volume
// (WinFsp's own, seen through Global\ by LocalSystem or under Wine) is
// neither defined again nor removed; one that leads elsewhere is
// defined (dosdev refuses it there, as TestReadyFailures shows).
func TestReadyNameAlreadyThere(t *testing.T) {
	f := &fakeWin{used: map[byte]bool{}}
	f.install(t)
	s, _ := mountpoint.Parse(`\\.\Data`, mountpoint.Global, 0)
	tg, err := prepareSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	f.letters[`Global\Data`] = testDevice
	runLife(t, f, tg, false)
	if len(f.calls) != 0 || f.letters[`Global\Data`] != testDevice {
		t.Fatalf("calls %v, names %v; want none, and the name kept", f.calls, f.letters)
	}
	f.letters[`Global\Data`] = `\Device\Other`
	if tg, err = prepareSpec(s); err != nil {
		t.Fatal(err)
	}
	if err := tg.setup(); err != nil {
		t.Fatal(err)
	}
	f.winfspMounts(tg.arg)
	if err := tg.ready(context.Background(), make(chan struct{})); err != nil {
		t.Fatal(err)
	}
	if want := `define Global\Data -> ` + testDevice; f.recorded() != want {
		t.Fatalf("calls %v, want %s", f.calls, want)
	}
	f.winfspUnmounts(tg.arg)
	if err := tg.cleanup(); err != nil {
		t.Fatal(err)
	}
}

// TestAnnounceAsync: without notify-async, ready returns only once the
// letter is announced; with it, ready does not wait for the
// announcement, which still happens.
func TestAnnounceAsync(t *testing.T) {
	for _, async := range []bool{false, true} {
		f := &fakeWin{used: map[byte]bool{}}
		f.install(t)
		f.hold = make(chan struct{})
		flags := mountpoint.Local
		if async {
			flags |= mountpoint.NotifyAsync
		}
		s, _ := mountpoint.Parse("X:", flags, 0)
		tg, err := prepareSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.setup(); err != nil {
			t.Fatal(err)
		}
		f.winfspMounts(tg.arg)
		readyDone := make(chan error, 1)
		go func() { readyDone <- tg.ready(context.Background(), make(chan struct{})) }()
		select {
		case err := <-readyDone:
			if !async {
				t.Fatalf("ready returned (%v) before the announcement was made", err)
			}
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(200 * time.Millisecond):
			if async {
				t.Fatal("ready with notify-async waited for the announcement")
			}
		}
		close(f.hold)
		if !async {
			if err := <-readyDone; err != nil {
				t.Fatal(err)
			}
		}
		if c := f.waitAnnounce(t); c != "announce X: arrival" {
			t.Fatalf("async %v: %s", async, c)
		}
		f.winfspUnmounts(tg.arg)
		if err := tg.cleanup(); err != nil {
			t.Fatal(err)
		}
		if c := f.waitAnnounce(t); c != "announce X: removal" {
			t.Fatalf("async %v: %s", async, c)
		}
	}
}
