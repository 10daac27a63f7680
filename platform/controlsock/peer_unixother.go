//go:build unix && !linux

package controlsock

import (
	"errors"
	"net"
)

// peerCred is not implemented here yet (LOCAL_PEERCRED on macOS and the
// BSDs): Authorize refuses every caller.
func peerCred(net.Conn) (Peer, error) {
	return Peer{}, errors.New("peer credentials are not implemented on this system yet")
}
