package controlsock

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
)

// sidAuthenticatedUsers is NT AUTHORITY\Authenticated Users (AU): every
// logged-on user, neither anonymous nor a guest.
const sidAuthenticatedUsers = "S-1-5-11"

// Role is what a peer may do with the control API, as Authorize
// decides it. Which calls a role admits is the server's business (the
// daemon: Status and List for a reader).
type Role int

const (
	// RoleNone may do nothing: Authorize refuses the connection.
	RoleNone Role = iota
	// RoleReader may read the daemon's state, nothing else. Only
	// Windows has readers: every authenticated user. On Unix a user who
	// is not root or in the group cannot even connect.
	RoleReader
	// RolePrivileged may do everything: root, LocalSystem, an elevated
	// administrator, a member of the socket group.
	RolePrivileged
)

// String names the role ("none", "reader", "privileged").
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "none"
	case RoleReader:
		return "reader"
	case RolePrivileged:
		return "privileged"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// RoleOf decides what p, identified on this system, may do when g is
// the socket group. RoleNone comes with an error wrapping ErrDenied
// that says why, in words fit for the refused client. It is how
// Authorize decides, given apart so that a caller that knows an
// identity (a test posing as another user) decides the same way.
func RoleOf(p Peer, g Group) (Role, error) {
	if runtime.GOOS == "windows" {
		return windowsRole(p, g)
	}
	return unixRole(p, g)
}

// unixRole admits root and the members of g (primary or supplementary
// group of the peer process) with every right, and nobody else.
func unixRole(p Peer, g Group) (Role, error) {
	if p.UID == 0 {
		return RolePrivileged, nil
	}
	if g.ID == "" {
		return RoleNone, &DeniedError{Peer: p, Reason: fmt.Sprintf("uid %d is not root (no socket group is configured)", p.UID)}
	}
	if gid, err := strconv.Atoi(g.ID); err == nil && slices.Contains(p.GIDs, gid) {
		return RolePrivileged, nil
	}
	return RoleNone, &DeniedError{Peer: p, Reason: fmt.Sprintf("uid %d is not root and not in group %s", p.UID, g.Name)}
}

// windowsRole decides as the pipe's DACL admits (PipeSDDL): every right
// for a user or enabled group that is LocalSystem, BUILTIN\
// Administrators or g (an administrator's unelevated token holds
// Administrators for deny only, so it counts for nothing); reading for
// any other authenticated user (AU); nothing for anyone else (anonymous,
// guests).
func windowsRole(p Peer, g Group) (Role, error) {
	switch {
	case pipeAdmits(p, g):
		return RolePrivileged, nil
	case p.SID == sidAuthenticatedUsers || slices.Contains(p.GroupSIDs, sidAuthenticatedUsers):
		return RoleReader, nil
	}
	not := "not LocalSystem, not an elevated administrator"
	if g.ID != "" {
		not += ", not in group " + g.Name
	}
	return RoleNone, &DeniedError{Peer: p, Reason: fmt.Sprintf("%s is %s and not an authenticated user (anonymous or a guest): log on as a user of this computer", p, not)}
}
