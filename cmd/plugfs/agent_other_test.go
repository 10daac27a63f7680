//go:build !windows

package main

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
)

// TestAgentUnsupported: outside Windows the agent says what it is for
// and exits with its own code.
func TestAgentUnsupported(t *testing.T) {
	for _, args := range [][]string{{"agent"}, {"agent", "--once"}, {"agent", "--install"}} {
		_, err := agentCLI(t, args...)
		if code := exitCode(err); code != exitAgentUnsupported {
			t.Errorf("%q: exit %d (%v), want %d", args, code, err, exitAgentUnsupported)
		}
		if err == nil || !strings.HasPrefix(err.Error(), "plugfs agent is for Windows sessions") || !strings.Contains(err.Error(), "do not start the agent here") {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// fakeDaemon answers List over a Unix socket as the daemon's control API
// does.
type fakeDaemon struct {
	controlv1.UnimplementedControlServer
	mu   sync.Mutex
	resp *controlv1.ListResponse
}

func (d *fakeDaemon) List(context.Context, *controlv1.ListRequest) (*controlv1.ListResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.resp, nil
}

// serve starts the fake daemon at path; stop ends it and removes the
// socket.
func (d *fakeDaemon) serve(t *testing.T, path string) (stop func()) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	controlv1.RegisterControlServer(s, d)
	go s.Serve(ln)
	return s.Stop
}

// TestAgentDaemonSource lists a (fake) daemon's points through the
// control client the CLI uses, across the daemon stopping and starting
// again at the same address.
func TestAgentDaemonSource(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	src := &daemonPoints{addr: sock}
	defer src.close()
	ctx := context.Background()

	if _, err := src.list(ctx); !errors.Is(err, errNoDaemon) {
		t.Fatalf("no daemon yet: %v, want errNoDaemon", err)
	}
	d := &fakeDaemon{resp: agentVolumes()}
	stop := d.serve(t, sock)
	pts, err := src.list(ctx)
	if err != nil || len(pts) != 9 || pts[0].Path != "X:" || pts[8].Path != ";;pub" {
		t.Fatalf("list = %v, %v", paths(pts), err)
	}
	d.mu.Lock()
	d.resp = &controlv1.ListResponse{Volumes: d.resp.Volumes[1:2]}
	d.mu.Unlock()
	if pts, err := src.list(ctx); err != nil || !slices.Equal(paths(pts), []string{"Q:", "O:", "S:", `C:\Mounts\Data`, ";;pub"}) {
		t.Fatalf("after a change: %q, %v", paths(pts), err)
	}

	stop() // the daemon stops: its socket goes away
	if _, err := src.list(ctx); !errors.Is(err, errNoDaemon) {
		t.Errorf("daemon stopped: %v, want errNoDaemon", err)
	}
	if src.c != nil {
		t.Error("the connection to the stopped daemon was kept")
	}
	d.resp = agentVolumes()
	stop = d.serve(t, sock)
	defer stop()
	if pts, err := src.list(ctx); err != nil || len(pts) != 9 {
		t.Errorf("daemon back: %q, %v", paths(pts), err)
	}
}
