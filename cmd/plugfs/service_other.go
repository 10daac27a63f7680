//go:build !linux && !windows && !darwin

package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

// errServiceUnsupported says what to do instead on systems whose service
// manager plugfs does not drive (systemd, the Windows service control
// manager and launchd are driven).
func errServiceUnsupported() error {
	return exitError{code: exitServiceUnsupported, msg: "plugfs service: not supported on " + runtime.GOOS +
		": run plugfs daemon --config FILE from the system's service manager yourself"}
}

func serviceInstall(*cobra.Command, serviceFlags) error   { return errServiceUnsupported() }
func serviceUninstall(*cobra.Command, serviceFlags) error { return errServiceUnsupported() }
func serviceStatus(*cobra.Command, serviceFlags) error    { return errServiceUnsupported() }
