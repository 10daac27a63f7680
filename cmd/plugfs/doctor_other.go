//go:build !linux && !windows && !darwin

package main

import (
	"runtime"

	"github.com/plugfs/plugfs/core"
)

// systemChecks has only the portable checks for this system: it says so
// rather than report a healthy machine it has not looked at.
func systemChecks(runDir, socket string) []doctorCheck {
	return []doctorCheck{
		{Name: "platform", Status: checkWarn, Detail: "plugfs doctor has no system-specific checks for " + runtime.GOOS},
		checkDrivers(core.Drivers()),
		checkRunDir(runDir),
		checkDaemonSocket(socket),
	}
}
