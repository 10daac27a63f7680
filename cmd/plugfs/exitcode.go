package main

import (
	"errors"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// Exit codes. Each names one problem, so scripts can tell them apart.
// docs/cli.md lists them; keep the two in step.
const (
	exitOK                 = 0
	exitFailure            = 1  // anything not listed below
	exitUsage              = 2  // bad command line: unknown flag, malformed --opt or -o
	exitMountPointMissing  = 10 // the mount point does not exist
	exitMountPointNotDir   = 11 // the mount point is not a directory
	exitMountPointNotEmpty = 12 // the mount point is not empty
	exitMountPointBusy     = 13 // something is already mounted there
	exitMountPointAccess   = 14 // no permission for the mount point
	exitMountPointInvalid  = 15 // malformed mounting point
	exitPluginUnknown      = 20 // no such plugin
	exitPluginStart        = 21 // the plugin exited or failed at start
	exitPluginTimeout      = 22 // the plugin did not start in time
	exitPluginProtocol     = 23 // the plugin speaks another protocol
	exitPluginOption       = 24 // the plugin refused an option
	exitDriverUnknown      = 30 // no such mount driver
	exitDriverUnavailable  = 31 // the driver cannot run here (fuse missing)
	exitNotMounted         = 40 // unmount: nothing (of ours) mounted there
	exitBusy               = 41 // unmount: the mount is in use
)

// usageError marks errors in the command line itself.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// exitCodes maps engine errors to exit codes, most specific first.
var exitCodes = []struct {
	err  error
	code int
}{
	{core.ErrMountPointMissing, exitMountPointMissing},
	{core.ErrMountPointNotDir, exitMountPointNotDir},
	{core.ErrMountPointNotEmpty, exitMountPointNotEmpty},
	{core.ErrMountPointBusy, exitMountPointBusy},
	{core.ErrMountPointAccess, exitMountPointAccess},
	{core.ErrMountPointInvalid, exitMountPointInvalid},
	{core.ErrPluginUnknown, exitPluginUnknown},
	{core.ErrPluginStartTimeout, exitPluginTimeout},
	{core.ErrPluginStart, exitPluginStart},
	{core.ErrPluginProtocol, exitPluginProtocol},
	{core.ErrPluginOption, exitPluginOption},
	{core.ErrDriverUnknown, exitDriverUnknown},
	{core.ErrDriverUnavailable, exitDriverUnavailable},
	{core.ErrNotMounted, exitNotMounted},
	{sdk.ErrBusy, exitBusy},
}

// exitCode returns the exit code for err.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	var x exitError
	if errors.As(err, &x) {
		return x.code
	}
	for _, e := range exitCodes {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return exitFailure
}
