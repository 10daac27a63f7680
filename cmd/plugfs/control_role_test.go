package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/controlsock"
)

// TestControlRoleMethods: a reader may call Status and List, nothing
// else (an RPC added later included); a privileged peer everything;
// a refused one nothing.
func TestControlRoleMethods(t *testing.T) {
	reads := map[string]bool{"Status": true, "List": true}
	var methods []string
	for _, m := range controlv1.Control_ServiceDesc.Methods {
		methods = append(methods, "/"+controlv1.Control_ServiceDesc.ServiceName+"/"+m.MethodName)
	}
	if len(methods) < 7 {
		t.Fatalf("the control service has %d methods: %v", len(methods), methods)
	}
	methods = append(methods, "/plugfs.control.v1.Control/SomethingNew", "/grpc.health.v1.Health/Watch", "")
	for _, m := range methods {
		for _, c := range []struct {
			role controlsock.Role
			want bool
		}{
			{controlsock.RolePrivileged, true},
			{controlsock.RoleReader, reads[path.Base(m)] && strings.HasPrefix(m, "/plugfs.control.v1.Control/")},
			{controlsock.RoleNone, false},
			{controlsock.Role(9), false},
		} {
			if got := mayCall(c.role, m); got != c.want {
				t.Errorf("mayCall(%v, %q) = %v, want %v", c.role, m, got, c.want)
			}
		}
	}
}

func TestControlReaderRefusal(t *testing.T) {
	p := controlsock.Peer{UID: -1, SID: "S-1-5-21-1-2-3-1001", PID: 42}
	msg := readerRefusal(p, controlv1.Control_Reload_FullMethodName, controlsock.Group{Name: "plugfs-admins", ID: "S-1-5-21-1-2-3-1013"})
	for _, want := range []string{"user S-1-5-21-1-2-3-1001 (pid 42)", "only read", "Status, List", "not call Reload", "administrator (elevated)", "daemon.socket_group (plugfs-admins)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	msg = readerRefusal(p, controlv1.Control_Mount_FullMethodName, controlsock.Group{})
	if !strings.Contains(msg, "not call Mount") || !strings.Contains(msg, "daemon.socket_group (not set") {
		t.Errorf("without a group: %q", msg)
	}
	for _, c := range []struct {
		md   metadata.MD
		want bool
	}{
		{metadata.Pairs(roleHeader, "reader"), true},
		{metadata.Pairs(roleHeader, "privileged"), false},
		{metadata.MD{}, false}, // an older daemon: no readers
		{nil, false},
	} {
		if got := isReader(c.md); got != c.want {
			t.Errorf("isReader(%v) = %v, want %v", c.md, got, c.want)
		}
	}
}

// roleDaemon is a control server that counts the calls that reach it.
type roleDaemon struct {
	controlv1.UnimplementedControlServer
	mu    sync.Mutex
	calls []string
}

func (d *roleDaemon) called(m string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, m)
}

func (d *roleDaemon) Status(context.Context, *controlv1.StatusRequest) (*controlv1.StatusResponse, error) {
	d.called("Status")
	return &controlv1.StatusResponse{Pid: 1}, nil
}

func (d *roleDaemon) List(context.Context, *controlv1.ListRequest) (*controlv1.ListResponse, error) {
	d.called("List")
	return agentVolumes(), nil
}

func (d *roleDaemon) Reload(context.Context, *controlv1.ReloadRequest) (*controlv1.ReloadResponse, error) {
	d.called("Reload")
	return &controlv1.ReloadResponse{}, nil
}

// serveRoles serves d and a health service (its Watch is a stream) on a
// real control socket through peerAuth, whose authorize identifies the
// real peer (this process) and then gives it role, as a test posing as
// another user must.
func serveRoles(t *testing.T, d *roleDaemon, role controlsock.Role, g controlsock.Group, log io.Writer) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "control.sock")
	ln, err := controlsock.Listen(context.Background(), sock, controlsock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	auth := &peerAuth{gid: g, log: slog.New(slog.NewTextHandler(log, nil)),
		authorize: func(c net.Conn, g controlsock.Group) (controlsock.Peer, controlsock.Role, error) {
			p, _, err := controlsock.Authorize(c, g)
			if role == controlsock.RoleNone {
				err = &controlsock.DeniedError{Peer: p, Reason: "posed as nobody"}
			}
			return p, role, err
		}}
	srv := grpc.NewServer(auth.serverOptions()...)
	controlv1.RegisterControlServer(srv, d)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return sock
}

