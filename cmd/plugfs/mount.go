package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/engine"
	"github.com/plugfs/plugfs/core/host"
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
	logFile         string
	debug           bool
}

func (a *app) mountCmd() *cobra.Command {
	var f mountFlags
	cmd := &cobra.Command{
		Use:   "mount PLUGIN MOUNTPOINT",
		Short: "Mount a plugin's file system on an empty directory",
		Long: `Mount serves PLUGIN's file system at MOUNTPOINT, an existing empty directory.

PLUGIN is a built-in plugin (see 'plugfs plugins'), the name of an executable
in a plugin directory, or a path to a plugin executable. The plugin runs as
its own process; if it crashes, plugfs restarts it and the mount stays.

By default mount stays in the foreground until interrupted (Ctrl-C, SIGTERM)
or unmounted, then unmounts cleanly. With --background it returns once the
mount is ready (exit 0), or fails with the reason and a non-zero exit code.`,
		Example: `  plugfs mount memfs /mnt/mem
  plugfs mount local /mnt/data --opt root=/srv/data -o ro
  plugfs mount memfs /mnt/mem --opt size=1G --background`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runMount(cmd, args[0], args[1], f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.opts, "opt", nil, "plugin option key=value (repeatable)")
	fl.StringSliceVarP(&f.mountOpts, "options", "o", nil, "mount options: ro, rw, allow_other (the default as root), private (only the mounting user), default_permissions (always on), fsname=NAME, subtype=NAME")
	fl.BoolVar(&f.background, "background", false, "return once the mount is ready and keep serving in the background")
	fl.StringVar(&f.driver, "driver", "", "mount driver (default: the preferred available one)")
	fl.StringVar(&f.name, "name", "", "volume name (default: the plugin's name)")
	fl.DurationVar(&f.startTimeout, "start-timeout", 10*time.Second, "how long the plugin may take to start")
	fl.DurationVar(&f.opTimeout, "op-timeout", 30*time.Second, "how long one plugin operation may take before it fails with EIO")
	fl.DurationVar(&f.attrTimeout, "attr-timeout", time.Second, "how long the kernel may cache attributes")
	fl.DurationVar(&f.entryTimeout, "entry-timeout", time.Second, "how long the kernel may cache names")
	fl.DurationVar(&f.negativeTimeout, "negative-timeout", 0, "how long the kernel may cache that a name does not exist")
	fl.StringVar(&f.logLevel, "log-level", "warn", "log level: trace, debug, info, warn, error")
	fl.StringVar(&f.logFile, "log-file", "", "log to this file (default: standard error; with --background, discarded)")
	fl.BoolVar(&f.debug, "debug", false, "log every kernel request")
	return cmd
}

// mountPlan is a validated mount request.
type mountPlan struct {
	cfg   engine.VolumeConfig
	point string
}

// plan validates everything that can be checked without side effects.
func (a *app) plan(pluginName, point string, f mountFlags, log hclog.Logger) (mountPlan, error) {
	opts, err := parsePluginOpts(f.opts)
	if err != nil {
		return mountPlan{}, err
	}
	var mo core.MountOptions
	if err := parseMountOpts(f.mountOpts, &mo, os.Geteuid() == 0); err != nil {
		return mountPlan{}, err
	}
	if hclog.LevelFromString(f.logLevel) == hclog.NoLevel {
		return mountPlan{}, usageError{fmt.Errorf("unknown --log-level %q: use trace, debug, info, warn or error", f.logLevel)}
	}
	src, err := a.catalog.Resolve(pluginName)
	if err != nil {
		return mountPlan{}, err
	}
	clean, err := mountdir.Check(point)
	if err != nil {
		return mountPlan{}, err
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
	return mountPlan{point: clean, cfg: engine.VolumeConfig{
		Name:    name,
		Plugin:  src,
		Options: opts,
		Host: host.Config{
			StartTimeout: f.startTimeout,
			OpTimeout:    f.opTimeout,
			Logger:       log,
		},
		VFS:    vfs.Options{EntryTimeout: f.entryTimeout, AttrTimeout: f.attrTimeout, NegativeTimeout: f.negativeTimeout},
		Driver: f.driver,
		Mount:  mo,
	}}, nil
}

func (a *app) runMount(cmd *cobra.Command, pluginName, point string, f mountFlags) error {
	if f.background && os.Getenv(readyFDEnv) == "" {
		// Check what can be checked here, so usage errors come back at once.
		if _, err := a.plan(pluginName, point, f, hclog.NewNullLogger()); err != nil {
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
	err = a.serve(cmd, pluginName, point, f, log, ready)
	if err != nil {
		ready.fail(err)
	}
	return err
}

// serve mounts, reports readiness and serves until interrupted or unmounted.
func (a *app) serve(cmd *cobra.Command, pluginName, point string, f mountFlags, log hclog.Logger, ready *readiness) error {
	p, err := a.plan(pluginName, point, f, log)
	if err != nil {
		return err
	}
	runDir := a.v.GetString("run-dir")
	rec := runstate.Record{Point: p.point, Volume: p.cfg.Name, Plugin: p.cfg.Plugin.Name,
		ServerPID: os.Getpid(), ReadOnly: p.cfg.Mount.ReadOnly, Started: time.Now().UTC()}
	var mounted bool
	p.cfg.Host.OnStart = func(pid int) {
		rec.PluginPID = pid
		if mounted {
			if err := runstate.Write(runDir, rec); err != nil {
				log.Warn("cannot update run record", "error", err)
			}
		}
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	eng := engine.New()
	vol, err := eng.Create(p.cfg)
	if err != nil {
		return err
	}
	if err := vol.MountMedia(ctx); err != nil {
		return err
	}
	info, err := vol.AddMountPoint(ctx, p.point)
	if err != nil {
		_ = vol.Unmount(context.Background(), true)
		return err
	}
	rec.Driver = info.Driver
	mounted = true
	if err := runstate.Write(runDir, rec); err != nil {
		log.Warn("cannot write run record: plugfs list will not show this mount", "error", err)
	}
	defer func() { _ = runstate.Remove(runDir, rec.Point) }()
	ready.ok(fmt.Sprintf("mounted %s at %s (plugfs pid %d, plugin pid %d)", p.cfg.Plugin.Name, p.point, os.Getpid(), vol.PluginPID()))

	select {
	case sig := <-sigs:
		log.Info("unmounting", "signal", sig.String(), "point", p.point)
		return unmountOnSignal(vol, log, sigs)
	case <-vol.Idle():
		// Unmounted from outside (plugfs unmount, fusermount3 -u, umount).
		log.Info("unmounted from outside", "point", p.point)
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := vol.Unmount(sctx, true)
		if errors.Is(err, core.ErrVolumeState) {
			return nil
		}
		return err
	}
}

// unmountOnSignal unmounts cleanly; if the mount is busy it detaches it
// lazily and keeps serving its remaining users until they leave. A second
// signal while waiting gives up waiting.
func unmountOnSignal(vol *engine.Volume, log hclog.Logger, sigs <-chan os.Signal) error {
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

func newLogger(f mountFlags) (hclog.Logger, func(), error) {
	out := os.Stderr
	closeFn := func() {}
	if f.logFile != "" {
		lf, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--log-file %s: %w", f.logFile, err)}
		}
		out, closeFn = lf, func() { lf.Close() }
	}
	level := hclog.LevelFromString(f.logLevel)
	if f.debug && level > hclog.Info {
		level = hclog.Info
	}
	return hclog.New(&hclog.LoggerOptions{Name: "plugfs", Level: level, Output: out}), closeFn, nil
}
