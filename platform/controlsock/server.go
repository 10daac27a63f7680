package controlsock

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrServerUntrusted means the process serving the control address is
// not one the caller trusts to be the daemon: on Windows, a pipe served
// by a process that is not LocalSystem, not an elevated administrator and
// not the caller's own user (someone may have created the pipe before the
// daemon did, to pose as it).
var ErrServerUntrusted = errors.New("the control address is served by an untrusted process")

// serverIdentity is what Dial learns on Windows about the process serving
// a pipe connection: the process (GetNamedPipeServerProcessId), its
// token, and the owner of the pipe.
type serverIdentity struct {
	// PID is the server's process id; 0 when unknown.
	PID int
	// SID is the user of the server process's token, and GroupSIDs its
	// enabled groups (deny-only ones left out); SID is "" when the token
	// could not be read, and TokenErr then says why.
	SID       string
	GroupSIDs []string
	TokenErr  error
	// User names SID (DOMAIN\name) for messages; "" when unknown.
	User string
	// Owner is the owner SID of the pipe, OwnerName its account name
	// ("" when unread). Only a process holding LocalSystem's or the
	// Administrators' token (or a privilege to restore) can give an
	// object one of those owners, and only the user it runs as otherwise.
	Owner, OwnerName string
}

// name is how messages name a SID: its account name and the SID, or the
// SID alone.
func name(sid, account string) string {
	if account == "" {
		return sid
	}
	return account + " (" + sid + ")"
}

// trustServer decides whether a client running as user client (a SID
// string, "" when unknown) may talk to s, the server of pipe addr. It
// admits a server whose token is LocalSystem's, holds BUILTIN\
// Administrators as an enabled group (an elevated administrator), or
// belongs to client itself (a daemon a user runs for themselves). When
// the token cannot be read, which is the case for a client that is not
// an administrator looking at a service, the pipe's owner decides the
// same way: LocalSystem, the Administrators or client. Anything else is
// refused with an error wrapping ErrServerUntrusted that names the pipe,
// the server's pid and user, and the fix.
func trustServer(addr string, s serverIdentity, client string) error {
	admitted := []string{sidSystem, sidAdmins}
	if client != "" {
		admitted = append(admitted, client)
	}
	var who string
	switch {
	case s.SID != "":
		if slices.Contains(admitted, s.SID) || slices.Contains(s.GroupSIDs, sidAdmins) {
			return nil
		}
		who = "user " + name(s.SID, s.User)
	case s.Owner != "":
		if slices.Contains(admitted, s.Owner) {
			return nil
		}
		who = "a user this account may not see"
		if s.TokenErr != nil {
			who += " (" + s.TokenErr.Error() + ")"
		}
		who += ", and the pipe is owned by " + name(s.Owner, s.OwnerName)
	default:
		who = "a user that cannot be identified"
		if s.TokenErr != nil {
			who += " (" + s.TokenErr.Error() + ")"
		}
	}
	proc := "an unknown process"
	stop := "stop the process that serves it"
	if s.PID > 0 {
		proc = "process " + strconv.Itoa(s.PID)
		stop = fmt.Sprintf("stop that process (taskkill /PID %d /F)", s.PID)
	}
	return &untrustedError{addr: addr, server: s, msg: fmt.Sprintf(
		"control pipe %s is served by %s running as %s, which is not LocalSystem, not an elevated administrator and not you: "+
			"it may be posing as the plugfs daemon, so plugfs will not talk to it. %s, then start the daemon as a service "+
			"(plugfs service install) or from an elevated prompt",
		addr, proc, who, capitalize(stop))}
}

// capitalize upper-cases the first letter of an ASCII sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// untrustedError is Dial's refusal of the process serving a pipe.
type untrustedError struct {
	addr   string
	server serverIdentity
	msg    string
}

func (e *untrustedError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrServerUntrusted) true.
func (e *untrustedError) Is(target error) bool { return target == ErrServerUntrusted }
