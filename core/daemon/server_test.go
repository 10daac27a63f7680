package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net"
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
