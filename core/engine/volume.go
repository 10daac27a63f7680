package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// State is where a volume is in its lifecycle.
type State int

// Volume states.
const (
	StateCreated   State = iota // configured, no plugin running
	StateMounted                // plugin running, VFS ready, mounting points may be added
	StateUnmounted              // plugin stopped; may be mounted again or deleted
	StateDeleted
)

func (s State) String() string {
	return [...]string{"created", "mounted", "unmounted", "deleted"}[s]
}

// VolumeConfig is everything needed to serve one volume.
type VolumeConfig struct {
	// Name identifies the volume within the engine.
	Name string
	// Plugin says how to run the plugin.
	Plugin catalog.Source
	// Options are the plugin's options.
	Options map[string]string
	// Host tunes the plugin supervisor (timeouts, backoff, logging);
	// Name, Command and Options are filled from the fields above.
	Host host.Config
	// VFS tunes caching.
	VFS vfs.Options
	// Driver names the mount driver; "" picks the preferred available one.
	Driver string
	// Mount are the options for every mounting point.
	Mount core.MountOptions
}

// MountPointInfo describes one mounting point of a volume.
type MountPointInfo struct {
	// Point is where the volume is visible: the directory, or the drive
	// letter actually chosen for an automatic one.
	Point string
	// Spec is the mounting point as mounted: its kind, flags and logon
	// session (AuthID) as requested, with what the driver settled (the
	// letter of *, the scope of a default-scope point: see
	// mountpoint.ResolvedMount).
	Spec   mountpoint.Spec
	Driver string
	Since  time.Time
}

// Volume is one plugin-backed file system and its mounting points.
type Volume struct {
	cfg VolumeConfig

	mu     sync.Mutex
	state  State
	host   *host.Host
	fs     *vfs.VFS
	driver core.Driver
	points map[string]*point
	idle   chan struct{} // closed when the last mounting point goes away
}

type point struct {
	info MountPointInfo
	m    core.Mounted
}

// Name returns the volume's name.
func (v *Volume) Name() string { return v.cfg.Name }

// Config returns the volume's configuration.
func (v *Volume) Config() VolumeConfig { return v.cfg }

// State returns the volume's lifecycle state.
func (v *Volume) State() State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state
}

// PluginPID returns the process id of the volume's plugin, or 0.
func (v *Volume) PluginPID() int {
	v.mu.Lock()
	h := v.host
	v.mu.Unlock()
	if h == nil {
		return 0
	}
	return h.PID()
}

// PluginRestarts returns how many times the plugin was restarted since
// the media was mounted.
func (v *Volume) PluginRestarts() int {
	v.mu.Lock()
	h := v.host
	v.mu.Unlock()
	if h == nil {
		return 0
	}
	return h.Restarts()
}

// PluginInfo returns what the plugin announced at start, if running.
func (v *Volume) PluginInfo() (sdk.InitResult, bool) {
	v.mu.Lock()
	h := v.host
	v.mu.Unlock()
	if h == nil {
		return sdk.InitResult{}, false
	}
	return h.Info(), true
}

// VFS returns the volume's VFS while mounted.
func (v *Volume) VFS() *vfs.VFS {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fs
}

func (v *Volume) stateError(op string) error {
	return fmt.Errorf("%w: %s volume %q: it is %s", core.ErrVolumeState, op, v.cfg.Name, v.state)
}

