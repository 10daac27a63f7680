package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/platform/unmount"
)

func (a *app) unmountCmd() *cobra.Command {
	var lazy bool
	var wait time.Duration
	cmd := &cobra.Command{
		Use:     "unmount MOUNTPOINT",
		Aliases: []string{"umount"},
		Short:   "Unmount a plugfs mount and stop its server",
		Long: `Unmount detaches the plugfs mount at MOUNTPOINT. Its server then flushes,
stops the plugin and exits; unmount waits for that (see --wait).

A mount in use (open files, a shell's working directory) is not unmounted:
close what uses it, or pass --lazy to detach it now and let it go away when
the last user leaves.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			point, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			runDir := a.v.GetString("run-dir")
			rec, recErr := runstate.Get(runDir, point)
			typ, mounted := unmount.FSType(point)
			if !mounted {
				if recErr == nil {
					_ = runstate.Remove(runDir, point) // stale record
				}
				return fmt.Errorf("%w: nothing is mounted at %s", core.ErrNotMounted, point)
			}
			if recErr != nil && !strings.HasSuffix(typ, ".plugfs") {
				return fmt.Errorf("%w: %s is a %s mount, not plugfs's: use umount", core.ErrNotMounted, point, typ)
			}
			if err := unmount.Unmount(point, lazy); err != nil {
				return err
			}
			if recErr == nil && !lazy {
				if err := waitExit(rec.ServerPID, wait); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unmounted %s\n", point)
			return nil
		},
	}
	cmd.Flags().BoolVar(&lazy, "lazy", false, "detach now even if busy; the mount goes away when its last user leaves")
	cmd.Flags().DurationVar(&wait, "wait", 15*time.Second, "how long to wait for the server to stop its plugin and exit")
	return cmd
}

// waitExit waits until process pid is gone.
func waitExit(pid int, d time.Duration) error {
	if pid <= 0 || pid == os.Getpid() {
		return nil
	}
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("unmounted, but server pid %d is still running after %v", pid, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}
