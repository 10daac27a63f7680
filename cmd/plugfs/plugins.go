package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) pluginsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "plugins",
		Short: "List built-in plugins and plugins found in the plugin directories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tKIND\tOPTIONS\tDESCRIPTION")
			for _, p := range a.catalog.Builtins() {
				opts := ""
				for i, o := range p.Options {
					if i > 0 {
						opts += ","
					}
					opts += o.Name
					if o.Required {
						opts += "*"
					}
				}
				if opts == "" {
					opts = "-"
				}
				fmt.Fprintf(w, "%s\tbuilt-in\t%s\t%s\n", p.Name, opts, p.Description)
			}
			for _, s := range a.catalog.Installed() {
				fmt.Fprintf(w, "%s\texternal\t?\t%s\n", s.Name, s.Path)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "(* = required option; external plugins announce their options when started)")
			return nil
		},
	}
}
