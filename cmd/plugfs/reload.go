package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
)

func (a *app) reloadCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "reload",
		Short: "Make the running daemon re-read its configuration and apply the difference",
		Long: `Reload asks the daemon (at --socket) to re-read its configuration file, as
SIGHUP does: new volumes are mounted, removed ones unmounted, changed ones
remounted, unchanged ones left alone (their open files keep working).

An invalid configuration changes nothing (exit 50). When some volumes could
not be changed (busy, plugin failed), the others are still applied and
reload exits 54. Without a daemon, it exits 51.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := dialDaemon(a.v.GetString("socket"))
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			res, err := c.Reload(ctx, &controlv1.ReloadRequest{})
			if err != nil {
				return daemonErr(err)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VOLUME\tCHANGE\tRESULT")
			failed := 0
			for _, s := range res.GetSteps() {
				r := "ok"
				if s.GetError() != "" {
					r, failed = "failed: "+s.GetError(), failed+1
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", s.GetVolume(), s.GetChange(), r)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%w: %d of %d volumes could not be changed", errReloadPartial, failed, len(res.GetSteps()))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "how long to wait for the daemon to apply the reload")
	return cmd
}
