package main

import (
	"context"
	"net"

	"github.com/plugfs/plugfs/platform/controlsock"
)

// listenControl listens at the daemon's control address: a Unix socket
// (mode 0660, root and g), or on Windows a named pipe whose DACL admits
// LocalSystem, the Administrators, g and any other authenticated user
// (whom peerAuth lets only read: readerMethods), none of them but the
// daemon able to add instances of the pipe. A stale Unix socket is
// replaced; the caller has checked that no daemon answers.
func listenControl(addr string, g controlsock.Group) (net.Listener, error) {
	return controlsock.Listen(context.Background(), addr, controlsock.Options{Group: g})
}
