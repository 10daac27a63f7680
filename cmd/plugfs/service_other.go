//go:build !linux

package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

// errServiceUnsupported says what to do instead on systems whose service
// manager plugfs does not drive yet.
func errServiceUnsupported() error {
	how := "run plugfs daemon from the system's service manager yourself"
	switch runtime.GOOS {
	case "windows":
		how = "the Windows service is not implemented yet; run plugfs daemon from a scheduled task or a service wrapper"
	case "darwin":
		how = "the launchd agent is not implemented yet; write a LaunchDaemon plist that runs plugfs daemon"
	}
	return exitError{code: exitServiceUnsupported, msg: "plugfs service: not supported on " + runtime.GOOS + ": " + how}
}

func serviceInstall(*cobra.Command, serviceFlags) error   { return errServiceUnsupported() }
func serviceUninstall(*cobra.Command, serviceFlags) error { return errServiceUnsupported() }
func serviceStatus(*cobra.Command, serviceFlags) error    { return errServiceUnsupported() }
