//go:build !windows

package sdk

import (
	"context"
	"net"
	"os"
	"path/filepath"
)

// listenLane listens on a Unix socket named name in dir (the system's
// temporary directory when empty), readable and writable by this user
// only, and returns the listener and the socket's path.
func listenLane(dir, name string) (net.Listener, string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, name+".sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, "", err
	}
	return ln, path, nil
}

// removeLane removes the socket file a closed listener leaves.
func removeLane(path string) { _ = os.Remove(path) }

// dialLaneConn connects to the lane at path with the runtime's poller
// (where the blocking socket of lane_io_linux.go is not used).
func dialLaneConn(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
