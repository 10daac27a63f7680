package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// servePluginCmd serves a built-in plugin: the host runs this binary with
// it to keep built-ins out of process.
func (a *app) servePluginCmd() *cobra.Command {
	return &cobra.Command{
		Use:    servePluginCmd + " NAME",
		Short:  "Serve a built-in plugin (run by plugfs itself)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p, ok := a.catalog.Builtin(args[0])
			if !ok {
				return fmt.Errorf("%w: no built-in plugin %q", core.ErrPluginUnknown, args[0])
			}
			sdk.Serve(p)
			return nil
		},
	}
}
