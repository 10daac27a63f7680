package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/daemon/controlv1"
)

// standaloneOnlyFlags are the mount flags that configure the serving
// process itself; a daemon serves with its own settings, so they make
// sense only with --standalone.
var standaloneOnlyFlags = []string{"log-file", "log-level", "log-format", "metrics-listen"}

// daemonForMount returns a connection to the running daemon that should
// serve a mount, or nil when the mount is to be served here: --standalone,
// the background child of a standalone mount, or no daemon. A daemon that
// refuses this user is said on stderr and the mount is served here.
func (a *app) daemonForMount(cmd *cobra.Command, f mountFlags) *daemonClient {
	if f.standalone || os.Getenv(readyFDEnv) != "" {
		return nil
	}
	c, err := dialDaemon(a.v.GetString("socket"))
	switch {
	case errors.Is(err, errNoDaemon):
		return nil
	case err != nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "plugfs: mounting here, not through the daemon: %v\n", err)
		return nil
	}
	return c
}

// mountThroughDaemon has the daemon serve the volume (an ad-hoc volume:
// reloads leave it alone; plugfs unmount stops it). It returns once the
// volume is mounted at every point, or with the daemon's error, which
// wraps the same sentinels (and so gets the same exit code) as a
// standalone mount's.
func (a *app) mountThroughDaemon(cmd *cobra.Command, c *daemonClient, pluginName string, points []string, f mountFlags) error {
	for _, name := range standaloneOnlyFlags {
		if cmd.Flags().Changed(name) {
			return usageError{fmt.Errorf("--%s configures the process serving the mount, and the plugfs daemon at %s serves this one with its own settings: drop --%s, or add --standalone to serve the mount from this process", name, a.v.GetString("socket"), name)}
		}
	}
	req, err := a.mountRequest(cmd, pluginName, points, f)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if req.Name, err = freeVolumeName(ctx, c, req.Name, cmd.Flags().Changed("name")); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.startTimeout+time.Minute)
	defer cancel()
	resp, err := c.Mount(ctx, req)
	if err != nil {
		return daemonMountErr(err)
	}
	v := resp.GetVolume()
	var at []string
	for _, p := range v.GetPoints() {
		at = append(at, p.GetPath())
	}
	fmt.Fprintf(cmd.OutOrStdout(), "mounted %s at %s through the plugfs daemon (volume %s, plugin pid %d); plugfs unmount %s stops it\n",
		v.GetPlugin(), strings.Join(at, ", "), v.GetName(), v.GetPluginPid(), at[0])
	return nil
}

// mountRequest validates the mount as a standalone mount would (the same
// errors, before anything is started) and turns it into the daemon's
// request: paths absolute, cache timeouts as given (0: no caching).
func (a *app) mountRequest(cmd *cobra.Command, pluginName string, points []string, f mountFlags) (*controlv1.MountRequest, error) {
	args, err := checkMountArgs(points, f, true)
	if err != nil {
		return nil, err
	}
	opts, mo, specs := args.opts, args.mo, args.specs
	if mo.FSName != "" || mo.Subtype != "" {
		return nil, usageError{fmt.Errorf("-o fsname= and -o subtype= are not passed to the plugfs daemon (it names the file system after the volume): drop them, or add --standalone")}
	}
	req := &controlv1.MountRequest{
		Name:            f.name,
		Plugin:          pluginArg(pluginName),
		Options:         opts,
		ReadOnly:        mo.ReadOnly,
		Driver:          f.driver,
		AttrTimeout:     int64(cacheTimeout(f.attrTimeout)),
		EntryTimeout:    int64(cacheTimeout(f.entryTimeout)),
		NegativeTimeout: int64(cacheTimeout(f.negativeTimeout)),
		StartTimeout:    int64(f.startTimeout),
		OpTimeout:       int64(f.opTimeout),
		NoPassthrough:   mo.NoPassthrough,
		NoReaddirplus:   mo.NoReadDirPlus,
		Readahead:       mo.ReadAhead,
		NoReadahead:     mo.NoReadAhead,
		Lazy:            f.lazy,
		IdleTimeout:     int64(f.idleTimeout),
		Debug:           f.debug,
		PointFlags:      f.pointFlags,
	}
	if mo.DataPlane != core.DataPlaneAuto {
		req.DataPlane = mo.DataPlane.String()
	}
	if mo.Writeback != core.WritebackAuto {
		req.Writeback = mo.Writeback.String()
	}
	if mountOptGiven(f.mountOpts, "allow_other", "private") {
		req.AllowOther = &mo.AllowOther
	}
	req.AuthId = specs[0].AuthID // --auth-id, the same for every point
	for _, sp := range specs {
		req.Mountpoints = append(req.Mountpoints, sp.String())
	}
	if req.Name == "" {
		req.Name = defaultVolumeName(pluginName)
		if src, err := a.catalog.Resolve(pluginName); err == nil {
			req.Name = src.Name
		}
	}
	return req, nil
}

// pluginArg is the plugin as the daemon should resolve it: a path made
// absolute (the daemon has another working directory), a name as it is.
func pluginArg(p string) string {
	name, pin, pinned := strings.Cut(p, "@sha256:")
	if !strings.ContainsRune(name, os.PathSeparator) && !strings.ContainsRune(name, '/') {
		return p
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	if pinned {
		return name + "@sha256:" + pin
	}
	return name
}

// defaultVolumeName names a volume after its plugin: the executable's
// base name without an extension or pin, made a valid volume name.
func defaultVolumeName(p string) string {
	name, _, _ := strings.Cut(filepath.Base(p), "@sha256:")
	name = strings.TrimSuffix(name, filepath.Ext(name))
	out := []rune{}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			out = append(out, r)
		default:
			out = append(out, '_')
		}
	}
	if len(out) == 0 || out[0] == '-' || out[0] == '_' || out[0] == '.' {
		out = append([]rune("v"), out...)
	}
	return string(out)
}

// freeVolumeName returns name, or when the daemon already runs a volume
// of that name and the user did not choose it, the first free name-N.
func freeVolumeName(ctx context.Context, c *daemonClient, name string, chosen bool) (string, error) {
	if chosen {
		return name, nil
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	list, err := c.List(lctx, &controlv1.ListRequest{})
	if err != nil {
		return "", daemonMountErr(err)
	}
	var names []string
	for _, v := range list.GetVolumes() {
		names = append(names, v.GetName())
	}
	for n, try := 2, name; ; n++ {
		if !slices.Contains(names, try) {
			return try, nil
		}
		try = fmt.Sprintf("%s-%d", name, n)
	}
}

// mountOptGiven reports whether any of names is among the -o options.
func mountOptGiven(groups []string, names ...string) bool {
	for _, g := range groups {
		for _, o := range strings.Split(g, ",") {
			if slices.Contains(names, strings.TrimSpace(o)) {
				return true
			}
		}
	}
	return false
}

// daemonMountErr is a control API error as the CLI reports it: the
// daemon's message, wrapping the sentinel the daemon's error wrapped (so
// exit codes match a standalone mount's), or the CLI's daemon sentinels.
func daemonMountErr(err error) error {
	back := daemon.FromStatus(err)
	if errors.Unwrap(back) != nil {
		if errors.Is(back, daemon.ErrInvalid) {
			return fmt.Errorf("%w: %w", errConfigInvalid, back)
		}
		return fmt.Errorf("plugfs daemon: %w", back)
	}
	return daemonErr(err)
}
