//go:build darwin

// plugfs service on macOS: a launchd LaunchDaemon. This file is
// compile-only in this project (GOOS=darwin go vet ./cmd/plugfs): no
// macOS runs its tests. The plist it writes is tested byte for byte, and
// parsed back, on Linux (packaging/launchd).

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/packaging/launchd"
)

// launchdActs reports whether launchctl is asked to act: only for the
// real root (with --root the files are written and nothing is loaded).
func launchdActs(root string) bool { return filepath.Clean(root) == "/" }

// launchctl runs launchctl with args, its output in the error.
func launchctl(args ...string) ([]byte, error) {
	out, err := exec.Command("launchctl", args...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("launchctl %v: %w: %s", args, err, out)
	}
	return out, nil
}

func serviceInstall(cmd *cobra.Command, f serviceFlags) error {
	self, config, err := serviceCommand(f)
	if err != nil {
		return err
	}
	path := launchd.PlistPath(f.root)
	for _, dir := range []string{filepath.Dir(path), filepath.Join(f.root, launchd.LogDir)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("service install: %w (LaunchDaemons are installed by root: use sudo)", err)
		}
	}
	// launchd refuses a plist that is group- or world-writable.
	if err := writeServiceFile(path, []byte(launchd.Plist(self, config)), " (LaunchDaemons are installed by root: use sudo)"); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "wrote %s (plugfs daemon --config %s; log %s)\n", path, config, filepath.Join(f.root, launchd.LogFile))
	if _, err := os.Stat(config); err != nil {
		fmt.Fprintf(out, "note: %s does not exist yet; write it (see plugfs config check) before the service starts\n", config)
	}
	if !launchdActs(f.root) {
		fmt.Fprintf(out, "--root is set: load it on the target system with: launchctl bootstrap system %s\n", launchd.PlistPath("/"))
		return nil
	}
	if _, err := launchctl("print", launchd.Target); err == nil {
		// Loaded already (a reinstall): bootstrap would fail; reload.
		if _, err := launchctl("bootout", launchd.Target); err != nil {
			return fmt.Errorf("service install: %w", err)
		}
	}
	if _, err := launchctl("bootstrap", "system", path); err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	fmt.Fprintf(out, "loaded %s (it starts now and at every boot)\n", launchd.Target)
	return nil
}

func serviceUninstall(cmd *cobra.Command, f serviceFlags) error {
	path := launchd.PlistPath(f.root)
	if launchdActs(f.root) {
		// bootout sends SIGTERM: the daemon unmounts its volumes, within
		// the plist's ExitTimeOut. Not loaded is fine.
		_, _ = launchctl("bootout", launchd.Target)
	}
	if err := os.Remove(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(cmd.OutOrStdout(), "%s was not installed\n", path)
		return nil
	} else if err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", path)
	return nil
}

func serviceStatus(cmd *cobra.Command, f serviceFlags) error {
	path := launchd.PlistPath(f.root)
	out := cmd.OutOrStdout()
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(out, "not installed (%s missing)\n", path)
	} else {
		fmt.Fprintf(out, "installed: %s\n", path)
	}
	if !launchdActs(f.root) {
		fmt.Fprintln(out, "launchd: not asked (--root is set)")
		return nil
	}
	b, err := launchctl("print", launchd.Target)
	if err != nil {
		fmt.Fprintf(out, "launchd: %s is not loaded\n", launchd.Target)
		return nil
	}
	j := launchd.ParsePrint(string(b))
	switch {
	case j.PID != 0:
		fmt.Fprintf(out, "launchd: %s (pid %d)\n", j.State, j.PID)
	case j.LastExitCode != "":
		fmt.Fprintf(out, "launchd: %s (last exit code %s)\n", j.State, j.LastExitCode)
	default:
		fmt.Fprintf(out, "launchd: %s\n", j.State)
	}
	return nil
}
