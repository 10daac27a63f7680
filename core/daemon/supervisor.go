package daemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/mountpoint"
)

// Builder turns a spec into what the engine needs. The command implements
// it: resolving the plugin, checking mounting points and choosing defaults
// are OS matters this package leaves out.
type Builder interface {
	// Build returns the engine configuration of spec. Its errors wrap the
	// core sentinels (core.ErrPluginUnknown, ...).
	Build(ctx context.Context, spec VolumeSpec) (engine.VolumeConfig, error)
	// CheckPoint checks that p can become a mounting point and returns it
	// cleaned as the driver will report it. Its errors wrap the core
	// sentinels (core.ErrMountPointMissing, ...).
	CheckPoint(p string) (string, error)
}

// Origin says where a volume comes from.
type Origin string

// Volume origins.
const (
	FromConfig Origin = "config" // declared in the configuration
	AdHoc      Origin = "ad-hoc" // mounted through the control API
)

// VolumeStatus describes one volume the supervisor knows of.
type VolumeStatus struct {
	Spec      VolumeSpec
	Origin    Origin
	State     string // engine state ("mounted", ...) or "failed"
	PluginPID int
	Restarts  int // plugin restarts since the volume was mounted
	Driver    string
	Points    []engine.MountPointInfo
	Err       error // why the volume is not up, for State "failed"
}

// StepResult is the outcome of one reload step.
type StepResult struct {
	Step
	Err error
}

// Supervisor keeps the volumes of a Config mounted, plus ad-hoc ones.
// Its methods are safe for concurrent use; they run one at a time.
type Supervisor struct {
	eng *engine.Engine
	b   Builder

	mu     sync.Mutex
	cfg    Config                // configured volumes that are up, as specified
	adhoc  map[string]VolumeSpec // ad-hoc volumes that are up
	failed map[string]failure    // configured volumes that are not up
}

type failure struct {
	spec VolumeSpec
	err  error
}

// NewSupervisor returns a supervisor with no volumes, building them
// through b.
func NewSupervisor(b Builder) *Supervisor {
	return &Supervisor{eng: engine.New(), b: b, adhoc: map[string]VolumeSpec{}, failed: map[string]failure{}}
}

// Engine returns the engine holding the volumes.
func (s *Supervisor) Engine() *engine.Engine { return s.eng }

// Start validates cfg and brings every volume up. If one fails, those
// already up are taken down again and the error names the volume: a
// daemon starts with all its volumes or not at all.
func (s *Supervisor) Start(ctx context.Context, cfg Config) error {
	if err := Validate(cfg); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range cfg.Volumes {
		if err := s.up(ctx, v); err != nil {
			for _, u := range s.cfg.Volumes {
				_ = s.down(context.WithoutCancel(ctx), u.Name, true)
			}
			s.cfg = Config{}
			return fmt.Errorf("volume %s: %w", v.Name, err)
		}
		s.cfg.Volumes = append(s.cfg.Volumes, v)
	}
	return nil
}

// Reload validates cfg and applies its difference from the running
// configuration (see Diff). A step that fails leaves its volume as it was
// when possible (a busy volume keeps running) and does not stop the other
// steps; a volume that could not be brought up is listed as failed and
// retried by the next reload. The error joins the failed steps'.
func (s *Supervisor) Reload(ctx context.Context, cfg Config) ([]StepResult, error) {
	if err := Validate(cfg); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var res []StepResult
	var errs []error
	up := map[string]VolumeSpec{}
	for _, v := range s.cfg.Volumes {
		up[v.Name] = v
	}
	s.failed = map[string]failure{}
	for _, st := range Diff(s.cfg, cfg) {
		err := s.apply(ctx, st, up)
		res = append(res, StepResult{st, err})
		if err != nil {
			errs = append(errs, fmt.Errorf("volume %s (%s): %w", st.Name, st.Change, err))
		}
	}
	// The running configuration is cfg's order, restricted to what is up.
	var next Config
	for _, v := range cfg.Volumes {
		if u, ok := up[v.Name]; ok {
			next.Volumes = append(next.Volumes, u)
		}
	}
	for _, v := range s.cfg.Volumes { // removals that failed stay
		if _, declared := cfg.Volume(v.Name); !declared {
			if u, ok := up[v.Name]; ok {
				next.Volumes = append(next.Volumes, u)
			}
		}
	}
	s.cfg = next
	return res, errors.Join(errs...)
}

