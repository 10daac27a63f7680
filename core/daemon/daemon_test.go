package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

func TestMain(m *testing.M) {
	if os.Getenv(testplugin.ModeEnv) != "" {
		testplugin.Main()
		return
	}
	core.RegisterDriver(fakeDriver{}, 1000)
	os.Exit(m.Run())
}

// fakeDriver "mounts" without a kernel. A point whose name contains
// "busy" refuses a non-lazy unmount while busy is set.
type fakeDriver struct{}

var busy sync.Map // point -> true

func (fakeDriver) Name() string     { return "fake" }
func (fakeDriver) Available() error { return nil }
func (fakeDriver) Mount(_ context.Context, _ *vfs.VFS, point string, _ core.MountOptions) (core.Mounted, error) {
	if strings.Contains(point, "refused") {
		return nil, core.ErrMountPointNotEmpty
	}
	return &fakeMount{point: point, done: make(chan struct{})}, nil
}

type fakeMount struct {
	point string
	once  sync.Once
	done  chan struct{}
}

func (m *fakeMount) Point() string         { return m.point }
func (m *fakeMount) Done() <-chan struct{} { return m.done }
func (m *fakeMount) Err() error            { return nil }
func (m *fakeMount) Unmount(_ context.Context, lazy bool) error {
	if _, b := busy.Load(m.point); b && !lazy {
		return fmt.Errorf("unmount %s: %w", m.point, sdk.ErrBusy)
	}
	m.once.Do(func() { close(m.done) })
	return nil
}

// newSupervisor returns a supervisor whose plugins are this test binary
// serving the test plugin.
func newSupervisor(t *testing.T) *daemon.Supervisor {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	return daemon.NewSupervisor(builder{})
}

// builder runs the test plugin for every spec; plugin "missing" is unknown.
type builder struct{}

func (builder) Build(_ context.Context, s daemon.VolumeSpec) (engine.VolumeConfig, error) {
	if s.Plugin == "missing" {
		return engine.VolumeConfig{}, fmt.Errorf("%w %q", core.ErrPluginUnknown, s.Plugin)
	}
	self, _ := os.Executable()
	return engine.VolumeConfig{
		Name:    s.Name,
		Plugin:  catalog.Source{Name: s.Plugin, Path: self},
		Options: s.Options,
		Host:    host.Config{StartTimeout: 5 * time.Second},
		Driver:  "fake",
	}, nil
}

// CheckPoint accepts any path but an existing directory with entries
// (the points of these tests mostly do not exist: the driver is fake).
func (builder) CheckPoint(p string) (string, error) {
	if ents, err := os.ReadDir(p); err == nil && len(ents) > 0 {
		return "", fmt.Errorf("%w: %s", core.ErrMountPointNotEmpty, p)
	}
	return filepath.Clean(p), nil
}

func vol(name string, points ...string) daemon.VolumeSpec {
	return daemon.VolumeSpec{Name: name, Plugin: "test", MountPoints: points}
}

func state(t *testing.T, s *daemon.Supervisor) map[string]daemon.VolumeStatus {
	t.Helper()
	out := map[string]daemon.VolumeStatus{}
	for _, v := range s.List() {
		out[v.Spec.Name] = v
	}
	return out
}

func points(v daemon.VolumeStatus) string {
	var ps []string
	for _, p := range v.Points {
		ps = append(ps, p.Point)
	}
	return strings.Join(ps, ",")
}

