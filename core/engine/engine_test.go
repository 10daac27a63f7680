//go:build unix

package engine_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/internal/testplugin"
)

// The test binary doubles as the plugin.
func TestMain(m *testing.M) {
	if os.Getenv(testplugin.ModeEnv) != "" {
		testplugin.Main()
		return
	}
	core.RegisterDriver(fakeDriver{}, 1000)
	os.Exit(m.Run())
}

// fakeDriver "mounts" without a kernel: the lifecycle is what is tested.
type fakeDriver struct{}

func (fakeDriver) Name() string     { return "fake" }
func (fakeDriver) Available() error { return nil }
func (fakeDriver) Mount(ctx context.Context, fs *vfs.VFS, point string, o core.MountOptions) (core.Mounted, error) {
	if point == "/refused" {
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
func (m *fakeMount) Unmount(ctx context.Context, lazy bool) error {
	m.once.Do(func() { close(m.done) })
	return nil
}

func config(name string) engine.VolumeConfig {
	self, _ := os.Executable()
	return engine.VolumeConfig{
		Name:   name,
		Plugin: catalog.Source{Name: "testplugin", Path: self},
		Driver: "fake",
	}
}

func TestLifecycle(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	ctx := context.Background()
	e := engine.New()
	v, err := e.Create(config("vol"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Create(config("vol")); !errors.Is(err, core.ErrVolumeState) {
		t.Errorf("second volume with the same name: %v", err)
	}
	if _, err := v.AddMountPoint(ctx, "/a"); !errors.Is(err, core.ErrVolumeState) {
		t.Errorf("mounting point before media: %v", err)
	}
	if err := v.MountMedia(ctx); err != nil {
		t.Fatal(err)
	}
	if v.PluginPID() == 0 || v.State() != engine.StateMounted {
		t.Fatalf("after MountMedia: pid %d state %v", v.PluginPID(), v.State())
	}
	if err := v.MountMedia(ctx); !errors.Is(err, core.ErrVolumeState) {
		t.Errorf("MountMedia twice: %v", err)
	}
	for _, p := range []string{"/a", "/b"} {
		if _, err := v.AddMountPoint(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.AddMountPoint(ctx, "/a"); !errors.Is(err, core.ErrMountPointBusy) {
		t.Errorf("the same point twice: %v", err)
	}
	if _, err := v.AddMountPoint(ctx, "/refused"); !errors.Is(err, core.ErrMountPointNotEmpty) {
		t.Errorf("driver refusal: %v", err)
	}
	if pts := v.MountPoints(); len(pts) != 2 || pts[0].Point != "/a" || pts[1].Driver != "fake" {
		t.Errorf("points: %+v", pts)
	}
	if err := v.RemoveMountPoint(ctx, "/a", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(v.MountPoints()) == 1 })
	if err := e.Delete("vol"); !errors.Is(err, core.ErrVolumeState) {
		t.Errorf("delete while mounted: %v", err)
	}
	pid := v.PluginPID()
	if err := v.Unmount(ctx, false); err != nil {
		t.Fatal(err)
	}
	if v.State() != engine.StateUnmounted || len(v.MountPoints()) != 0 {
		t.Errorf("after unmount: %v %v", v.State(), v.MountPoints())
	}
	waitFor(t, func() bool { return syscall.Kill(pid, 0) != nil })
	// mount again, then delete
	if err := v.MountMedia(ctx); err != nil {
		t.Fatalf("remount: %v", err)
	}
	if err := v.Unmount(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("vol"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Volume("vol"); ok {
		t.Error("deleted volume still listed")
	}
}

func TestFailedMediaLeavesNothing(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeExit)
	e := engine.New()
	v, _ := e.Create(config("bad"))
	err := v.MountMedia(context.Background())
	if !errors.Is(err, core.ErrPluginStart) {
		t.Fatalf("MountMedia of a plugin that exits: %v", err)
	}
	if v.State() != engine.StateCreated || v.PluginPID() != 0 {
		t.Errorf("after a failed start: %v pid %d", v.State(), v.PluginPID())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReadAheadFollowsThePlugin: the VFS reads ahead when the plugin
// declares slow reads, unless the mount says readahead=off, and whenever
// the mount says readahead=on.
func TestReadAheadFollowsThePlugin(t *testing.T) {
	t.Setenv(testplugin.ModeEnv, testplugin.ModeServe)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		slow    bool
		on, off bool
		want    bool
	}{
		{"fast plugin", false, false, false, false},
		{"slow plugin", true, false, false, true},
		{"slow plugin, readahead=off", true, false, true, false},
		{"fast plugin, readahead=on", false, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config("ra")
			if tc.slow {
				cfg.Options = map[string]string{"slow_reads": "true"}
			}
			cfg.Mount.ReadAhead, cfg.Mount.NoReadAhead = tc.on, tc.off
			v, err := engine.New().Create(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.MountMedia(ctx); err != nil {
				t.Fatal(err)
			}
			defer v.Unmount(ctx, false)
			if got := v.VFS().ReadsAhead(); got != tc.want {
				t.Errorf("VFS reads ahead: %v, want %v", got, tc.want)
			}
		})
	}
}
