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

A volume mounted at several points ('plugfs mount PLUGIN A B') is unmounted
whole: given any one of its points, unmount unmounts every point, then its
server stops. (To drop one point and keep the others, use umount or
fusermount3 -u on it.)

A volume the plugfs daemon serves (mounted through it, or declared in its
configuration) is unmounted by the daemon, whole; a declared one comes
back at the next reload.

A mount in use (open files, a shell's working directory) is not unmounted:
close what uses it, or pass --lazy to detach it now and let it go away when
the last user leaves. When one point of a volume is in use, the points
before it are unmounted and the rest stay: run unmount again once it is
free.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			point, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if handled, err := a.unmountThroughDaemon(cmd, point, lazy, wait); handled {
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
			var others []string
			if recErr == nil {
				others = siblingPoints(runDir, rec)
			}
			if err := unmount.Unmount(point, lazy); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unmounted %s\n", point)
			for _, other := range others {
				if err := unmount.Unmount(other, lazy); err != nil {
					return fmt.Errorf("%s is a mounting point of the same volume, still mounted: %w", other, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "unmounted %s\n", other)
			}
			if recErr == nil && !lazy {
				if err := waitExit(rec.ServerPID, wait); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&lazy, "lazy", false, "detach now even if busy; the mount goes away when its last user leaves")
	cmd.Flags().DurationVar(&wait, "wait", 15*time.Second, "how long to wait for the server to stop its plugin and exit")
	return cmd
}

// siblingPoints returns the other mounting points of rec's volume that the
// same server still serves: those its record lists that are mounted and
// recorded as that server's.
func siblingPoints(runDir string, rec runstate.Record) []string {
	var out []string
	for _, p := range rec.Points {
		if p == rec.Point {
			continue
		}
		if r, err := runstate.Get(runDir, p); err != nil || r.ServerPID != rec.ServerPID {
			continue
		}
		if _, mounted := unmount.FSType(p); mounted {
			out = append(out, p)
		}
	}
	return out
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
