package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/mountdir"
)

// volumeBuilder turns the daemon's volume specs into engine configs the
// way `plugfs mount` does: plugins from the catalog, kernel permission
// checks always on, open to all users when run as root.
type volumeBuilder struct {
	a   *app
	log *slog.Logger
	met *metrics // nil without a metrics endpoint
}

var _ daemon.Builder = (*volumeBuilder)(nil)

// Build resolves the plugin and driver of s and fills in the mount options.
func (b *volumeBuilder) Build(_ context.Context, s daemon.VolumeSpec) (engine.VolumeConfig, error) {
	src, err := b.a.catalog.Resolve(s.Plugin)
	if err != nil {
		return engine.VolumeConfig{}, err
	}
	if _, err := core.LookupDriver(s.Mount.Driver); err != nil {
		return engine.VolumeConfig{}, err
	}
	mo := core.MountOptions{
		ReadOnly:           s.Mount.ReadOnly,
		AllowOther:         os.Geteuid() == 0,
		DefaultPermissions: true, // POSIX mode bits are enforced by the kernel
		FSName:             s.Name,
		Subtype:            "plugfs",
	}
	if s.Mount.AllowOther != nil {
		mo.AllowOther = *s.Mount.AllowOther
	}
	if s.Mount.DataPlane != "" {
		dp, err := core.ParseDataPlane(s.Mount.DataPlane)
		if err != nil {
			return engine.VolumeConfig{}, err
		}
		mo.DataPlane = dp
	}
	mo.NoPassthrough = s.Mount.NoPassthrough
	mo.NoReadDirPlus = s.Mount.NoReadDirPlus
	mo.ReadAhead, mo.NoReadAhead = s.Mount.ReadAhead, s.Mount.NoReadAhead
	if s.Mount.Writeback != "" {
		wb, err := core.ParseWriteback(s.Mount.Writeback)
		if err != nil {
			return engine.VolumeConfig{}, err
		}
		mo.Writeback = wb
	}
	if mo.FSName == "" {
		mo.FSName = filepath.Base(src.Path)
	}
	return engine.VolumeConfig{
		Name:    s.Name,
		Plugin:  src,
		Options: s.Options,
		Host: host.Config{
			StartTimeout: s.Mount.StartTimeout,
			OpTimeout:    s.Mount.OpTimeout,
			RestartWait:  s.Restart.Wait,
			BackoffMin:   s.Restart.BackoffMin,
			BackoffMax:   s.Restart.BackoffMax,
			Logger:       b.log.With("volume", s.Name),
			Observe:      b.observer(s),
			Lazy:         s.Mount.Lazy,
			IdleTimeout:  s.Mount.IdleTimeout,
		},
		VFS: vfs.Options{EntryTimeout: s.Mount.EntryTimeout, AttrTimeout: s.Mount.AttrTimeout, NegativeTimeout: s.Mount.NegativeTimeout,
			OnCache: b.met.cacheObserver(s.Name)},
		Driver: s.Mount.Driver,
		Mount:  mo,
	}, nil
}

// CheckPoint checks that p is an existing empty directory, not a mount,
// after detaching a stale plugfs mount there (daemon_dirty_linux.go).
func (b *volumeBuilder) CheckPoint(p string) (string, error) {
	clearStaleMount(p, b.log)
	return mountdir.Check(p)
}

// observer is the host's Observe function of volume s: metrics when the
// daemon serves them, and one log line per operation when s.Mount.Debug.
func (b *volumeBuilder) observer(s daemon.VolumeSpec) func(op string, took time.Duration, n int, err error) {
	obs := b.met.observer(s.Name)
	if s.Mount.Debug {
		obs = opLogger(b.log.With("volume", s.Name, "plugin", s.Plugin), obs)
	}
	return obs
}
