//go:build unix

package engine_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/internal/testplugin"
)

func init() { core.RegisterDriver(specDriver{}, 1001) }

// specDriver serves every kind, as cgofuse does on Windows; an automatic
// letter becomes the next one from X: down (Z: is named in the test).
type specDriver struct{ fakeDriver }

func (specDriver) Name() string { return "fake-spec" }

var autoLetters = map[string]byte{}

func (d specDriver) MountSpec(ctx context.Context, fs *vfs.VFS, s mountpoint.Spec, o core.MountOptions) (core.Mounted, error) {
	pt := s.String()
	if s.Kind == mountpoint.KindAutoDrive {
		pt = fmt.Sprintf("%c:", 'X'-len(autoLetters))
		autoLetters[pt] = 1
	}
	return d.Mount(ctx, fs, pt, o)
}

// TestMountingPointRules: the engine applies each spec's rules and the
// volume's before any driver is asked, reports what was chosen, and a
// directory-only driver refuses the other kinds with a reason.
func TestMountingPointRules(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	ctx := context.Background()
	cfg := config("spec")
	cfg.Driver = "fake-spec"
	v, err := engine.New().Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.MountMedia(ctx); err != nil {
		t.Fatal(err)
	}
	defer v.Unmount(ctx, true)
	add := func(text string, f mountpoint.Flags, auth uint64) (engine.MountPointInfo, error) {
		s, err := mountpoint.Parse(text, f, auth)
		if err != nil {
			return engine.MountPointInfo{}, err
		}
		return v.AddMountPointSpec(ctx, s)
	}
	for _, c := range []struct {
		text  string
		flags mountpoint.Flags
		auth  uint64
		want  error
		point string
	}{
		{text: "z:", point: "Z:"},
		{text: "*", point: "X:"},
		{text: "*", point: "W:"},
		{text: "X:", want: core.ErrMountPointInvalid}, // taken by the first automatic point
		{text: `\\.\Data`, flags: mountpoint.Local, auth: 0x3e7, point: `\\.\Data`},
		{text: `C:\Mounts\Data`, point: `C:\Mounts\Data`},
		{text: `D:\Mounts\Other`, want: core.ErrMountPointInvalid},                           // a second mount-manager point
		{text: `Y:;srv;share`, flags: mountpoint.ReadShare, want: core.ErrMountPointInvalid}, // a real share needs an empty server
		{text: `;;share`, flags: mountpoint.Local, want: core.ErrMountPointInvalid},          // shares are global
		{text: "/mnt/x", flags: mountpoint.Hidden, want: core.ErrMountPointInvalid},          // directories take no flags
	} {
		info, err := add(c.text, c.flags, c.auth)
		if c.want != nil {
			if !errors.Is(err, c.want) {
				t.Errorf("add %s (%v): %v, want %v", c.text, c.flags, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("add %s: %v", c.text, err)
			continue
		}
		if info.Point != c.point {
			t.Errorf("add %s: point %q, want %q", c.text, info.Point, c.point)
		}
		if c.auth != 0 && (info.Spec.AuthID != c.auth || info.Spec.Flags&mountpoint.Local == 0) {
			t.Errorf("add %s: spec %+v lost its logon session", c.text, info.Spec)
		}
	}
	kinds := map[mountpoint.Kind]int{}
	for _, p := range v.MountPoints() {
		kinds[p.Spec.Kind]++
	}
	if kinds[mountpoint.KindAutoDrive] != 2 || kinds[mountpoint.KindDrive] != 1 || kinds[mountpoint.KindUNC] != 1 || kinds[mountpoint.KindFolder] != 1 {
		t.Errorf("listed kinds %v", kinds)
	}
}

// TestDirectoryOnlyDriverRefusesOtherKinds: gofuse and bazil serve
// directories only; a drive letter given to them fails before mounting.
func TestDirectoryOnlyDriverRefusesOtherKinds(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	ctx := context.Background()
	v, err := engine.New().Create(config("dironly"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.MountMedia(ctx); err != nil {
		t.Fatal(err)
	}
	defer v.Unmount(ctx, true)
	for _, pt := range []string{"Z:", "*", `\\.\Name`, `Y:;srv;share`} {
		if _, err := v.AddMountPoint(ctx, pt); !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("add %s through a directory-only driver: %v, want ErrMountPointInvalid", pt, err)
		}
	}
	if _, err := v.AddMountPoint(ctx, "/x"); err != nil {
		t.Errorf("add a directory: %v", err)
	}
}