// apply performs one step, keeping up (name -> running spec) current.
func (s *Supervisor) apply(ctx context.Context, st Step, up map[string]VolumeSpec) error {
	switch st.Change {
	case Unchanged:
		return nil
	case Removed:
		if err := s.down(ctx, st.Name, false); err != nil {
			return err
		}
		delete(up, st.Name)
	case Remounted:
		if err := s.down(ctx, st.Name, false); err != nil {
			return err
		}
		delete(up, st.Name)
		if err := s.up(ctx, st.New); err != nil {
			s.failed[st.Name] = failure{st.New, err}
			return err
		}
		up[st.Name] = st.New
	case Repointed:
		err := s.repoint(ctx, st.Old, st.New)
		if err == nil {
			up[st.Name] = st.New
			return nil
		}
		// Partly applied: the next reload compares against what is there.
		if v, ok := s.eng.Volume(st.Name); ok {
			cur := st.New
			cur.MountPoints = nil
			for _, p := range v.MountPoints() {
				cur.MountPoints = append(cur.MountPoints, p.Point)
			}
			up[st.Name] = cur
		}
		return err
	case Added:
		if _, ok := s.adhoc[st.Name]; ok {
			err := fmt.Errorf("%w: an ad-hoc volume is called %s: unmount it first", core.ErrVolumeState, st.Name)
			s.failed[st.Name] = failure{st.New, err}
			return err
		}
		if err := s.up(ctx, st.New); err != nil {
			s.failed[st.Name] = failure{st.New, err}
			return err
		}
		up[st.Name] = st.New
	}
	return nil
}

