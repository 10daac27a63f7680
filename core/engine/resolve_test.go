//go:build unix

package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/internal/testplugin"
)

func init() { core.RegisterDriver(resolvingDriver{}, 1002) }

// resolvingDriver settles what a spec leaves open, as cgofuse does on
// Windows for a process that is not elevated: the default scope becomes
// local, an automatic letter becomes V:. For Q: it misreports a point
// asked local as global, which the engine must refuse.
type resolvingDriver struct{ fakeDriver }

func (resolvingDriver) Name() string { return "fake-resolve" }

// resolvedMount is a fake mount that reports the spec it mounted.
type resolvedMount struct {
	core.Mounted
	spec mountpoint.Spec
}

func (m resolvedMount) Spec() mountpoint.Spec { return m.spec }

var _ mountpoint.ResolvedMount = resolvedMount{}

// misreported is the mount of the misreported Q:, to check the engine
// took it down.
var misreported core.Mounted

func (d resolvingDriver) MountSpec(ctx context.Context, fs *vfs.VFS, s mountpoint.Spec, o core.MountOptions) (core.Mounted, error) {
	r := s.ResolveScope(false)
	if r.Kind == mountpoint.KindAutoDrive {
		r.Letter = 'V'
	}
	if r.Letter == 'Q' {
		r.Flags = r.Flags&^mountpoint.Local | mountpoint.Global
	}
	pt := r.String()
	m, err := d.Mount(ctx, fs, pt, o)
	if err != nil {
		return nil, err
	}
	if r.Letter == 'Q' {
		misreported = m
	}
	return resolvedMount{Mounted: m, spec: r}, nil
}

// TestResolvedSpecListed: the engine records the spec the driver
// mounted, so a listing shows the scope actually used (and the letter of
// *), keeps a scope the user named, and refuses a driver that changed
// more than what was left open.
func TestResolvedSpecListed(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	ctx := context.Background()
	cfg := config("resolve")
	cfg.Driver = "fake-resolve"
	v, err := engine.New().Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.MountMedia(ctx); err != nil {
		t.Fatal(err)
	}
	defer v.Unmount(ctx, true)
	for _, c := range []struct {
		text  string
		flags mountpoint.Flags
		point string
		want  string // the listed flags
	}{
		{text: "Z:", point: "Z:", want: "local"},
		{text: "Y:", flags: mountpoint.Global, point: "Y:", want: "global"},
		{text: "*", flags: mountpoint.NotifyAsync, point: "V:", want: "local,notify-async"},
		{text: "M:", flags: mountpoint.MountManager, point: "M:", want: "global,mount-manager"},
	} {
		s, err := mountpoint.Parse(c.text, c.flags, 0)
		if err != nil {
			t.Fatal(err)
		}
		info, err := v.AddMountPointSpec(ctx, s)
		if err != nil {
			t.Fatalf("add %s %v: %v", c.text, c.flags, err)
		}
		if info.Point != c.point || info.Spec.Flags.String() != c.want {
			t.Errorf("add %s %v: point %q flags %q, want %q %q", c.text, c.flags, info.Point, info.Spec.Flags, c.point, c.want)
		}
	}
	listed := map[string]string{}
	for _, p := range v.MountPoints() {
		listed[p.Point] = fmt.Sprintf("%v %v", p.Spec.Flags, p.Spec.Scope())
	}
	want := map[string]string{"Z:": "local local", "Y:": "global global", "V:": "local,notify-async local", "M:": "global,mount-manager global"}
	if fmt.Sprint(listed) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", listed, want)
	}

	s, err := mountpoint.Parse("Q:", mountpoint.Local, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.AddMountPointSpec(ctx, s)
	if !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "driver bug") || misreported == nil {
		t.Fatalf("a driver that turned local into global: %v", err)
	}
	select {
	case <-misreported.Done():
	default:
		t.Error("the misreported mount was left mounted")
	}
	for _, p := range v.MountPoints() {
		if p.Point == "Q:" {
			t.Errorf("the misreported point is listed: %+v", p)
		}
	}
}
