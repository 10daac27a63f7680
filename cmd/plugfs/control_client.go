package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/controlsock"
	"github.com/plugfs/plugfs/platform/runstate"
)

// daemonClient is a connection to a running daemon.
type daemonClient struct {
	controlv1.ControlClient
	conn *grpc.ClientConn
}

func (c *daemonClient) Close() error { return c.conn.Close() }

// dialDaemon connects to the daemon's control address (a Unix socket; a
// named pipe on Windows) for a caller that may change something. It
// fails with errNoDaemon when nothing listens there, errDaemonDenied
// when the address's permissions keep the caller out or, on Windows,
// when the daemon lets the caller only read its state (a caller that
// then does its work without the daemon, as plugfs mount does, can tell
// before it starts), and errServerUntrusted when a process that is not a
// trusted daemon serves the pipe (see dialErr). Callers that only read
// use dialDaemonToRead.
func dialDaemon(path string) (*daemonClient, error) {
	c, err := dialDaemonToRead(path)
	if err != nil || !probeRole {
		return c, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var hdr metadata.MD
	if _, err := c.Status(ctx, &controlv1.StatusRequest{}, grpc.Header(&hdr)); err != nil {
		c.Close()
		return nil, daemonErr(err)
	}
	if isReader(hdr) {
		c.Close()
		return nil, fmt.Errorf("%w: the daemon at %s lets this user only read its state (plugfs list, plugfs agent): %s (daemon.socket_group)",
			errDaemonDenied, path, controlDeniedFix())
	}
	return c, nil
}

// probeRole says whether dialDaemon asks the daemon for the caller's
// role: only a Windows daemon has readers (on Unix whoever may connect
// may do everything).
var probeRole = runtime.GOOS == "windows"

// dialDaemonToRead connects to the daemon's control address for a caller
// that only reads (Status, List), which on Windows every authenticated
// user may do. Its errors are dialDaemon's, but for a reader's refusal.
func dialDaemonToRead(path string) (*daemonClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	raw, err := controlsock.Dial(ctx, path)
	cancel()
	if err != nil {
		return nil, dialErr(path, err)
	}
	raw.Close()
	// The target names no address: every connection goes to path.
	conn, err := grpc.NewClient("passthrough:///localhost",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return controlsock.Dial(ctx, path)
		}))
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &daemonClient{ControlClient: controlv1.NewControlClient(conn), conn: conn}, nil
}

// dialErr turns controlsock.Dial's error for path into one with the
// CLI's sentinel.
func dialErr(path string, err error) error {
	switch {
	case errors.Is(err, controlsock.ErrServerUntrusted):
		return fmt.Errorf("%w: %w", errServerUntrusted, err) // it names the pipe, the process and the fix
	case errors.Is(err, controlsock.ErrNoServer):
		return fmt.Errorf("%w (nothing listens at %s)", errNoDaemon, path)
	case errors.Is(err, controlsock.ErrDenied):
		return fmt.Errorf("%w: no permission to connect to %s: %s", errDaemonDenied, path, controlDeniedFix())
	}
	return fmt.Errorf("%w: %s: %v", errNoDaemon, path, err)
}

// controlDeniedFix says who may use the daemon's control address.
func controlDeniedFix() string {
	if runtime.GOOS == "windows" {
		return "run as an administrator (elevated), or as a member of the daemon's socket group"
	}
	return "run as root or as a member of the daemon's socket group"
}

// daemonErr turns a control API error into one with the CLI's sentinel.
func daemonErr(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch st.Code() {
	case codes.PermissionDenied:
		return fmt.Errorf("%w: %s", errDaemonDenied, st.Message())
	case codes.Unavailable:
		return fmt.Errorf("%w: %s", errNoDaemon, st.Message())
	case codes.InvalidArgument:
		return fmt.Errorf("%w: %s", errConfigInvalid, st.Message())
	}
	return errors.New(st.Message())
}

// daemonRows returns the `plugfs list` rows of the daemon's volumes, one
// per mounting point (a failed volume: one per declared point). Without
// a daemon it returns nothing; a daemon that refuses us is said on
// stderr, and the standalone mounts are still listed. It only reads: on
// Windows every authenticated user may.
func (a *app) daemonRows(ctx context.Context) []listed {
	c, err := dialDaemonToRead(a.v.GetString("socket"))
	if errors.Is(err, errNoDaemon) {
		return nil
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugfs: not listing the daemon's volumes:", err)
		return nil
	}
	defer c.Close()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := c.Status(ctx, &controlv1.StatusRequest{})
	var vols *controlv1.ListResponse
	if err == nil {
		vols, err = c.List(ctx, &controlv1.ListRequest{})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugfs: not listing the daemon's volumes:", daemonErr(err))
		return nil
	}
	var rows []listed
	for _, v := range vols.GetVolumes() {
		rec := runstate.Record{Volume: v.GetName(), Plugin: v.GetPlugin(), PluginPID: int(v.GetPluginPid()),
			ServerPID: int(st.GetPid()), Driver: v.GetDriver(), ReadOnly: v.GetReadOnly()}
		if v.GetState() == "failed" {
			for _, p := range v.GetDeclaredPoints() {
				rec.Point = p
				rows = append(rows, listed{Record: rec, State: "failed (daemon): " + strings.ReplaceAll(v.GetError(), "\n", " "), Daemon: true})
			}
			continue
		}
		for _, p := range v.GetPoints() {
			rec.Point, rec.Driver, rec.Started = p.GetPath(), p.GetDriver(), time.Unix(0, p.GetSince()).UTC()
			rows = append(rows, listed{Record: rec, State: v.GetState(), Daemon: true})
		}
	}
	return rows
}
