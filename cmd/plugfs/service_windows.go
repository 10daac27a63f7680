//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/platform/winsvc"
)

// The Windows service plugfs service installs.
const (
	windowsServiceName    = "plugfs"
	windowsServiceDisplay = "plugfs daemon"
	// windowsStartWait bounds install's wait for the service to run
	// (the systemd unit's TimeoutStartSec).
	windowsStartWait = 90 * time.Second
	// windowsStopWait bounds uninstall's wait for it to stop: the
	// daemon's own bound (daemon.shutdown_timeout, 30 s by default) and
	// a margin, like the unit's TimeoutStopSec.
	windowsStopWait = winsvc.DefaultStopTimeout
)

// windowsNoRoot refuses --root: the service control manager keeps
// services in its own database, there are no files to write elsewhere.
func windowsNoRoot(f serviceFlags) error {
	if f.root == "" || f.root == "/" {
		return nil
	}
	return usageError{errors.New("plugfs service: --root writes service files under a directory, but Windows keeps services in the service control manager's database: drop --root")}
}

func serviceInstall(cmd *cobra.Command, f serviceFlags) error {
	if err := windowsNoRoot(f); err != nil {
		return err
	}
	self, config, err := serviceCommand(f)
	if err != nil {
		return err
	}
	args := []string{"daemon", "--config", config}
	desc := "Mounts the plugfs volumes declared in " + config + " and serves the plugfs control API."
	if err := winsvc.Install(windowsServiceName, windowsServiceDisplay, self, args, desc); err != nil {
		if errors.Is(err, winsvc.ErrExists) {
			return fmt.Errorf("service install: %w (plugfs service uninstall removes it)", err)
		}
		return fmt.Errorf("service install: %w", err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "installed service %s: %s\n", windowsServiceName, winsvc.CommandLine(self, args...))
	fmt.Fprintf(out, "starts automatically as LocalSystem; restarted %d times, %v apart, after a failure; logs to the Application event log (source %s)\n",
		winsvc.Restarts, winsvc.RestartDelay, windowsServiceName)
	if _, err := os.Stat(config); err != nil {
		fmt.Fprintf(out, "note: %s does not exist yet; write it (see plugfs config check), then start the service: sc.exe start %s\n", config, windowsServiceName)
		return nil
	}
	info, err := winsvc.Start(windowsServiceName, windowsStartWait)
	if err != nil {
		return fmt.Errorf("service install: installed, but %w; the Application event log (source %s) says why", err, windowsServiceName)
	}
	fmt.Fprintf(out, "started service %s (pid %d)\n", windowsServiceName, info.PID)
	return nil
}

func serviceUninstall(cmd *cobra.Command, f serviceFlags) error {
	if err := windowsNoRoot(f); err != nil {
		return err
	}
	// Stopping unmounts the daemon's volumes (as SIGTERM does), bounded.
	err := winsvc.Uninstall(windowsServiceName, windowsStopWait)
	if errors.Is(err, winsvc.ErrNotInstalled) {
		fmt.Fprintf(cmd.OutOrStdout(), "service %s was not installed\n", windowsServiceName)
		return nil
	}
	if err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "stopped and removed service %s\n", windowsServiceName)
	return nil
}

func serviceStatus(cmd *cobra.Command, f serviceFlags) error {
	if err := windowsNoRoot(f); err != nil {
		return err
	}
	info, err := winsvc.Status(windowsServiceName)
	if err != nil {
		return fmt.Errorf("service status: %w", err)
	}
	out := cmd.OutOrStdout()
	if !info.Installed {
		fmt.Fprintf(out, "not installed (no service %s in the service control manager)\n", windowsServiceName)
		return nil
	}
	fmt.Fprintf(out, "installed: service %s, start %s\ncommand: %s\n", windowsServiceName, info.StartType, info.CommandLine)
	switch {
	case info.PID != 0:
		fmt.Fprintf(out, "state: %s (pid %d)\n", winsvc.StateName(info.State), info.PID)
	case info.ExitCode != 0:
		fmt.Fprintf(out, "state: %s (last exit code %d)\n", winsvc.StateName(info.State), info.ExitCode)
	default:
		fmt.Fprintf(out, "state: %s\n", winsvc.StateName(info.State))
	}
	return nil
}
