//go:build unix

package controlsock

import (
	"fmt"
	"net"
	"slices"
	"strconv"
)

// Authorize identifies the peer of c, a connection Listen accepted, and
// admits root and the members of g (primary or supplementary group of
// the peer process). A refusal wraps ErrDenied and says why.
func Authorize(c net.Conn, g Group) (Peer, error) {
	p, err := peerCred(c)
	if err != nil {
		return Peer{UID: -1}, &credError{err}
	}
	if p.UID == 0 {
		return p, nil
	}
	if g.ID == "" {
		return p, &DeniedError{Peer: p, Reason: fmt.Sprintf("uid %d is not root (no socket group is configured)", p.UID)}
	}
	if gid, err := strconv.Atoi(g.ID); err == nil && slices.Contains(p.GIDs, gid) {
		return p, nil
	}
	return p, &DeniedError{Peer: p, Reason: fmt.Sprintf("uid %d is not root and not in group %s", p.UID, g.Name)}
}
