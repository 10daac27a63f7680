package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// exitServiceUnsupported: this system's service manager is not supported.
const exitServiceUnsupported = 61

func init() { registerCommand((*app).serviceCmd) }

// serviceFlags are what install needs besides the binary's own path.
type serviceFlags struct {
	root   string // prefix for the files written (tests, image builds)
	config string
}

func (a *app) serviceCmd() *cobra.Command {
	var f serviceFlags
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Install, remove or inspect plugfs daemon as a system service",
		Long: `service install makes "plugfs daemon --config FILE" a system service
running this binary and, where the service manager runs, starts it;
service uninstall stops and removes it; service status says whether it is
installed and running.

Linux: writes the systemd unit /etc/systemd/system/plugfs.service, then
  systemctl daemon-reload and enable --now (only where systemd runs and
  --root is /).
Windows: creates the service "plugfs" with the service control manager
  (automatic start, LocalSystem, restarted 3 times 5s apart after a
  failure, log in the Application event log) and starts it once FILE
  exists; Stop unmounts like SIGTERM, "sc.exe control plugfs paramchange"
  reloads like SIGHUP. --root does not apply.
macOS: writes /Library/LaunchDaemons/dev.plugfs.daemon.plist (log in
  /Library/Logs/plugfs), then launchctl bootstrap system (only when
  --root is /); uninstall runs launchctl bootout, status launchctl print.
  This part is compiled but not run by plugfs's own tests.
Other systems say so and exit with 61.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.root, "root", "/", "write under this directory instead of / (for images; the service manager is then left alone)")
	install := &cobra.Command{
		Use:   "install",
		Short: "Install and start the plugfs daemon service",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return serviceInstall(cmd, f) },
	}
	install.Flags().StringVar(&f.config, "config", defaultConfigPath(), "the configuration file the service runs with")
	cmd.AddCommand(install,
		&cobra.Command{
			Use:   "uninstall",
			Short: "Stop and remove the plugfs daemon service",
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return serviceUninstall(cmd, f) },
		},
		&cobra.Command{
			Use:   "status",
			Short: "Say whether the plugfs daemon service is installed and running",
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return serviceStatus(cmd, f) },
		})
	return cmd
}

// serviceCommand returns what the service runs: this binary's real path
// (symbolic links resolved) and the configuration file's absolute path.
func serviceCommand(f serviceFlags) (self, config string, err error) {
	if self, err = os.Executable(); err != nil {
		return "", "", fmt.Errorf("service install: cannot find this binary: %w", err)
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return "", "", fmt.Errorf("service install: %w", err)
	}
	if config, err = filepath.Abs(f.config); err != nil {
		return "", "", fmt.Errorf("service install: %w", err)
	}
	return self, config, nil
}

// writeServiceFile writes a service definition whole or not at all
// (a temporary file renamed over path), mode 0644: service managers
// refuse definitions others may write. hint is added to a failure to
// write (such as "use sudo").
func writeServiceFile(path string, data []byte, hint string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("service install: %w%s", err, hint)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("service install: %w", err)
	}
	return nil
}