// TestControlReader: over a real socket and gRPC server, a peer taken
// for a reader lists and reads the status, is refused every other call
// (unary and stream) with the call and the fix named, and never reaches
// the handler; dialDaemon, which a command that changes something uses,
// refuses it up front. A privileged peer gets everything.
func TestControlReader(t *testing.T) {
	saved := probeRole
	probeRole = true // as on Windows, the one system with readers
	defer func() { probeRole = saved }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var log strings.Builder
	d := &roleDaemon{}
	sock := serveRoles(t, d, controlsock.RoleReader, controlsock.Group{Name: "plugfs-admins", ID: "990"}, &log)
	c, err := dialDaemonToRead(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hdr metadata.MD
	if _, err := c.Status(ctx, &controlv1.StatusRequest{}, grpc.Header(&hdr)); err != nil || !isReader(hdr) {
		t.Errorf("Status as a reader: %v, header %v", err, hdr)
	}
	if l, err := c.List(ctx, &controlv1.ListRequest{}); err != nil || len(l.GetVolumes()) != len(agentVolumes().GetVolumes()) {
		t.Errorf("List as a reader: %v, %v", l, err)
	}
	pts, err := (&daemonPoints{addr: sock}).list(ctx) // the agent's source
	if err != nil || len(pts) == 0 {
		t.Errorf("the agent's listing as a reader: %v, %v", pts, err)
	}
	_, err = c.Reload(ctx, &controlv1.ReloadRequest{})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("Reload as a reader: %v, want PERMISSION_DENIED", err)
	}
	for _, want := range []string{"not call Reload", "administrator", "daemon.socket_group (plugfs-admins)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not say %q", err, want)
		}
	}
	if e := daemonErr(err); !errors.Is(e, errDaemonDenied) || exitCode(e) != exitDaemonDenied {
		t.Errorf("the CLI makes of it %v (exit %d), want errDaemonDenied, exit %d", e, exitCode(e), exitDaemonDenied)
	}
	if _, err := c.Mount(ctx, &controlv1.MountRequest{}); status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "not call Mount") {
		t.Errorf("Mount as a reader: %v", err)
	}
	w, err := healthpb.NewHealthClient(c.conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "not call Watch") {
		t.Errorf("a stream as a reader: %v, want PERMISSION_DENIED naming Watch", err)
	}
	d.mu.Lock()
	if got := strings.Join(d.calls, " "); got != "Status List List" {
		t.Errorf("calls that reached the daemon: %q, want Status List List", got)
	}
	d.mu.Unlock()
	if !strings.Contains(log.String(), "control call refused") || !strings.Contains(log.String(), "call=Reload") {
		t.Errorf("the refused call is not logged:\n%s", log.String())
	}
	_, err = dialDaemon(sock)
	if !errors.Is(err, errDaemonDenied) || !strings.Contains(err.Error(), "only read") || !strings.Contains(err.Error(), "daemon.socket_group") {
		t.Errorf("dialDaemon as a reader: %v, want errDaemonDenied saying it may only read", err)
	}

	// Privileged: everything, dialDaemon included.
	sock = serveRoles(t, &roleDaemon{}, controlsock.RolePrivileged, controlsock.Group{}, io.Discard)
	p, err := dialDaemon(sock)
	if err != nil {
		t.Fatalf("dialDaemon as privileged: %v", err)
	}
	defer p.Close()
	if _, err := p.Reload(ctx, &controlv1.ReloadRequest{}); err != nil {
		t.Errorf("Reload as privileged: %v", err)
	}
	w, err = healthpb.NewHealthClient(p.conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = w.Recv()
	}
	if err != nil {
		t.Errorf("a stream as privileged: %v", err)
	}

	// Refused: nothing, with the reason.
	sock = serveRoles(t, &roleDaemon{}, controlsock.RoleNone, controlsock.Group{}, io.Discard)
	n, err := dialDaemonToRead(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.List(ctx, &controlv1.ListRequest{}); status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "posed as nobody") {
		t.Errorf("List refused: %v", err)
	}
	if _, err := dialDaemon(sock); !errors.Is(err, errDaemonDenied) || !strings.Contains(err.Error(), "posed as nobody") {
		t.Errorf("dialDaemon refused: %v", err)
	}
}
