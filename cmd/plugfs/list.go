package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/platform/unmount"
)

// listed is one row of `plugfs list`.
type listed struct {
	runstate.Record
	State string `json:"state"`
	// Daemon is set for the volumes of a running plugfs daemon.
	Daemon bool `json:"daemon,omitempty"`
}

func (a *app) listCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List plugfs mounts (standalone and the daemon's): mount point, plugin, plugin pid, server pid",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			runDir := a.v.GetString("run-dir")
			recs, err := runstate.List(runDir)
			if err != nil {
				return err
			}
			rows := make([]listed, 0, len(recs))
			for _, r := range recs {
				_, mounted := unmount.FSType(r.Point)
				switch {
				case !alive(r.ServerPID) && !mounted:
					_ = runstate.Remove(runDir, r.Point) // left by a killed server; nothing there
					continue
				case !alive(r.ServerPID):
					rows = append(rows, listed{Record: r, State: "stale: server gone, run plugfs unmount"})
				case !mounted:
					rows = append(rows, listed{Record: r, State: "unmounting"})
				default:
					rows = append(rows, listed{Record: r, State: "mounted"})
				}
			}
			rows = append(rows, a.daemonRows(cmd.Context())...)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "MOUNTPOINT\tVOLUME\tPLUGIN\tPLUGIN PID\tSERVER PID\tDRIVER\tSTATE")
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.Point, r.Volume, r.Plugin, r.PluginPID, r.ServerPID, r.Driver, r.State)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
