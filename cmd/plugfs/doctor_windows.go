//go:build windows

package main

import (
	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// systemChecks runs the Windows checks: a mount driver (WinFsp, found by
// its registry key and DLL, with the install command when missing),
// elevation, the run directory and the daemon's named pipe.
//
// Compiled here, not executed in CI: the WinFsp lookup it relies on is
// executed under Wine (platform/windows/winfsp), this glue is not.
func systemChecks(runDir, socket string) []doctorCheck {
	return []doctorCheck{
		checkDrivers(core.Drivers()),
		checkElevated(windows.GetCurrentProcessToken().IsElevated()),
		checkRunDir(runDir),
		checkDaemonSocket(socket),
	}
}

// checkElevated: drive letters need no privilege; mount-manager points,
// global points seen by services and real SMB shares need an elevated
// process.
func checkElevated(elevated bool) doctorCheck {
	c := doctorCheck{Name: "elevation"}
	if elevated {
		c.Status, c.Detail = checkOK, "elevated: every kind of mounting point is possible"
		return c
	}
	c.Status, c.Detail = checkWarn, "not elevated: drive letters and network points work; folder points (mount manager), real SMB shares and points for other sessions do not"
	c.Fix = "run from an elevated prompt (Run as administrator), or install the service: plugfs service install"
	return c
}
