//go:build linux

package main

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/vfs"
)

// refusingDriver "mounts" without a kernel and refuses points containing
// "refused"; it remembers what is mounted. It is registered under its own
// name with the worst rank, so nothing picks it by default.
type refusingDriver struct {
	mu      sync.Mutex
	mounted map[string]bool
}

func (*refusingDriver) Name() string     { return "test-refusing" }
func (*refusingDriver) Available() error { return nil }
func (d *refusingDriver) Mount(_ context.Context, _ *vfs.VFS, point string, _ core.MountOptions) (core.Mounted, error) {
	if strings.Contains(point, "refused") {
		return nil, core.ErrMountPointNotEmpty
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mounted[point] = true
	return &refusingMount{d: d, point: point, done: make(chan struct{})}, nil
}

func (d *refusingDriver) points() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.mounted)
}

type refusingMount struct {
	d     *refusingDriver
	point string
	once  sync.Once
	done  chan struct{}
}

func (m *refusingMount) Point() string         { return m.point }
func (m *refusingMount) Done() <-chan struct{} { return m.done }
func (m *refusingMount) Err() error            { return nil }
func (m *refusingMount) Unmount(context.Context, bool) error {
	m.once.Do(func() {
		m.d.mu.Lock()
		delete(m.d.mounted, m.point)
		m.d.mu.Unlock()
		close(m.done)
	})
	return nil
}

// TestMountPointsAllOrNothing checks the standalone mount of several
// points: when one fails, the points already mounted are removed, the
// plugin stops, and the error names the failing point.
func TestMountPointsAllOrNothing(t *testing.T) {
	d := &refusingDriver{mounted: map[string]bool{}}
	core.RegisterDriver(d, 1<<30)
	ctx := context.Background()
	vol, err := engine.New().Create(engine.VolumeConfig{
		Name:   "v",
		Plugin: catalog.Source{Name: "test", Path: testPluginBin},
		Host:   host.Config{StartTimeout: 10 * time.Second},
		Driver: d.Name(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := vol.MountMedia(ctx); err != nil {
		t.Fatal(err)
	}
	pid := vol.PluginPID()
	if pid <= 0 {
		t.Fatalf("plugin pid %d", pid)
	}
	_, err = mountPoints(ctx, vol, dirSpecs("/a", "/b", "/refused", "/c"), discardLogger())
	if !errors.Is(err, core.ErrMountPointNotEmpty) || !strings.Contains(err.Error(), "/refused") {
		t.Errorf("error %v: want not empty, naming /refused", err)
	}
	if n := d.points(); n != 0 {
		t.Errorf("%d points left mounted", n)
	}
	if vol.State() != engine.StateUnmounted {
		t.Errorf("volume %s, want unmounted", vol.State())
	}
	waitGone(t, pid, 10*time.Second)
}

// dirSpecs returns directory mounting points.
func dirSpecs(paths ...string) []mountpoint.Spec {
	out := make([]mountpoint.Spec, len(paths))
	for i, p := range paths {
		out[i] = mountpoint.Spec{Kind: mountpoint.KindDirectory, Path: p}
	}
	return out
}
