package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
)

// unmountThroughDaemon unmounts the daemon's volume that has point among
// its mounting points: the whole volume, as plugfs unmount does for a
// standalone one (a configured volume comes back at the next reload). It
// reports handled=false when no daemon runs or none of its volumes is
// mounted at point, so the caller unmounts a standalone mount.
func (a *app) unmountThroughDaemon(cmd *cobra.Command, point string, lazy bool, wait time.Duration) (handled bool, err error) {
	c, err := dialDaemon(a.v.GetString("socket"))
	switch {
	case errors.Is(err, errNoDaemon):
		return false, nil
	case err != nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "plugfs: not asking the daemon: %v\n", err)
		return false, nil
	}
	defer c.Close()
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	list, err := c.List(lctx, &controlv1.ListRequest{})
	cancel()
	if err != nil {
		return true, daemonMountErr(err)
	}
	for _, v := range list.GetVolumes() {
		for _, p := range v.GetPoints() {
			if p.GetPath() != point {
				continue
			}
			uctx, cancel := context.WithTimeout(ctx, wait+10*time.Second)
			defer cancel()
			if _, err := c.Unmount(uctx, &controlv1.UnmountRequest{Name: v.GetName(), Lazy: lazy}); err != nil {
				return true, daemonMountErr(err)
			}
			for _, q := range v.GetPoints() {
				fmt.Fprintf(cmd.OutOrStdout(), "unmounted %s\n", q.GetPath())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "the plugfs daemon stopped volume %s\n", v.GetName())
			return true, nil
		}
	}
	return false, nil
}
