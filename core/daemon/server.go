package daemon

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/mountpoint"
)

// Server serves the control API over a Supervisor. Who may call is the
// transport's business (the command checks peer credentials).
type Server struct {
	controlv1.UnimplementedControlServer
	sup    *Supervisor
	reload func(ctx context.Context) ([]StepResult, error)
	status func() *controlv1.StatusResponse
}

var _ controlv1.ControlServer = (*Server)(nil)

// NewServer returns a control server for sup. reload re-reads the
// configuration and applies it (the Supervisor does not know files);
// status describes the daemon (Volumes is filled in here).
func NewServer(sup *Supervisor, reload func(ctx context.Context) ([]StepResult, error), status func() *controlv1.StatusResponse) *Server {
	return &Server{sup: sup, reload: reload, status: status}
}

// Status describes the daemon.
func (s *Server) Status(context.Context, *controlv1.StatusRequest) (*controlv1.StatusResponse, error) {
	st := s.status()
	st.Volumes = int32(len(s.sup.List()))
	return st, nil
}

// List returns every volume.
func (s *Server) List(context.Context, *controlv1.ListRequest) (*controlv1.ListResponse, error) {
	var out controlv1.ListResponse
	for _, v := range s.sup.List() {
		out.Volumes = append(out.Volumes, volumeProto(v))
	}
	return &out, nil
}

// Mount brings up an ad-hoc volume.
func (s *Server) Mount(ctx context.Context, r *controlv1.MountRequest) (*controlv1.MountResponse, error) {
	spec, err := mountRequestSpec(r)
	if err != nil {
		return nil, StatusError(err)
	}
	if err := s.sup.Mount(ctx, spec); err != nil {
		return nil, StatusError(err)
	}
	for _, v := range s.sup.List() {
		if v.Spec.Name == spec.Name {
			return &controlv1.MountResponse{Volume: volumeProto(v)}, nil
		}
	}
	return nil, status.Errorf(codes.Aborted, "volume %s went away right after mounting", spec.Name)
}

// Unmount stops a volume.
func (s *Server) Unmount(ctx context.Context, r *controlv1.UnmountRequest) (*controlv1.UnmountResponse, error) {
	if err := s.sup.Unmount(ctx, r.GetName(), r.GetLazy()); err != nil {
		return nil, StatusError(err)
	}
	return &controlv1.UnmountResponse{}, nil
}

// AddMountPoint makes a running volume visible at one more point (see
// Supervisor.AddMountPoint for what reloads do with it).
func (s *Server) AddMountPoint(ctx context.Context, r *controlv1.AddMountPointRequest) (*controlv1.AddMountPointResponse, error) {
	flags, err := mountpoint.ParseFlags(r.GetFlags())
	if err != nil {
		return nil, StatusError(fmt.Errorf("%w: flags: %w", ErrInvalid, err))
	}
	info, err := s.sup.AddMountPointFlags(ctx, r.GetVolume(), r.GetPoint(), flags, r.GetAuthId())
	if err != nil {
		return nil, StatusError(err)
	}
	return &controlv1.AddMountPointResponse{Point: pointProto(info)}, nil
}

// RemoveMountPoint unmounts one point of a running volume, which keeps
// its other points.
func (s *Server) RemoveMountPoint(ctx context.Context, r *controlv1.RemoveMountPointRequest) (*controlv1.RemoveMountPointResponse, error) {
	if err := s.sup.RemoveMountPoint(ctx, r.GetVolume(), r.GetPoint(), r.GetLazy()); err != nil {
		return nil, StatusError(err)
	}
	return &controlv1.RemoveMountPointResponse{}, nil
}

// Reload re-reads the configuration and applies it. A configuration that
// does not validate fails with INVALID_ARGUMENT and changes nothing; steps
// that fail are reported in the response.
func (s *Server) Reload(ctx context.Context, _ *controlv1.ReloadRequest) (*controlv1.ReloadResponse, error) {
	res, err := s.reload(ctx)
	if err != nil && res == nil {
		return nil, StatusError(err)
	}
	var out controlv1.ReloadResponse
	for _, r := range res {
		st := &controlv1.ReloadStep{Volume: r.Name, Change: r.Change.String()}
		if r.Err != nil {
			st.Error = r.Err.Error()
		}
		out.Steps = append(out.Steps, st)
	}
	return &out, nil
}

func volumeProto(v VolumeStatus) *controlv1.Volume {
	out := &controlv1.Volume{Name: v.Spec.Name, Plugin: v.Spec.Plugin, State: v.State, PluginPid: int32(v.PluginPID),
		ReadOnly: v.Spec.Mount.ReadOnly, Origin: string(v.Origin), Driver: v.Driver, DeclaredPoints: v.Spec.MountPoints}
	if v.Err != nil {
		out.Error = v.Err.Error()
	}
	for _, p := range v.Points {
		out.Points = append(out.Points, pointProto(p))
	}
	return out
}

func pointProto(p engine.MountPointInfo) *controlv1.MountPoint {
	return &controlv1.MountPoint{Path: p.Point, Driver: p.Driver, Since: p.Since.UnixNano(),
		Kind: p.Spec.Kind.String(), Flags: p.Spec.Flags.String(), AuthId: p.Spec.AuthID}
}

// mountRequestSpec turns a Mount request into the spec of an ad-hoc
// volume, the way the configuration file's keys would declare it.
func mountRequestSpec(r *controlv1.MountRequest) (VolumeSpec, error) {
	flags, err := mountpoint.ParseFlags(r.GetPointFlags())
	if err != nil {
		return VolumeSpec{}, fmt.Errorf("%w: point_flags: %w", ErrInvalid, err)
	}
	m := MountSpec{
		ReadOnly:        r.GetReadOnly(),
		Driver:          r.GetDriver(),
		AttrTimeout:     time.Duration(r.GetAttrTimeout()),
		EntryTimeout:    time.Duration(r.GetEntryTimeout()),
		NegativeTimeout: time.Duration(r.GetNegativeTimeout()),
		StartTimeout:    time.Duration(r.GetStartTimeout()),
		OpTimeout:       time.Duration(r.GetOpTimeout()),
		DataPlane:       r.GetDataPlane(),
		NoPassthrough:   r.GetNoPassthrough(),
		NoReadDirPlus:   r.GetNoReaddirplus(),
		Writeback:       r.GetWriteback(),
		ReadAhead:       r.GetReadahead(),
		NoReadAhead:     r.GetNoReadahead(),
		Lazy:            r.GetLazy(),
		IdleTimeout:     time.Duration(r.GetIdleTimeout()),
		Debug:           r.GetDebug(),
		PointFlags:      flags,
		AuthID:          r.GetAuthId(),
	}
	if r.AllowOther != nil {
		ao := r.GetAllowOther()
		m.AllowOther = &ao
	}
	return VolumeSpec{Name: r.GetName(), Plugin: r.GetPlugin(), Options: r.GetOptions(),
		MountPoints: r.GetMountpoints(), Mount: m}, nil
}
