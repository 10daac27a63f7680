//go:build darwin

package main

import "github.com/plugfs/plugfs/core"

// systemChecks runs the macOS checks: a mount driver (the cgofuse driver
// finds macFUSE or FUSE-T and says how to install them), the run
// directory and the daemon's socket.
//
// Compiled only: macOS cannot be executed here.
func systemChecks(runDir, socket string) []doctorCheck {
	return []doctorCheck{
		checkDrivers(core.Drivers()),
		checkRunDir(runDir),
		checkDaemonSocket(socket),
	}
}