func TestSupervisorReload(t *testing.T) {
	ctx := context.Background()
	s := newSupervisor(t)
	defer s.Shutdown(context.Background())
	if err := s.Start(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("keep", "/k"), vol("drop", "/d"), vol("change", "/c"), vol("move", "/m1")}}); err != nil {
		t.Fatal(err)
	}
	before := state(t, s)
	if len(before) != 4 {
		t.Fatalf("after start: %v", before)
	}
	for n, v := range before {
		if v.State != "mounted" || v.PluginPID == 0 {
			t.Errorf("%s: state %s pid %d", n, v.State, v.PluginPID)
		}
	}
	changed := vol("change", "/c")
	changed.Mount.ReadOnly = true
	next := daemon.Config{Volumes: []daemon.VolumeSpec{vol("keep", "/k"), changed, vol("move", "/m2", "/m3"), vol("new", "/n")}}
	res, err := s.Reload(ctx, next)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	got := map[string]daemon.Change{}
	for _, r := range res {
		got[r.Name] = r.Change
	}
	want := map[string]daemon.Change{"keep": daemon.Unchanged, "drop": daemon.Removed, "change": daemon.Remounted, "move": daemon.Repointed, "new": daemon.Added}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("steps %v, want %v", got, want)
	}
	after := state(t, s)
	if _, ok := after["drop"]; ok {
		t.Error("removed volume still listed")
	}
	if after["keep"].PluginPID != before["keep"].PluginPID || !after["keep"].Points[0].Since.Equal(before["keep"].Points[0].Since) {
		t.Error("unchanged volume was restarted or remounted")
	}
	if after["change"].PluginPID == before["change"].PluginPID {
		t.Error("changed volume kept its plugin process")
	}
	if after["move"].PluginPID != before["move"].PluginPID {
		t.Error("repointed volume restarted its plugin")
	}
	if p := points(after["move"]); p != "/m2,/m3" {
		t.Errorf("repointed volume at %s", p)
	}
	if after["new"].State != "mounted" || points(after["new"]) != "/n" {
		t.Errorf("added volume: %+v", after["new"])
	}
	// Reloading the same configuration changes nothing.
	res, err = s.Reload(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Change != daemon.Unchanged {
			t.Errorf("second reload: %s %s", r.Name, r.Change)
		}
	}
}

func TestSupervisorBusyAndFailed(t *testing.T) {
	ctx := context.Background()
	s := newSupervisor(t)
	defer s.Shutdown(context.Background())
	if err := s.Start(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("b", "/busy1"), vol("ok", "/ok")}}); err != nil {
		t.Fatal(err)
	}
	busy.Store("/busy1", true)
	defer busy.Delete("/busy1")
	bad := vol("bad", "/bad")
	bad.Plugin = "missing"
	_, err := s.Reload(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("ok", "/ok"), bad}})
	if !errors.Is(err, sdk.ErrBusy) || !errors.Is(err, core.ErrPluginUnknown) {
		t.Fatalf("reload error %v: want busy and unknown plugin", err)
	}
	st := state(t, s)
	if st["b"].State != "mounted" {
		t.Errorf("busy volume: %+v, want still mounted", st["b"])
	}
	if st["bad"].State != "failed" || st["bad"].Err == nil {
		t.Errorf("bad volume: %+v, want failed", st["bad"])
	}
	// Once free and fixed, the next reload applies both.
	busy.Delete("/busy1")
	bad.Plugin = "test"
	if _, err := s.Reload(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("ok", "/ok"), bad}}); err != nil {
		t.Fatal(err)
	}
	st = state(t, s)
	if _, ok := st["b"]; ok || st["bad"].State != "mounted" {
		t.Errorf("after second reload: %v", st)
	}
}

func TestSupervisorStartAllOrNothing(t *testing.T) {
	s := newSupervisor(t)
	err := s.Start(context.Background(), daemon.Config{Volumes: []daemon.VolumeSpec{vol("a", "/a"), vol("b", "/refused")}})
	if !errors.Is(err, core.ErrMountPointNotEmpty) || !strings.Contains(err.Error(), "volume b") {
		t.Fatalf("start: %v", err)
	}
	if l := s.List(); len(l) != 0 {
		t.Errorf("volumes left after failed start: %+v", l)
	}
}

func TestSupervisorAdHoc(t *testing.T) {
	ctx := context.Background()
	s := newSupervisor(t)
	defer s.Shutdown(context.Background())
	if err := s.Start(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("cfg", "/cfg")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Mount(ctx, vol("cfg", "/x")); !errors.Is(err, core.ErrVolumeState) {
		t.Errorf("ad-hoc with a configured name: %v", err)
	}
	if err := s.Mount(ctx, vol("adhoc", "/x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(ctx, daemon.Config{}); err != nil {
		t.Fatal(err)
	}
	st := state(t, s)
	if _, ok := st["cfg"]; ok {
		t.Error("reload to an empty config left the configured volume")
	}
	if st["adhoc"].Origin != daemon.AdHoc || st["adhoc"].State != "mounted" {
		t.Errorf("reload touched the ad-hoc volume: %+v", st["adhoc"])
	}
	if err := s.Unmount(ctx, "adhoc", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Unmount(ctx, "adhoc", false); !errors.Is(err, core.ErrNotMounted) {
		t.Errorf("second unmount: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil || len(s.List()) != 0 {
		t.Errorf("shutdown: %v, left %v", err, s.List())
	}
}
