//go:build !linux

package main

import "runtime"

// systemChecks has no checks for this system yet: it says so rather than
// report a healthy machine it has not looked at.
func systemChecks(string, string) []doctorCheck {
	return []doctorCheck{{
		Name:   "platform",
		Status: checkWarn,
		Detail: "plugfs doctor has no checks for " + runtime.GOOS + " yet (WinFsp, macFUSE and FUSE-T are not looked for)",
	}}
}