// MountMedia starts the plugin and builds the VFS. It also resolves the
// driver, so a missing driver fails here, before any mounting point.
func (v *Volume) MountMedia(ctx context.Context) error {
	v.mu.Lock()
	if v.state != StateCreated && v.state != StateUnmounted {
		defer v.mu.Unlock()
		return v.stateError("mount media of")
	}
	v.mu.Unlock()

	d, err := core.LookupDriver(v.cfg.Driver)
	if err != nil {
		return err
	}
	if err := d.Available(); err != nil {
		return err
	}
	hc := v.cfg.Host
	hc.Name = v.cfg.Plugin.Name
	hc.Command = v.cfg.Plugin.Command
	hc.Options = v.cfg.Options
	if hc.DataPlane == core.DataPlaneAuto {
		hc.DataPlane = v.cfg.Mount.DataPlane
	}
	h, err := host.Start(ctx, hc)
	if err != nil {
		return err
	}
	feat := h.Features()
	vopts := v.cfg.VFS
	if v.cfg.Mount.ReadOnly {
		vopts.ReadOnly = true
	}
	if v.cfg.Mount.ReadAhead || (feat.ReadAhead && !v.cfg.Mount.NoReadAhead) {
		vopts.ReadAhead = true
	}
	fs := vfs.New(h.FileSystem(), feat, vopts)
	if a, at, ok := h.ParkedRoot(); ok {
		fs.SeedRoot(a, at)
	}
	// Changes the plugin reports, and its restarts, drop what the kernel
	// caches; the watch ends when the host is closed.
	go func() { _ = h.FileSystem().Watch(context.WithoutCancel(ctx), fs.Changed) }()

	v.mu.Lock()
	defer v.mu.Unlock()
	if v.state != StateCreated && v.state != StateUnmounted { // raced with another MountMedia
		_ = h.Close(context.WithoutCancel(ctx))
		return v.stateError("mount media of")
	}
	v.host, v.fs, v.driver = h, fs, d
	v.points = make(map[string]*point)
	v.idle = make(chan struct{})
	v.state = StateMounted
	return nil
}

// AddMountPoint makes the volume visible at pt, written as a user writes
// a mounting point (mountpoint.Parse: a directory, Z:, *, \\.\Name,
// Local;Server;Share, C:\Folder), with no flags.
func (v *Volume) AddMountPoint(ctx context.Context, pt string) (MountPointInfo, error) {
	s, err := mountpoint.Parse(pt, 0, 0)
	if err != nil {
		return MountPointInfo{}, err
	}
	return v.AddMountPointSpec(ctx, s)
}

// AddMountPointSpec makes the volume visible at the mounting point s
// through the volume's driver, after checking s's own rules and the
// volume's (mountpoint.CheckAdd: at most one mount-manager point, no
// point twice).
func (v *Volume) AddMountPointSpec(ctx context.Context, s mountpoint.Spec) (MountPointInfo, error) {
	s = s.Normalize()
	if err := s.Validate(); err != nil {
		return MountPointInfo{}, err
	}
	v.mu.Lock()
	if v.state != StateMounted {
		defer v.mu.Unlock()
		return MountPointInfo{}, v.stateError("add a mounting point to")
	}
	existing := make([]mountpoint.Spec, 0, len(v.points))
	for key, p := range v.points {
		existing = append(existing, p.info.Spec)
		if s.Kind == mountpoint.KindDirectory && key == s.Path {
			v.mu.Unlock()
			return MountPointInfo{}, fmt.Errorf("%w: volume %q is already mounted at %s", core.ErrMountPointBusy, v.cfg.Name, s.Path)
		}
	}
	if err := mountpoint.CheckAdd(existing, s); err != nil {
		v.mu.Unlock()
		return MountPointInfo{}, err
	}
	d, fs := v.driver, v.fs
	v.mu.Unlock()

	opts := v.cfg.Mount
	if opts.MaxIO == 0 {
		opts.MaxIO = v.host.Features().MaxIO
	}
	var m core.Mounted
	var err error
	switch sd, ok := d.(mountpoint.SpecDriver); {
	case ok:
		m, err = sd.MountSpec(ctx, fs, s, opts)
	case s.Kind == mountpoint.KindDirectory:
		m, err = d.Mount(ctx, fs, s.Path, opts)
	default:
		err = fmt.Errorf("%w: %s is a %s mounting point; the %s driver serves directories only (drive letters, UNC names, network points and folders are served by the cgofuse driver on Windows)", core.ErrMountPointInvalid, s, s.Kind, d.Name())
	}
	if err != nil {
		return MountPointInfo{}, err
	}
	if rm, ok := m.(mountpoint.ResolvedMount); ok { // record what the driver settled
		r := rm.Spec()
		if !s.Settles(r) {
			_ = m.Unmount(context.WithoutCancel(ctx), true)
			return MountPointInfo{}, fmt.Errorf("%w: the %s driver mounted %s as %s (flags %v, auth id %#x), which is not the point asked for (flags %v): a driver bug, report it", core.ErrMountPointInvalid, d.Name(), s, r, r.Flags, r.AuthID, s.Flags)
		}
		s = r
	} else if s.Kind == mountpoint.KindAutoDrive { // record the letter chosen
		if pt := m.Point(); len(pt) == 2 && pt[1] == ':' {
			s.Letter = pt[0]
		}
	}
	info := MountPointInfo{Point: m.Point(), Spec: s, Driver: d.Name(), Since: time.Now()}
	v.mu.Lock()
	if v.state != StateMounted { // unmounted meanwhile
		v.mu.Unlock()
		_ = m.Unmount(context.WithoutCancel(ctx), true)
		return MountPointInfo{}, v.stateError("add a mounting point to")
	}
	p := &point{info: info, m: m}
	v.points[info.Point] = p
	v.mu.Unlock()
	go v.watch(p)
	return info, nil
}

