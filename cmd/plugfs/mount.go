package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/mountdir"
	"github.com/plugfs/plugfs/platform/runstate"
)

// mountFlags are the flags of `plugfs mount`.
type mountFlags struct {
	opts            []string
	mountOpts       []string
	background      bool
	driver          string
	name            string
	startTimeout    time.Duration
	opTimeout       time.Duration
	attrTimeout     time.Duration
	entryTimeout    time.Duration
	negativeTimeout time.Duration
	logLevel        string
	logFormat       string
	logFile         string
	debug           bool
	pointFlags      string // mountpoint.ParseFlags, for every point
	authID          string // logon session of local points (Windows)
	metricsListen   string // host:port of the Prometheus endpoint; "" for none
	lazy            bool
	idleTimeout     time.Duration
	standalone      bool // serve here even when a daemon runs
}

func (a *app) mountCmd() *cobra.Command {
	var f mountFlags
	cmd := &cobra.Command{
		Use:   "mount PLUGIN MOUNTPOINT [MOUNTPOINT...]",
		Short: "Mount a plugin's file system on one or more empty directories",
		Long: `Mount serves PLUGIN's file system at MOUNTPOINT, an existing empty directory.

Given several mounting points, mount serves one volume at all of them: one
plugin process and one file system, so a file written through one point is
the same file at the others. If any point cannot be mounted, none is left
mounted and the error names that point. 'plugfs unmount' on any of the
points unmounts them all and stops the server; unmounting one with umount
or fusermount3 -u leaves the others served.

PLUGIN is a built-in plugin (see 'plugfs plugins'), the name of an executable
in a plugin directory, or a path to a plugin executable. The plugin runs as
its own process; if it crashes, plugfs restarts it and the mount stays.

When a plugfs daemon runs (its control socket answers, see --socket), the
daemon serves the mount: mount returns once it is ready, 'plugfs list'
shows it as the daemon's, and 'plugfs unmount' stops it. Reloads of the
daemon's configuration leave it alone. Flags that configure the serving
process (--log-file, --log-level, --metrics-listen) are refused then; pass
--standalone to serve from this process instead. A daemon that refuses
this user is reported and the mount is served here.

Standalone, mount stays in the foreground until interrupted (Ctrl-C,
SIGTERM) or unmounted, then unmounts cleanly. With --background it returns
once the mount is ready (exit 0), or fails with the reason and a non-zero
exit code.`,
		Example: `  plugfs mount memfs /mnt/mem
  plugfs mount local /mnt/data --opt root=/srv/data -o ro
  plugfs mount memfs /mnt/mem --opt size=1G --background
  plugfs mount memfs /mnt/a /mnt/b --background`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runMount(cmd, args[0], args[1:], f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.opts, "opt", nil, "plugin option key=value (repeatable)")
	fl.StringSliceVarP(&f.mountOpts, "options", "o", nil, "mount options: ro, rw, allow_other (the default as root), private (only the mounting user), default_permissions (always on), fsname=NAME, subtype=NAME, dataplane=auto|shm|messages|grpc, passthrough=on|off, readdirplus=on|off, writeback=auto|on|off (the kernel caches writes; see docs/cli.md), readahead=auto|on|off (the host also reads ahead of sequential reads; auto: when the plugin says its reads are slow)")
	fl.BoolVar(&f.background, "background", false, "return once the mount is ready and keep serving in the background")
	fl.StringVar(&f.driver, "driver", "", "mount driver (default: the preferred available one)")
	fl.StringVar(&f.name, "name", "", "volume name (default: the plugin's name)")
	fl.DurationVar(&f.startTimeout, "start-timeout", 10*time.Second, "how long the plugin may take to start")
	fl.DurationVar(&f.opTimeout, "op-timeout", 30*time.Second, "how long one plugin operation may take before it fails with EIO")
	fl.DurationVar(&f.attrTimeout, "attr-timeout", time.Second, "how long the kernel may cache attributes")
	fl.DurationVar(&f.entryTimeout, "entry-timeout", time.Second, "how long the kernel may cache names")
	fl.DurationVar(&f.negativeTimeout, "negative-timeout", 0, "how long the kernel may cache that a name does not exist")
	fl.StringVar(&f.logLevel, "log-level", "warn", "log level: trace, debug, info, warn, error")
	fl.StringVar(&f.logFormat, "log-format", "text", "log lines as text (key=value) or json")
	fl.StringVar(&f.logFile, "log-file", "", "log to this file (default: standard error; with --background, discarded)")
	fl.BoolVar(&f.debug, "debug", false, "log every kernel request and every plugin operation (at info level)")
	fl.StringVar(&f.pointFlags, "point-flags", "", "Windows mounting-point flags for every point: global, local, mount-manager, allow-map-as-drive, hidden, read-share, write-share, claim-server, notify-async (neither global nor local: global when the plugfs serving it, this one or the daemon, runs as LocalSystem, as a service or elevated, else local to its logon session)")
	fl.BoolVar(&f.lazy, "lazy", false, "start the plugin at the first access, not now (it runs once to announce its features)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", 0, "stop the plugin after this long unused (no operation, no open file); the next access starts it (0: never)")
	fl.StringVar(&f.metricsListen, "metrics-listen", "", "serve Prometheus metrics at http://ADDR/metrics (host:port, such as 127.0.0.1:9477); see plugfs stats")
	fl.BoolVar(&f.standalone, "standalone", false, "serve the mount from this process even when a plugfs daemon runs")
	fl.StringVar(&f.authID, "auth-id", "", "Windows logon session (AuthenticationId LUID, 0x3e7 or decimal) a local point is visible in; implies local (default: the caller's)")
	return cmd
}

// mountPlan is a validated mount request.
type mountPlan struct {
	cfg    engine.VolumeConfig
	points []string          // as shown: directories absolute and clean, in command-line order
	specs  []mountpoint.Spec // the same points, parsed
}

// plan validates everything that can be checked without side effects.
func (a *app) plan(pluginName string, points []string, f mountFlags, log *slog.Logger) (mountPlan, error) {
	args, err := checkMountArgs(points, f, os.Geteuid() == 0)
	if err != nil {
		return mountPlan{}, err
	}
	opts, mo, specs := args.opts, args.mo, args.specs
	if _, ok := parseLogLevel(f.logLevel); !ok {
		return mountPlan{}, usageError{fmt.Errorf("unknown --log-level %q: use trace, debug, info, warn or error", f.logLevel)}
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return mountPlan{}, usageError{fmt.Errorf("unknown --log-format %q: use text or json", f.logFormat)}
	}
	src, err := a.catalog.Resolve(pluginName)
	if err != nil {
		return mountPlan{}, err
	}
	clean := make([]string, len(specs))
	for i := range specs {
		clean[i] = specs[i].String()
	}
	if _, err := core.LookupDriver(f.driver); err != nil {
		return mountPlan{}, err
	}
	if mo.FSName == "" {
		mo.FSName = src.Name
		if !src.Builtin {
			mo.FSName = filepath.Base(src.Path)
		}
	}
	if mo.Subtype == "" {
		mo.Subtype = "plugfs"
	}
	mo.DefaultPermissions = true // see docs/ARCHITECTURE.md: POSIX mode bits are enforced by the kernel
	if f.debug {
		mo.Debug = func(msg string) { log.Info(msg) }
	}
	name := f.name
	if name == "" {
		name = src.Name
	}
	return mountPlan{points: clean, specs: specs, cfg: engine.VolumeConfig{
		Name:    name,
		Plugin:  src,
		Options: opts,
		Host: host.Config{
			StartTimeout: f.startTimeout,
			OpTimeout:    f.opTimeout,
			Logger:       log.With("volume", name),
			Lazy:         f.lazy,
			IdleTimeout:  f.idleTimeout,
		},
		VFS: vfs.Options{EntryTimeout: cacheTimeout(f.entryTimeout), AttrTimeout: cacheTimeout(f.attrTimeout),
			NegativeTimeout: cacheTimeout(f.negativeTimeout)},
		Driver: f.driver,
		Mount:  mo,
	}}, nil
}

// mountArgs are the checked arguments of a mount, standalone or through
// the daemon.
type mountArgs struct {
	opts  map[string]string
	mo    core.MountOptions
	specs []mountpoint.Spec // directories absolute and clean (checkPoints)
}

// checkMountArgs checks what a mount is given, without side effects:
// plugin options, -o options (root: the default of allow_other), the idle
// timeout and the mounting points.
func checkMountArgs(points []string, f mountFlags, root bool) (mountArgs, error) {
	var args mountArgs
	var err error
	if args.opts, err = parsePluginOpts(f.opts); err != nil {
		return mountArgs{}, err
	}
	if err := parseMountOpts(f.mountOpts, &args.mo, root); err != nil {
		return mountArgs{}, err
	}
	if f.idleTimeout < 0 {
		return mountArgs{}, usageError{fmt.Errorf("--idle-timeout %v: must not be negative (0 keeps the plugin running)", f.idleTimeout)}
	}
	if args.specs, err = parsePoints(points, f.pointFlags, f.authID); err != nil {
		return mountArgs{}, err
	}
	var dirs []string
	for _, sp := range args.specs {
		if sp.Kind == mountpoint.KindDirectory {
			dirs = append(dirs, sp.Path)
		}
	}
	cleanDirs, err := checkPoints(dirs)
	if err != nil {
		return mountArgs{}, err
	}
	for i := range args.specs {
		if args.specs[i].Kind == mountpoint.KindDirectory {
			args.specs[i].Path, cleanDirs = cleanDirs[0], cleanDirs[1:]
		}
	}
	return args, nil
}

// parsePoints parses the mounting points as given with the flags of
// --point-flags and --auth-id. Kinds other than directories exist only on
// Windows; elsewhere they are refused here, before the plugin starts.
func parsePoints(points []string, flagList, authID string) ([]mountpoint.Spec, error) {
	flags, err := mountpoint.ParseFlags(flagList)
	if err != nil {
		return nil, usageError{fmt.Errorf("--point-flags: %w", err)}
	}
	var auth uint64
	if authID != "" {
		if auth, err = strconv.ParseUint(authID, 0, 64); err != nil {
			return nil, usageError{fmt.Errorf("--auth-id %q: give the logon session's AuthenticationId as a number (0x3e7 or 999)", authID)}
		}
	}
	specs := make([]mountpoint.Spec, 0, len(points))
	for _, pt := range points {
		sp, err := mountpoint.Parse(pt, flags, auth)
		if err != nil {
			return nil, err
		}
		if sp.Kind != mountpoint.KindDirectory && runtime.GOOS != "windows" {
			return nil, fmt.Errorf("%w: %s is a %s mounting point, which only Windows has: on %s give an empty directory", core.ErrMountPointInvalid, pt, sp.Kind, runtime.GOOS)
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

// checkPoints checks every mounting point (mountdir.Check) and that none
// is given twice (also through a symbolic link) or nested in another; it
// returns them absolute and clean.
func checkPoints(points []string) ([]string, error) {
	clean := make([]string, 0, len(points))
	resolved := make([]string, 0, len(points)) // symbolic links resolved
	for _, pt := range points {
		c, err := mountdir.Check(pt)
		if err != nil {
			return nil, err
		}
		r, err := filepath.EvalSymlinks(c)
		if err != nil {
			r = c
		}
		for i, o := range resolved {
			switch {
			case o == r:
				return nil, fmt.Errorf("%w: %s is given twice (as %s and %s)", core.ErrMountPointInvalid, r, clean[i], c)
			case strings.HasPrefix(r, o+string(filepath.Separator)) || strings.HasPrefix(o, r+string(filepath.Separator)):
				return nil, fmt.Errorf("%w: %s and %s are nested: mounting points may not contain each other", core.ErrMountPointInvalid, clean[i], c)
			}
		}
		clean, resolved = append(clean, c), append(resolved, r)
	}
	return clean, nil
}

func (a *app) runMount(cmd *cobra.Command, pluginName string, points []string, f mountFlags) error {
	if c := a.daemonForMount(cmd, f); c != nil {
		defer c.Close()
		return a.mountThroughDaemon(cmd, c, pluginName, points, f)
	}
	if f.background && os.Getenv(readyFDEnv) == "" {
		// Check what can be checked here, so usage errors come back at once.
		if _, err := a.plan(pluginName, points, f, discardLogger()); err != nil {
			return err
		}
		return startBackground(cmd)
	}
	ready := readyReporter()
	log, closeLog, err := newLogger(f)
	if err != nil {
		ready.fail(err)
		return err
	}
	defer closeLog()
	err = a.serve(cmd, pluginName, points, f, log, ready)
	if err != nil {
		ready.fail(err)
	}
	return err
}

// serve mounts, reports readiness and serves until interrupted or until
// every mounting point is unmounted.
func (a *app) serve(cmd *cobra.Command, pluginName string, points []string, f mountFlags, log *slog.Logger, ready *readiness) error {
	p, err := a.plan(pluginName, points, f, log)
	if err != nil {
		return err
	}
	recs := &runRecords{dir: a.v.GetString("run-dir"), log: log, rec: runstate.Record{Volume: p.cfg.Name,
		Plugin: p.cfg.Plugin.Name, ServerPID: os.Getpid(), ReadOnly: p.cfg.Mount.ReadOnly, Started: time.Now().UTC()}}
	p.cfg.Host.OnStart = recs.setPluginPID
	p.cfg.Host.OnPark = func() { recs.setPluginPID(0) }

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	mctx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	met, err := startMetrics(mctx, f.metricsListen, log)
	if err != nil {
		return err
	}
	p.cfg.Host.Observe = met.observer(p.cfg.Name)
	p.cfg.VFS.OnCache = met.cacheObserver(p.cfg.Name)
	if f.debug {
		p.cfg.Host.Observe = opLogger(log.With("volume", p.cfg.Name, "plugin", p.cfg.Plugin.Name), p.cfg.Host.Observe)
	}
	eng := engine.New()
	vol, err := eng.Create(p.cfg)
	if err != nil {
		return err
	}
	if err := vol.MountMedia(ctx); err != nil {
		return err
	}
	infos, err := mountPoints(ctx, vol, p.specs, log)
	if err != nil {
		return err
	}
	met.track(func() []volumeSample {
		return []volumeSample{{name: p.cfg.Name, restarts: vol.PluginRestarts(), points: len(vol.MountPoints())}}
	})
	recs.mounted(infos)
	defer recs.removeAll()
	for _, info := range infos {
		done := vol.PointDone(info.Point)
		go func() {
			if done != nil {
				<-done
			}
			recs.drop(info.Point)
		}()
	}
	ready.ok(fmt.Sprintf("mounted %s at %s (plugfs pid %d, plugin pid %d)", p.cfg.Plugin.Name, strings.Join(p.points, ", "), os.Getpid(), vol.PluginPID()))

	select {
	case sig := <-sigs:
		log.Info("unmounting", "signal", sig.String(), "points", p.points)
		return unmountOnSignal(vol, log, sigs)
	case <-vol.Idle():
		// Unmounted from outside (plugfs unmount, fusermount3 -u, umount).
		log.Info("unmounted from outside", "points", p.points)
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := vol.Unmount(sctx, true)
		if errors.Is(err, core.ErrVolumeState) {
			return nil
		}
		return err
	}
}

// mountPoints adds every point to vol, whose media is mounted. If one
// fails, nothing stays: the points already added are removed, the plugin
// is stopped, and the error names the point that failed.
func mountPoints(ctx context.Context, vol *engine.Volume, points []mountpoint.Spec, log *slog.Logger) ([]engine.MountPointInfo, error) {
	infos := make([]engine.MountPointInfo, 0, len(points))
	for _, pt := range points {
		info, err := vol.AddMountPointSpec(ctx, pt)
		if err != nil {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if uerr := vol.Unmount(uctx, true); uerr != nil {
				log.Warn("cannot undo the mounting points already added", "error", uerr)
			}
			cancel()
			if len(points) > 1 {
				return nil, fmt.Errorf("mounting point %s: %w", pt, err)
			}
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// runRecords keeps the run records of one standalone volume, one per
// mounting point, current as its plugin restarts and its points go away.
type runRecords struct {
	dir string
	log *slog.Logger

	mu     sync.Mutex
	rec    runstate.Record // Point and Points are set per write
	points []string        // the points that have a record
}

// setPluginPID records the pid of a (re)started plugin.
func (r *runRecords) setPluginPID(pid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rec.PluginPID = pid
	r.writeLocked()
}

// mounted writes a record for each mounting point.
func (r *runRecords) mounted(infos []engine.MountPointInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.points = r.points[:0]
	for _, info := range infos {
		r.rec.Driver = info.Driver
		r.points = append(r.points, info.Point)
	}
	r.writeLocked()
}

// drop removes the record of a point that went away and updates the
// others' list of points.
func (r *runRecords) drop(pt string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.Index(r.points, pt)
	if i < 0 {
		return
	}
	r.points = slices.Delete(r.points, i, i+1)
	_ = runstate.Remove(r.dir, pt)
	r.writeLocked()
}

// removeAll removes every record.
func (r *runRecords) removeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pt := range r.points {
		_ = runstate.Remove(r.dir, pt)
	}
	r.points = nil
}

func (r *runRecords) writeLocked() {
	for _, pt := range r.points {
		rec := r.rec
		rec.Point, rec.Points = pt, slices.Clone(r.points)
		if err := runstate.Write(r.dir, rec); err != nil {
			r.log.Warn("cannot write run record: plugfs list will not show this mount", "point", pt, "error", err)
		}
	}
}

// unmountOnSignal unmounts cleanly; if the mount is busy it detaches it
// lazily and keeps serving its remaining users until they leave. A second
// signal while waiting gives up waiting.
func unmountOnSignal(vol *engine.Volume, log *slog.Logger, sigs <-chan os.Signal) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-sigs:
			log.Warn("second signal: exiting without waiting for open files to close")
			cancel()
		case <-ctx.Done():
		}
	}()
	err := vol.Unmount(ctx, false)
	if err == nil {
		return nil
	}
	log.Warn("mount is busy; detaching it lazily and serving open files until they close", "error", err)
	return vol.Unmount(ctx, true)
}

func newLogger(f mountFlags) (*slog.Logger, func(), error) {
	out := os.Stderr
	closeFn := func() {}
	if f.logFile != "" {
		lf, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--log-file %s: %w", f.logFile, err)}
		}
		out, closeFn = lf, func() { lf.Close() }
	}
	level, _ := parseLogLevel(f.logLevel)
	if f.debug && level > slog.LevelInfo {
		level = slog.LevelInfo
	}
	log, err := newSlog(out, level, f.logFormat)
	if err != nil {
		closeFn()
		return nil, nil, usageError{fmt.Errorf("--log-format: %w", err)}
	}
	return log, closeFn, nil
}
