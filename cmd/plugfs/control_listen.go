package main

import (
	"context"
	"net"

	"github.com/plugfs/plugfs/platform/controlsock"
)

// listenControl listens at the daemon's control address: a Unix socket
// (mode 0660, root and g), or on Windows a named pipe whose DACL admits
// LocalSystem, the Administrators and g. A stale Unix socket is replaced;
// the caller has checked that no daemon answers.
func listenControl(addr string, g controlsock.Group) (net.Listener, error) {
	return controlsock.Listen(context.Background(), addr, controlsock.Options{Group: g})
}
