package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/packaging/systemd"
)

// unitPath is where the unit goes, under root.
func unitPath(root string) string {
	return filepath.Join(root, "etc", "systemd", "system", "plugfs.service")
}

// systemdRuns reports whether systemd manages this machine (sd_booted):
// only then, and only for the real root, is systemctl asked to act.
func systemdRuns(root string) bool {
	if filepath.Clean(root) != "/" {
		return false
	}
	fi, err := os.Stat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

func serviceInstall(cmd *cobra.Command, f serviceFlags) error {
	self, config, err := serviceCommand(f)
	if err != nil {
		return err
	}
	path := unitPath(f.root)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	if err := writeServiceFile(path, []byte(systemd.Unit(self, config)), ""); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "wrote %s (plugfs daemon --config %s)\n", path, config)
	if _, err := os.Stat(config); err != nil {
		fmt.Fprintf(out, "note: %s does not exist yet; write it (see plugfs config check) before the service starts\n", config)
	}
	if !systemdRuns(f.root) {
		fmt.Fprintln(out, "systemd does not run here (or --root is set): enable it where it does with: systemctl daemon-reload && systemctl enable --now plugfs")
		return nil
	}
	for _, args := range [][]string{{"daemon-reload"}, {"enable", "--now", "plugfs.service"}} {
		if b, err := exec.Command("systemctl", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("systemctl %v: %v: %s", args, err, b)
		}
	}
	fmt.Fprintln(out, "enabled and started plugfs.service")
	return nil
}

func serviceUninstall(cmd *cobra.Command, f serviceFlags) error {
	path := unitPath(f.root)
	if systemdRuns(f.root) {
		// Stopping unmounts the daemon's volumes (SIGTERM, bounded).
		_ = exec.Command("systemctl", "disable", "--now", "plugfs.service").Run()
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("service uninstall: %w", err)
	} else if err != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "%s was not installed\n", path)
		return nil
	}
	if systemdRuns(f.root) {
		_ = exec.Command("systemctl", "daemon-reload").Run()
	}
	fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", path)
	return nil
}

func serviceStatus(cmd *cobra.Command, f serviceFlags) error {
	path := unitPath(f.root)
	out := cmd.OutOrStdout()
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(out, "not installed (%s missing)\n", path)
	} else {
		fmt.Fprintf(out, "installed: %s\n", path)
	}
	if systemdRuns(f.root) {
		b, _ := exec.Command("systemctl", "is-active", "plugfs.service").Output()
		fmt.Fprintf(out, "systemd: %s", b)
	} else {
		fmt.Fprintln(out, "systemd: not running here")
	}
	return nil
}
