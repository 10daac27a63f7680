package main

import (
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
		Long: `service install writes the service definition that runs
"plugfs daemon --config FILE" with this binary's path and, where the
service manager runs, enables and starts it; service uninstall stops and
removes it; service status says whether it is installed and running.
Linux with systemd is supported; other systems say so and exit with 61.`,
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
