package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/sdk"
)

// serve runs the control API over sup in process and returns a client.
func serve(t *testing.T, sup *daemon.Supervisor, reload func(context.Context) ([]daemon.StepResult, error)) controlv1.ControlClient {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	controlv1.RegisterControlServer(srv, daemon.NewServer(sup, reload, func() *controlv1.StatusResponse {
		return &controlv1.StatusResponse{Pid: 42, ConfigPath: "/etc/x.yaml"}
	}))
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return controlv1.NewControlClient(conn)
}

func TestServer(t *testing.T) {
	ctx := context.Background()
	sup := newSupervisor(t)
	defer sup.Shutdown(context.Background())
	if err := sup.Start(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("cfg", "/cfg")}}); err != nil {
		t.Fatal(err)
	}
	reloadErr := error(nil)
	c := serve(t, sup, func(context.Context) ([]daemon.StepResult, error) {
		if reloadErr != nil {
			return nil, reloadErr
		}
		return []daemon.StepResult{
			{Step: daemon.Step{Name: "a", Change: daemon.Added}},
			{Step: daemon.Step{Name: "b", Change: daemon.Removed}, Err: fmt.Errorf("unmount: %w", sdk.ErrBusy)},
		}, errors.New("partly")
	})
	st, err := c.Status(ctx, &controlv1.StatusRequest{})
	if err != nil || st.GetPid() != 42 || st.GetVolumes() != 1 {
		t.Errorf("status %v, %v", st, err)
	}
	m, err := c.Mount(ctx, &controlv1.MountRequest{Name: "adhoc", Plugin: "test", Mountpoints: []string{"/x"}, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := m.GetVolume(); v.GetState() != "mounted" || v.GetOrigin() != "ad-hoc" || !v.GetReadOnly() || v.GetPluginPid() == 0 || len(v.GetPoints()) != 1 || v.GetPoints()[0].GetPath() != "/x" {
		t.Errorf("mounted volume %v", v)
	}
	l, err := c.List(ctx, &controlv1.ListRequest{})
	if err != nil || len(l.GetVolumes()) != 2 || l.GetVolumes()[0].GetName() != "adhoc" || l.GetVolumes()[1].GetOrigin() != "config" {
		t.Errorf("list %v, %v", l, err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"mount invalid", func() error {
			_, err := c.Mount(ctx, &controlv1.MountRequest{Name: "bad/name", Plugin: "test", Mountpoints: []string{"/y"}})
			return err
		}, codes.InvalidArgument},
		{"mount unknown plugin", func() error {
			_, err := c.Mount(ctx, &controlv1.MountRequest{Name: "u", Plugin: "missing", Mountpoints: []string{"/y"}})
			return err
		}, codes.InvalidArgument},
		{"mount duplicate", func() error {
			_, err := c.Mount(ctx, &controlv1.MountRequest{Name: "adhoc", Plugin: "test", Mountpoints: []string{"/y"}})
			return err
		}, codes.FailedPrecondition},
		{"unmount unknown", func() error {
			_, err := c.Unmount(ctx, &controlv1.UnmountRequest{Name: "nope"})
			return err
		}, codes.NotFound},
		{"unmount", func() error {
			_, err := c.Unmount(ctx, &controlv1.UnmountRequest{Name: "adhoc"})
			return err
		}, codes.OK},
	} {
		if got := status.Code(tc.call()); got != tc.code {
			t.Errorf("%s: code %v, want %v", tc.name, got, tc.code)
		}
	}
	r, err := c.Reload(ctx, &controlv1.ReloadRequest{})
	if err != nil || len(r.GetSteps()) != 2 || r.GetSteps()[0].GetChange() != "added" || r.GetSteps()[0].GetError() != "" || r.GetSteps()[1].GetError() == "" {
		t.Errorf("partial reload: %v, %v", r, err)
	}
	reloadErr = &daemon.FieldError{Key: "volumes[0].name", Msg: "missing"}
	if _, err := c.Reload(ctx, &controlv1.ReloadRequest{}); status.Code(err) != codes.InvalidArgument || !strings.Contains(status.Convert(err).Message(), "volumes[0].name") {
		t.Errorf("invalid reload: %v", err)
	}
	if got := status.Code(daemon.StatusError(fmt.Errorf("x: %w", core.ErrPluginStartTimeout))); got != codes.Unavailable {
		t.Errorf("plugin timeout maps to %v", got)
	}
}

// pointsOf returns the mounted points of volume name as the control API
// lists them, and its plugin pid.
func pointsOf(t *testing.T, c controlv1.ControlClient, name string) (string, int32) {
	t.Helper()
	l, err := c.List(context.Background(), &controlv1.ListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range l.GetVolumes() {
		if v.GetName() == name {
			var ps []string
			for _, p := range v.GetPoints() {
				ps = append(ps, p.GetPath())
			}
			return strings.Join(ps, ","), v.GetPluginPid()
		}
	}
	t.Fatalf("volume %s is not listed: %v", name, l)
	return "", 0
}

func TestServerMountPoints(t *testing.T) {
	ctx := context.Background()
	sup := newSupervisor(t)
	defer sup.Shutdown(context.Background())
	if err := sup.Start(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("cfg", "/cfg")}}); err != nil {
		t.Fatal(err)
	}
	c := serve(t, sup, nil)
	if _, err := c.Mount(ctx, &controlv1.MountRequest{Name: "other", Plugin: "test", Mountpoints: []string{"/other"}}); err != nil {
		t.Fatal(err)
	}
	_, pid := pointsOf(t, c, "cfg")

	a, err := c.AddMountPoint(ctx, &controlv1.AddMountPointRequest{Volume: "cfg", Point: "/cfg2/"})
	if err != nil {
		t.Fatal(err)
	}
	if p := a.GetPoint(); p.GetPath() != "/cfg2" || p.GetDriver() != "fake" || p.GetSince() == 0 {
		t.Errorf("added point %v", p)
	}
	if got, samePID := pointsOf(t, c, "cfg"); got != "/cfg,/cfg2" || samePID != pid {
		t.Errorf("after add: points %s plugin pid %d, want /cfg,/cfg2 and pid %d", got, samePID, pid)
	}
	l, _ := c.List(ctx, &controlv1.ListRequest{})
	for _, v := range l.GetVolumes() {
		if v.GetName() == "cfg" && strings.Join(v.GetDeclaredPoints(), ",") != "/cfg" {
			t.Errorf("declared points changed by an added point: %v", v.GetDeclaredPoints())
		}
	}

	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	busy.Store("/busy2", true)
	defer busy.Delete("/busy2")
	if _, err := c.AddMountPoint(ctx, &controlv1.AddMountPointRequest{Volume: "cfg", Point: "/busy2"}); err != nil {
		t.Fatal(err)
	}
	add := func(volume, point string) func() error {
		return func() error {
			_, err := c.AddMountPoint(ctx, &controlv1.AddMountPointRequest{Volume: volume, Point: point})
			return err
		}
	}
	remove := func(volume, point string, lazy bool) func() error {
		return func() error {
			_, err := c.RemoveMountPoint(ctx, &controlv1.RemoveMountPointRequest{Volume: volume, Point: point, Lazy: lazy})
			return err
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		code codes.Code
		msg  string
	}{
		{"add to an unknown volume", add("nope", "/n"), codes.NotFound, "nope"},
		{"add a point twice", add("cfg", "/cfg2"), codes.FailedPrecondition, "/cfg2"},
		{"add another volume's point", add("cfg", "/other"), codes.FailedPrecondition, "volume other"},
		{"add a non-empty directory", add("cfg", full), codes.FailedPrecondition, full},
		{"add a relative point", add("cfg", "rel/x"), codes.InvalidArgument, "rel/x"},
		// A network point is a point the daemon takes (no "absolute
		// path" refusal); this driver serves directories only.
		{"add a network point", add("cfg", `Y:;srv;data`), codes.InvalidArgument, "serves directories only"},
		{"add a UNC name", add("cfg", `\\.\Data`), codes.InvalidArgument, "serves directories only"},
		{"add a refused point", add("cfg", "/refused"), codes.FailedPrecondition, "/refused"},
		{"remove from an unknown volume", remove("nope", "/cfg2", false), codes.NotFound, "nope"},
		{"remove an unknown point", remove("cfg", "/nowhere", false), codes.NotFound, "/nowhere"},
		{"remove a busy point", remove("cfg", "/busy2", false), codes.FailedPrecondition, "busy"},
		{"remove a busy point lazily", remove("cfg", "/busy2", true), codes.OK, ""},
		{"remove a point", remove("cfg", "/cfg2", false), codes.OK, ""},
		{"remove the last point", remove("other", "/other", false), codes.FailedPrecondition, "unmount the volume"},
	} {
		err := tc.call()
		if got := status.Code(err); got != tc.code || !strings.Contains(status.Convert(err).Message(), tc.msg) {
			t.Errorf("%s: %v (code %v), want %v mentioning %q", tc.name, err, got, tc.code, tc.msg)
		}
	}
	if got, samePID := pointsOf(t, c, "cfg"); got != "/cfg" || samePID != pid {
		t.Errorf("after remove: points %s plugin pid %d, want /cfg and pid %d", got, samePID, pid)
	}
	if got, _ := pointsOf(t, c, "other"); got != "/other" {
		t.Errorf("other volume at %s after a refused removal", got)
	}
}

// TestSupervisorAddedPointAndReload checks the documented rule: a point
// added at runtime to a configured volume survives reloads that leave the
// volume unchanged and goes when a reload changes it.
func TestSupervisorAddedPointAndReload(t *testing.T) {
	ctx := context.Background()
	s := newSupervisor(t)
	defer s.Shutdown(context.Background())
	cfg := daemon.Config{Volumes: []daemon.VolumeSpec{vol("v", "/v1", "/v2")}}
	if err := s.Start(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMountPoint(ctx, "v", "/extra"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMountPoint(ctx, "v", "/v2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if p := points(state(t, s)["v"]); p != "/extra,/v1" {
		t.Errorf("after an unchanging reload: %s, want /extra,/v1", p)
	}
	if _, err := s.Reload(ctx, daemon.Config{Volumes: []daemon.VolumeSpec{vol("v", "/v1", "/v2", "/v3")}}); err != nil {
		t.Fatal(err)
	}
	if p := points(state(t, s)["v"]); p != "/v1,/v2,/v3" {
		t.Errorf("after a repointing reload: %s, want /v1,/v2,/v3", p)
	}
}
