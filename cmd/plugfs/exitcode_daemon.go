package main

import (
	"errors"

	"github.com/plugfs/plugfs/core/daemon"
)

// Exit codes of the daemon commands (daemon, config check, reload, and
// list or others when they talk to a daemon). They extend exitcode.go's
// list without renumbering it; docs/cli.md should list them too.
const (
	exitConfigInvalid   = 50 // the configuration file is missing, malformed or invalid
	exitNoDaemon        = 51 // no daemon answers at the control socket
	exitDaemonRunning   = 52 // daemon: another daemon already answers at the socket
	exitDaemonDenied    = 53 // the daemon refused the caller (not root, not in the socket group)
	exitReloadPartial   = 54 // reload: some volumes could not be changed (the others were)
	exitServerUntrusted = 56 // Windows: the control pipe is served by a process that is not LocalSystem, an elevated administrator or the caller's user
)

var (
	errConfigInvalid   = errors.New("invalid configuration")
	errNoDaemon        = errors.New("no plugfs daemon is running")
	errDaemonRunning   = errors.New("a plugfs daemon is already running")
	errDaemonDenied    = errors.New("the plugfs daemon refused the request")
	errReloadPartial   = errors.New("reload applied partly")
	errServerUntrusted = errors.New("the control pipe is not served by a trusted plugfs daemon")
)

func init() {
	exitCodes = append(exitCodes, []struct {
		err  error
		code int
	}{
		{errConfigInvalid, exitConfigInvalid},
		{daemon.ErrInvalid, exitConfigInvalid},
		{errNoDaemon, exitNoDaemon},
		{errDaemonRunning, exitDaemonRunning},
		{errDaemonDenied, exitDaemonDenied},
		{errReloadPartial, exitReloadPartial},
		{errServerUntrusted, exitServerUntrusted},
	}...)
}
