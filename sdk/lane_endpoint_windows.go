//go:build windows

package sdk

import (
	"context"
	"fmt"
	"net"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/internal/winpipe"
)

// listenLane listens on the local named pipe \\.\pipe\NAME (dir is not
// used: pipes live in their own namespace) and returns the listener and
// the pipe's path. Only LocalSystem and the user this process runs as
// (the host's user: the host starts the plugin) may open it, remote
// clients are refused (go-winio sets PIPE_REJECT_REMOTE_CLIENTS), and a
// pipe of that name already there fails the listen rather than being
// shared. The lane's key still has to be presented on every connection.
// The pipe's first instance is claimed at once (see
// winpipe.ClaimFirstInstance): under Wine the first client landed there
// and waited for an answer that never came.
func listenLane(_ string, name string) (net.Listener, string, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, "", fmt.Errorf("this process's user: %w", err)
	}
	sddl := fmt.Sprintf("D:P(A;;GA;;;SY)(A;;GA;;;%s)", user.User.Sid.String())
	path := `\\.\pipe\` + name
	ln, err := winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: sddl, InputBufferSize: 64 << 10, OutputBufferSize: 64 << 10})
	if err != nil {
		return nil, "", err
	}
	winpipe.ClaimFirstInstance(path)
	return ln, path, nil
}

// removeLane: a named pipe goes with its last handle.
func removeLane(string) {}

// dialLaneConn connects to the lane's named pipe.
func dialLaneConn(ctx context.Context, path string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, path)
}
