// Package controlsock is the transport of the daemon's control API: the
// address it listens on, how a client reaches it, and who may use it.
// What travels over it (gRPC, core/daemon/controlv1) is not its business.
//
// # Addresses
//
// On Unix the address is the path of a Unix socket. On Windows it is the
// name of a named pipe, `\\.\pipe\NAME` (DefaultPipe unless configured).
// CheckAddr says whether a string is a usable address on this system.
//
// # Who may connect
//
// The administrators and the members of one optional Group (see
// LookupGroup), with every right (RolePrivileged); on Windows also any
// other authenticated user, to read the daemon's state only
// (RoleReader: what a reader may call is the server's decision). Two
// things enforce it, and both must agree:
//
//   - The operating system, at connect time. On Unix the socket has mode
//     0660, owned by the daemon (root) and the group (the daemon's own
//     group without one): nobody else can connect. On Windows the pipe's
//     DACL (see PipeSDDL) grants full access to LocalSystem and
//     BUILTIN\Administrators, a client's access to the group and to
//     Authenticated Users (read and write, not FILE_CREATE_PIPE_INSTANCE:
//     they cannot add instances of the daemon's pipe), and nothing to
//     anyone else (anonymous clients, guests); the pipe also rejects
//     remote clients.
//   - The server, once per connection, with Authorize, which says the
//     peer's Role (RoleOf decides it from an identity, on every system
//     alike): on Linux the peer's credentials from the kernel
//     (SO_PEERCRED, and the process's supplementary groups); on Windows
//     the client's token, taken by impersonating the pipe client at
//     identification level (or, for a client that connected anonymously,
//     the token of the process that GetNamedPipeClientProcessId names).
//     A connection refused (RoleNone) carries the reason; the server
//     answers it with that reason and nothing else. On other Unix
//     systems (macOS, the BSDs) peer credentials are not read yet, and
//     every connection is refused.
//
// # Who may serve
//
// On Unix the default socket lives in /run/plugfs, which only root can
// create. A named pipe, though, may be created by any user, and a
// process that created \\.\pipe\plugfs before the daemon could pose as
// it. So Listen
// fails when the pipe exists already (the first instance is created with
// FILE_CREATE, what CreateNamedPipe calls FILE_FLAG_FIRST_PIPE_INSTANCE),
// and Dial checks who serves the pipe it reached: the process that
// GetNamedPipeServerProcessId names must run as LocalSystem, as an
// elevated administrator (BUILTIN\Administrators enabled in its token) or
// as the caller's own user, so that a daemon a user runs for themselves
// still works. A caller that may not read the server's token (one that
// is not an administrator cannot read a service's) judges the pipe's
// owner the same way: a process can make an object's owner only its own
// user or a group its token may own (the Administrators only when
// elevated), unless it holds the privilege to restore files.
//
// # Errors
//
// Dial's errors wrap ErrNoServer when nothing listens at the address (no
// such socket or pipe, a stale socket), ErrDenied when the system keeps
// the caller out, and, on Windows, ErrServerUntrusted when the process
// serving the pipe is not one to trust. Authorize's refusals wrap
// ErrDenied.
package controlsock

import (
	"errors"
	"strconv"
	"strings"
)

// DefaultPipe is the control address on Windows when none is configured.
const DefaultPipe = `\\.\pipe\plugfs`

var (
	// ErrNoServer means nothing listens at the control address.
	ErrNoServer = errors.New("nothing listens at the control address")
	// ErrDenied means the caller may not use the control address.
	ErrDenied = errors.New("no permission to use the control address")
)

// Group is the group whose members may use the control address besides
// the administrators, as LookupGroup resolves it. The zero Group admits
// the administrators only.
type Group struct {
	// Name is the group as configured, for messages.
	Name string
	// ID is the numeric gid on Unix and the SID string (S-1-...) on
	// Windows; "" for no group.
	ID string
}

// Options tune Listen.
type Options struct {
	// Group may connect besides the administrators.
	Group Group
}

// Peer is the process at the other end of a control connection.
type Peer struct {
	// PID is the peer's process id (0 when unknown).
	PID int
	// UID is the peer's user id on Unix; -1 on Windows or when unknown.
	UID int
	// GIDs are the peer's primary and supplementary groups on Unix.
	GIDs []int
	// SID is the peer's user SID on Windows ("" elsewhere).
	SID string
	// GroupSIDs are the peer's enabled groups on Windows (deny-only
	// groups are left out: they grant nothing).
	GroupSIDs []string
}

// String names the peer for logs.
func (p Peer) String() string {
	var b strings.Builder
	switch {
	case p.SID != "":
		b.WriteString("user " + p.SID)
	case p.UID >= 0:
		b.WriteString("uid " + strconv.Itoa(p.UID))
	default:
		b.WriteString("unknown user")
	}
	if p.PID > 0 {
		b.WriteString(" (pid " + strconv.Itoa(p.PID) + ")")
	}
	return b.String()
}

// DeniedError is Authorize's refusal of an identified peer: Reason says
// why, in words fit for the refused client. errors.Is(err, ErrDenied)
// holds.
type DeniedError struct {
	Peer   Peer
	Reason string
}

func (e *DeniedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrDenied) true.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// credError is Authorize's refusal of a peer it cannot identify.
type credError struct{ err error }

func (e *credError) Error() string { return "cannot read the caller's credentials: " + e.err.Error() }

// Unwrap gives ErrDenied and the cause.
func (e *credError) Unwrap() []error { return []error{ErrDenied, e.err} }