// watch forgets a mounting point that went away from outside (fusermount
// -u, umount), and signals idleness when it was the last.
func (v *Volume) watch(p *point) {
	<-p.m.Done()
	v.forget(p)
}

// forget drops a mounting point that is gone, once, and signals idleness
// when it was the last.
func (v *Volume) forget(p *point) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.points[p.info.Point] == p {
		delete(v.points, p.info.Point)
		if len(v.points) == 0 && v.idle != nil {
			close(v.idle)
			v.idle = nil
		}
	}
}

// Idle returns a channel closed once the volume has no mounting point
// left after having had one (they were all removed, from here or outside).
func (v *Volume) Idle() <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.idle == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return v.idle
}

// RemoveMountPoint unmounts pt. Without lazy, a busy mount point fails and
// stays; with lazy, it is detached now and freed when its users leave.
func (v *Volume) RemoveMountPoint(ctx context.Context, pt string, lazy bool) error {
	v.mu.Lock()
	p, ok := v.points[pt]
	v.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: volume %q has no mounting point %s", core.ErrNotMounted, v.cfg.Name, pt)
	}
	if err := p.m.Unmount(ctx, lazy); err != nil {
		return err
	}
	if !lazy {
		select {
		case <-p.m.Done():
			v.forget(p) // so that MountPoints no longer lists it on return
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// PointDone returns a channel closed when the mounting point pt goes
// away (removed here, unmounted from outside, or the volume unmounted),
// or nil when the volume has no such point.
func (v *Volume) PointDone(pt string) <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.points[pt]
	if !ok {
		return nil
	}
	return p.m.Done()
}

// MountPoints lists the volume's mounting points, sorted.
func (v *Volume) MountPoints() []MountPointInfo {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]MountPointInfo, 0, len(v.points))
	for _, p := range v.points {
		out = append(out, p.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Point < out[j].Point })
	return out
}

// Unmount removes every mounting point, closes the VFS and stops the
// plugin. Without lazy, a busy mounting point stops it with an error and
// everything stays as it was from that point on; with lazy, busy points
// are detached and the plugin serves them until their users leave (then
// the plugin is stopped).
func (v *Volume) Unmount(ctx context.Context, lazy bool) error {
	v.mu.Lock()
	if v.state != StateMounted {
		defer v.mu.Unlock()
		return v.stateError("unmount")
	}
	pts := make([]*point, 0, len(v.points))
	for _, p := range v.points {
		pts = append(pts, p)
	}
	v.mu.Unlock()
	for _, p := range pts {
		if err := p.m.Unmount(ctx, lazy); err != nil {
			return err
		}
	}
	for _, p := range pts { // a lazy detach ends when the last user leaves
		select {
		case <-p.m.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	v.mu.Lock()
	h, fs := v.host, v.fs
	v.host, v.fs, v.points = nil, nil, nil
	v.state = StateUnmounted
	if v.idle != nil {
		close(v.idle)
		v.idle = nil
	}
	v.mu.Unlock()
	return errors.Join(fs.Close(ctx), h.Close(ctx))
}
