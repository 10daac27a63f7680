package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with the daemon's configuration file",
	}
	check := &cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a daemon configuration without mounting anything",
		Long: `Check reads FILE (default: --config, $PLUGFS_CONFIG, or ` + defaultConfigPath() + `)
as 'plugfs daemon' would: unknown keys, wrong types, impossible combinations,
unknown plugins or drivers and missing mounting points are reported with
their key and line. Nothing is mounted and no plugin is started.
Exit code 0 when valid, 50 when not.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.bindDaemonFlags(cmd.Flags())
			path := a.v.GetString("config")
			if len(args) == 1 {
				path = args[0]
			}
			lc, err := parseConfig(path)
			if err != nil {
				return err
			}
			if err := a.checkEnvironment(lc, a.settings(lc)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid, %d volumes\n", path, len(lc.Volumes.Volumes))
			return nil
		},
	}
	a.addDaemonFlags(check.Flags())
	cmd.AddCommand(check)
	return cmd
}
