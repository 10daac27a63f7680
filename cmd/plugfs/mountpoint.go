package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/core/mountpoint"
)

func init() { registerCommand((*app).mountpointCmd) }

// mountpointRow is one line of `plugfs mountpoint list`.
type mountpointRow struct {
	Volume string    `json:"volume"`
	Point  string    `json:"point"`
	Kind   string    `json:"kind"`
	Flags  string    `json:"flags"`
	AuthID uint64    `json:"auth_id"`
	Driver string    `json:"driver"`
	Since  time.Time `json:"since"`
}

func (a *app) mountpointCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mountpoint",
		Short: "Add, remove and list the mounting points of the daemon's volumes",
		Long: `The mountpoint commands change where a running daemon's volume is visible
without restarting its plugin: every point of a volume is served by the same
plugin process and shows the same files.

A point added to a volume declared in the configuration is not written to
it: a reload that leaves the volume unchanged keeps the point, a reload that
changes the volume applies the configuration as written (added points go,
removed declared points come back).

They need the daemon (at --socket); without one they exit 51. A standalone
'plugfs mount' takes several mounting points on its command line instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{errors.New("give a subcommand: add, remove or list")}
		},
	}
	var timeout time.Duration
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", time.Minute, "how long to wait for the daemon")

	var pointFlags, authID string
	add := &cobra.Command{
		Use:   "add VOLUME POINT",
		Short: "Make a running volume of the daemon visible at one more mounting point",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := parsePoints(args[1:2], pointFlags, authID)
			if err != nil {
				return err
			}
			point := specs[0].String()
			if specs[0].Kind == mountpoint.KindDirectory {
				if point, err = filepath.Abs(args[1]); err != nil {
					return fmt.Errorf("%w: %s: %w", core.ErrMountPointInvalid, args[1], err)
				}
			}
			c, err := a.dialForMountpoint("add", "start `plugfs daemon`, or give several mounting points to `plugfs mount`")
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			r, err := c.AddMountPoint(ctx, &controlv1.AddMountPointRequest{Volume: args[0], Point: point,
				Flags: pointFlags, AuthId: specs[0].AuthID})
			if err != nil {
				return daemonMountErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "volume %s mounted at %s (%s)\n", args[0], r.GetPoint().GetPath(), r.GetPoint().GetDriver())
			return nil
		},
	}

	add.Flags().StringVar(&pointFlags, "point-flags", "", "Windows mounting-point flags: global, local, mount-manager, allow-map-as-drive, hidden, read-share, write-share, claim-server, notify-async (neither global nor local: global when the daemon runs as LocalSystem, a service or elevated, else local to its logon session)")
	add.Flags().StringVar(&authID, "auth-id", "", "Windows logon session (AuthenticationId LUID) a local point is visible in; implies local")

	var lazy bool
	remove := &cobra.Command{
		Use:   "remove VOLUME POINT",
		Short: "Unmount one mounting point of a running volume of the daemon; the others stay",
		Long: `Remove unmounts POINT of VOLUME; the volume, its plugin and its other points
keep running. A point in use is not removed (exit 41): close what uses it,
or pass --lazy to detach it now. A volume's last point is not removed: to
stop a volume, use plugfs unmount.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			point, err := filepath.Abs(args[1])
			if err != nil {
				return fmt.Errorf("%w: %s: %w", core.ErrMountPointInvalid, args[1], err)
			}
			c, err := a.dialForMountpoint("remove", "start `plugfs daemon`; a standalone mount's points go with `plugfs unmount`")
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			if _, err := c.RemoveMountPoint(ctx, &controlv1.RemoveMountPointRequest{Volume: args[0], Point: point, Lazy: lazy}); err != nil {
				return daemonMountErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "volume %s unmounted from %s\n", args[0], point)
			return nil
		},
	}
	remove.Flags().BoolVar(&lazy, "lazy", false, "detach now even if busy; the point goes away when its last user leaves")

	var asJSON bool
	list := &cobra.Command{
		Use:   "list [VOLUME]",
		Short: "List the mounting points of the daemon's volumes: volume, point, driver, since",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.dialForMountpoint("list", "start `plugfs daemon`; `plugfs list` shows standalone mounts")
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			l, err := c.List(ctx, &controlv1.ListRequest{})
			if err != nil {
				return daemonMountErr(err)
			}
			rows := []mountpointRow{}
			found := false
			for _, v := range l.GetVolumes() {
				if len(args) == 1 && v.GetName() != args[0] {
					continue
				}
				found = true
				for _, p := range v.GetPoints() {
					rows = append(rows, mountpointRow{Volume: v.GetName(), Point: p.GetPath(), Kind: p.GetKind(), Flags: p.GetFlags(),
						AuthID: p.GetAuthId(), Driver: p.GetDriver(), Since: time.Unix(0, p.GetSince()).UTC()})
				}
			}
			if len(args) == 1 && !found {
				return fmt.Errorf("%w: the daemon has no volume named %s", core.ErrNotMounted, args[0])
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VOLUME\tPOINT\tKIND\tFLAGS\tAUTH ID\tDRIVER\tSINCE")
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%#x\t%s\t%s\n", r.Volume, r.Point, r.Kind, r.Flags, r.AuthID, r.Driver, r.Since.Local().Format(time.DateTime))
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	cmd.AddCommand(add, remove, list)
	return cmd
}

// dialForMountpoint connects to the daemon; without one, the error says
// that `mountpoint sub` needs it and what to do instead (hint), and
// still wraps errNoDaemon (exit 51).
func (a *app) dialForMountpoint(sub, hint string) (*daemonClient, error) {
	c, err := dialDaemon(a.v.GetString("socket"))
	if errors.Is(err, errNoDaemon) {
		return nil, fmt.Errorf("mountpoint %s needs the plugfs daemon: %s; %w", sub, hint, err)
	}
	return c, err
}