// repoint removes the mounting points of old missing from new, then adds
// new's missing from old.
func (s *Supervisor) repoint(ctx context.Context, old, new VolumeSpec) error {
	v, ok := s.eng.Volume(old.Name)
	if !ok {
		return fmt.Errorf("%w: volume %s is not running", core.ErrVolumeState, old.Name)
	}
	have := map[string]bool{}
	for _, p := range v.MountPoints() {
		have[p.Point] = true
	}
	want := map[string]bool{}
	for _, p := range new.MountPoints {
		want[filepath.Clean(p)] = true
	}
	var errs []error
	for p := range have {
		if !want[p] {
			if err := v.RemoveMountPoint(ctx, p, false); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", p, err))
			}
		}
	}
	for _, p := range new.MountPoints {
		if have[filepath.Clean(p)] {
			continue
		}
		cp, err := s.b.CheckPoint(p)
		if err == nil {
			_, err = v.AddMountPoint(ctx, cp)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("add %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// up creates, starts and mounts one volume; on failure nothing is left.
func (s *Supervisor) up(ctx context.Context, spec VolumeSpec) error {
	vc, err := s.b.Build(ctx, spec)
	if err != nil {
		return err
	}
	points := make([]mountpoint.Spec, len(spec.MountPoints))
	for i, p := range spec.MountPoints {
		if points[i], err = s.checkPoint(p, spec.Mount.PointFlags, spec.Mount.AuthID); err != nil {
			return err
		}
	}
	vol, err := s.eng.Create(vc)
	if err != nil {
		return err
	}
	if err := vol.MountMedia(ctx); err != nil {
		_ = s.eng.Delete(spec.Name)
		return err
	}
	for _, p := range points {
		if _, err := vol.AddMountPointSpec(ctx, p); err != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = vol.Unmount(cctx, true)
			cancel()
			_ = s.eng.Delete(spec.Name)
			return fmt.Errorf("mount at %s: %w", p, err)
		}
	}
	return nil
}

// down unmounts and forgets one volume. Without lazy, a busy volume fails
// with an error wrapping sdk.ErrBusy and stays.
func (s *Supervisor) down(ctx context.Context, name string, lazy bool) error {
	v, ok := s.eng.Volume(name)
	if !ok {
		return nil
	}
	if v.State() == engine.StateMounted {
		if err := v.Unmount(ctx, lazy); err != nil {
			return err
		}
	}
	return s.eng.Delete(name)
}

// Mount brings up an ad-hoc volume, one not in the configuration: it is
// left alone by reloads and stopped by Unmount or Shutdown.
func (s *Supervisor) Mount(ctx context.Context, spec VolumeSpec) error {
	if errs := ValidateVolume("volume", spec); len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.eng.Volume(spec.Name); ok {
		return fmt.Errorf("%w: a volume named %s is running", core.ErrVolumeState, spec.Name)
	}
	if _, ok := s.cfg.Volume(spec.Name); ok {
		return fmt.Errorf("%w: volume %s is declared in the configuration", core.ErrVolumeState, spec.Name)
	}
	if err := s.up(ctx, spec); err != nil {
		return err
	}
	s.adhoc[spec.Name] = spec
	return nil
}

// Unmount stops the volume called name, ad-hoc or configured (a
// configured one comes back at the next reload). Without lazy a busy
// volume fails and stays.
func (s *Supervisor) Unmount(ctx context.Context, name string, lazy bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.eng.Volume(name); !ok {
		return fmt.Errorf("%w: no volume named %s is running", core.ErrNotMounted, name)
	}
	if err := s.down(ctx, name, lazy); err != nil {
		return err
	}
	delete(s.adhoc, name)
	if i := slices.IndexFunc(s.cfg.Volumes, func(v VolumeSpec) bool { return v.Name == name }); i >= 0 {
		s.cfg.Volumes = slices.Delete(s.cfg.Volumes, i, i+1)
	}
	return nil
}

// AddMountPoint makes the running volume called name visible at point
// too, served by the same plugin process and VFS. point must be absolute
// (core.ErrMountPointInvalid) and pass the Builder's CheckPoint; a point
// the volume or another one already has fails with core.ErrMountPointBusy,
// an unknown volume with core.ErrNotMounted.
//
// The point is not added to the volume's spec: reloads compare the
// configuration with the running specs, so a reload that leaves a
// configured volume unchanged keeps the point, and one that changes the
// volume applies the configuration as written (a repoint removes the
// point, a remount starts over at the declared points).
func (s *Supervisor) AddMountPoint(ctx context.Context, name, point string) (engine.MountPointInfo, error) {
	return s.AddMountPointFlags(ctx, name, point, 0, 0)
}

// AddMountPointFlags is AddMountPoint with the point's flags and logon
// session (mountpoint.Parse; Windows kinds only where a driver serves
// them).
func (s *Supervisor) AddMountPointFlags(ctx context.Context, name, point string, flags mountpoint.Flags, authID uint64) (engine.MountPointInfo, error) {
	sp, err := s.parseMountPoint(point, flags, authID)
	if err != nil {
		return engine.MountPointInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.eng.Volume(name)
	if !ok || v.State() != engine.StateMounted {
		return engine.MountPointInfo{}, fmt.Errorf("%w: no volume named %s is running", core.ErrNotMounted, name)
	}
	clean := filepath.Clean(point)
	for _, o := range s.eng.Volumes() {
		for _, p := range o.MountPoints() {
			if p.Point == clean {
				return engine.MountPointInfo{}, fmt.Errorf("%w: %s is already a mounting point of volume %s", core.ErrMountPointBusy, clean, o.Name())
			}
		}
	}
	if sp, err = s.checkDir(point, sp); err != nil {
		return engine.MountPointInfo{}, err
	}
	info, err := v.AddMountPointSpec(ctx, sp)
	if err != nil {
		return engine.MountPointInfo{}, fmt.Errorf("mount volume %s at %s: %w", name, sp, err)
	}
	return info, nil
}

// checkPoint parses point with its flags (parsePoint) and, for a
// directory, has the Builder check it (checkDir).
func (s *Supervisor) checkPoint(point string, flags mountpoint.Flags, authID uint64) (mountpoint.Spec, error) {
	sp, err := s.parseMountPoint(point, flags, authID)
	if err != nil {
		return mountpoint.Spec{}, err
	}
	return s.checkDir(point, sp)
}

// parseMountPoint is parsePoint with the point named in the error.
func (s *Supervisor) parseMountPoint(point string, flags mountpoint.Flags, authID uint64) (mountpoint.Spec, error) {
	sp, err := parsePoint(point, flags, authID)
	if err != nil {
		return mountpoint.Spec{}, fmt.Errorf("mounting point %s: %w", point, err)
	}
	return sp, nil
}

// checkDir has the Builder check a directory point (existing, empty, not
// a mount) and clean it; other kinds are the driver's to check.
func (s *Supervisor) checkDir(point string, sp mountpoint.Spec) (mountpoint.Spec, error) {
	if sp.Kind != mountpoint.KindDirectory {
		return sp, nil
	}
	var err error
	if sp.Path, err = s.b.CheckPoint(point); err != nil {
		return mountpoint.Spec{}, fmt.Errorf("mounting point %s: %w", point, err)
	}
	return sp, nil
}

// RemoveMountPoint unmounts one mounting point of the running volume
// called name; the volume keeps serving its other points. An unknown
// volume or point fails with core.ErrNotMounted; the volume's last point
// with core.ErrVolumeState (Unmount stops a volume); a busy point, without
// lazy, with an error wrapping sdk.ErrBusy, and it stays. A declared point
// removed here comes back when a reload changes the volume.
func (s *Supervisor) RemoveMountPoint(ctx context.Context, name, point string, lazy bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.eng.Volume(name)
	if !ok || v.State() != engine.StateMounted {
		return fmt.Errorf("%w: no volume named %s is running", core.ErrNotMounted, name)
	}
	clean := point
	if point != "" {
		clean = filepath.Clean(point)
	}
	pts := v.MountPoints()
	if !slices.ContainsFunc(pts, func(p engine.MountPointInfo) bool { return p.Point == clean }) {
		return fmt.Errorf("%w: volume %s is not mounted at %s", core.ErrNotMounted, name, point)
	}
	if len(pts) == 1 {
		return fmt.Errorf("%w: %s is the last mounting point of volume %s: unmount the volume instead", core.ErrVolumeState, clean, name)
	}
	if err := v.RemoveMountPoint(ctx, clean, lazy); err != nil {
		return fmt.Errorf("unmount volume %s at %s: %w", name, clean, err)
	}
	return nil
}

// List returns every volume: configured, ad-hoc and failed, by name.
func (s *Supervisor) List() []VolumeStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []VolumeStatus
	for _, v := range s.eng.Volumes() {
		st := VolumeStatus{State: v.State().String(), PluginPID: v.PluginPID(), Restarts: v.PluginRestarts(), Points: v.MountPoints()}
		if spec, ok := s.adhoc[v.Name()]; ok {
			st.Spec, st.Origin = spec, AdHoc
		} else {
			st.Spec, _ = s.cfg.Volume(v.Name())
			st.Origin = FromConfig
		}
		st.Driver = v.Config().Driver
		if len(st.Points) > 0 {
			st.Driver = st.Points[0].Driver
		}
		out = append(out, st)
	}
	for name, f := range s.failed {
		if _, ok := s.eng.Volume(name); ok {
			continue
		}
		out = append(out, VolumeStatus{Spec: f.spec, Origin: FromConfig, State: "failed", Err: f.err})
	}
	slices.SortFunc(out, func(a, b VolumeStatus) int {
		switch {
		case a.Spec.Name < b.Spec.Name:
			return -1
		case a.Spec.Name > b.Spec.Name:
			return 1
		}
		return 0
	})
	return out
}

// Shutdown unmounts every volume: first those that are not busy, then
// the busy ones are detached lazily, all at once, and served until their
// users leave or ctx ends. The error joins the volumes that did not stop
// cleanly.
func (s *Supervisor) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var busy []*engine.Volume
	for _, v := range s.eng.Volumes() {
		if v.State() == engine.StateMounted && v.Unmount(ctx, false) != nil {
			busy = append(busy, v)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(busy))
	for i, v := range busy {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := v.Unmount(ctx, true); err != nil {
				errs[i] = fmt.Errorf("volume %s: %w", v.Name(), err)
			}
		}()
	}
	wg.Wait()
	for _, v := range s.eng.Volumes() {
		if v.State() != engine.StateMounted {
			_ = s.eng.Delete(v.Name())
		}
	}
	s.cfg, s.adhoc, s.failed = Config{}, map[string]VolumeSpec{}, map[string]failure{}
	return errors.Join(errs...)
}
