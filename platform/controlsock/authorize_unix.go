//go:build unix

package controlsock

import "net"

// Authorize identifies the peer of c, a connection Listen accepted, and
// says what it may do (RoleOf): root and the members of g (primary or
// supplementary group of the peer process) everything, anyone else
// nothing. A refusal (RoleNone) wraps ErrDenied and says why.
func Authorize(c net.Conn, g Group) (Peer, Role, error) {
	p, err := peerCred(c)
	if err != nil {
		return Peer{UID: -1}, RoleNone, &credError{err}
	}
	r, err := RoleOf(p, g)
	return p, r, err
}
