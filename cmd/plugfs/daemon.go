package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/systemd"
)

func (a *app) daemonCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Serve the volumes declared in a configuration file, with a control socket",
		Long: `Daemon mounts every volume declared in its configuration file (--config,
$PLUGFS_CONFIG, default ` + defaultConfigPath() + `), then serves the control API
on a Unix socket (--socket, default ` + defaultSocketPath() + `) for 'plugfs list',
'plugfs reload' and other clients. It starts with all its volumes or not at all:
an invalid configuration (exit 50) or a volume that cannot be mounted stops it.

SIGHUP (or 'plugfs reload') re-reads the configuration and applies the
difference: unchanged volumes are left alone. SIGTERM or SIGINT unmounts
everything within --shutdown-timeout and exits. Under systemd (Type=notify)
it reports READY=1, RELOADING=1 and STOPPING=1.`,
		Example: `  plugfs config check /etc/plugfs/config.yaml
  plugfs daemon --config /etc/plugfs/config.yaml
  plugfs reload`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.bindDaemonFlags(cmd.Flags())
			return a.runDaemonService(cmd.Context()) // daemon_service_*.go
		},
	}
	a.addDaemonFlags(cmd.Flags())
	return cmd
}

// daemonRun is a running daemon.
type daemonRun struct {
	a        *app
	log      *slog.Logger
	sup      *daemon.Supervisor
	set      daemonSettings
	started  time.Time
	reloadMu sync.Mutex // one reload at a time
	mu       sync.Mutex // guards the fields below
	last     time.Time
	lastErr  error
}

func (a *app) runDaemon(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	path, err := filepath.Abs(a.v.GetString("config"))
	if err != nil {
		return err
	}
	lc, err := parseConfig(path)
	if err != nil {
		return err
	}
	set := a.settings(lc)
	a.applyTrust(a.daemonTrustSettings(lc))
	level, _ := parseLogLevel(set.LogLevel) // validated with the settings
	log, err := newSlog(os.Stderr, level, set.LogFormat)
	if err != nil { // reported with its key by checkEnvironment
		log, _ = newSlog(os.Stderr, level, "text")
	}
	clearStaleMounts(lc, log) // a previous daemon killed outright left dead mounts
	if err := a.checkEnvironment(lc, set); err != nil {
		return err
	}
	switch c, err := dialDaemon(set.Socket); {
	case err == nil:
		c.Close()
		return fmt.Errorf("%w at %s: stop it first, or give this one another --socket", errDaemonRunning, set.Socket)
	case errors.Is(err, errServerUntrusted): // someone holds the pipe: Listen would fail, after mounting
		return err
	}
	auth, err := newPeerAuth(set.SocketGroup, log)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	svcCtl := serviceControls(ctx, sigs) // Windows service: stop → SIGTERM, ParamChange → SIGHUP

	mctx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	met, err := startMetrics(mctx, set.MetricsListen, log)
	if err != nil {
		return err
	}
	d := &daemonRun{a: a, log: log, set: set, started: time.Now(),
		sup: daemon.NewSupervisor(&volumeBuilder{a: a, log: log, met: met})}
	met.track(func() []volumeSample {
		var out []volumeSample
		for _, v := range d.sup.List() {
			out = append(out, volumeSample{name: v.Spec.Name, restarts: v.Restarts, points: len(v.Points)})
		}
		return out
	})
	notify(log, fmt.Sprintf("STATUS=mounting %d volumes", len(lc.Volumes.Volumes)))
	if err := d.sup.Start(ctx, lc.Volumes); err != nil {
		return err
	}
	ln, err := listenControl(set.Socket, auth.gid)
	if err != nil {
		d.shutdown(nil)
		return err
	}
	srv := grpc.NewServer(auth.serverOptions()...)
	controlv1.RegisterControlServer(srv, daemon.NewServer(d.sup, d.reload, d.status))
	go func() { _ = srv.Serve(ln) }()

	log.Info("ready", "volumes", len(lc.Volumes.Volumes), "socket", set.Socket, "config", lc.Path, "pid", os.Getpid())
	notify(log, systemd.Ready, fmt.Sprintf("STATUS=%d volumes mounted", len(lc.Volumes.Volumes)))
	svcCtl.ready()
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			log.Info("SIGHUP: reloading", "config", lc.Path)
			_, _ = d.reload(ctx)
			continue
		}
		log.Info("stopping", "signal", sig.String())
		notify(log, systemd.Stopping, "STATUS=unmounting")
		srv.Stop()
		return d.shutdown(sigs)
	}
	return nil
}

// shutdown unmounts everything within the shutdown timeout; a further
// signal (if sigs is given) cuts the wait short.
func (d *daemonRun) shutdown(sigs <-chan os.Signal) error {
	ctx, cancel := context.WithTimeout(context.Background(), d.set.ShutdownTimeout)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			d.log.Warn("second signal: not waiting for busy volumes")
			cancel()
		case <-ctx.Done():
		}
	}()
	err := d.sup.Shutdown(ctx)
	if err != nil {
		// Busy volumes are detached but still served; the engine cannot
		// stop their plugins before their users leave, and this process is
		// about to exit: do not leave the plugins orphaned.
		for _, v := range d.sup.List() {
			if p, perr := os.FindProcess(v.PluginPID); v.PluginPID > 0 && perr == nil {
				d.log.Warn("killing the plugin of a volume still in use", "volume", v.Spec.Name, "pid", v.PluginPID)
				_ = p.Kill()
			}
		}
		d.log.Error("shutdown", "error", err)
		return fmt.Errorf("shutdown: %w", err)
	}
	d.log.Info("stopped: every volume unmounted")
	return nil
}

// reload re-reads the configuration and applies it; SIGHUP and the
// control API's Reload come here.
func (d *daemonRun) reload(ctx context.Context) ([]daemon.StepResult, error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	notify(d.log, systemd.Reloading, systemd.MonotonicUsec())
	res, err := d.reloadLocked(ctx)
	d.mu.Lock()
	d.last, d.lastErr = time.Now(), err
	d.mu.Unlock()
	status := "STATUS=reloaded"
	if err != nil {
		status = "STATUS=last reload failed: " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	notify(d.log, systemd.Ready, status)
	return res, err
}

func (d *daemonRun) reloadLocked(ctx context.Context) ([]daemon.StepResult, error) {
	lc, err := parseConfig(d.set.ConfigPath)
	if err == nil {
		clearStaleMounts(lc, d.log)
		old := d.a.catalog.Policy()
		d.a.applyTrust(d.a.daemonTrustSettings(lc))
		if err = d.a.checkEnvironment(lc, d.a.settings(lc)); err != nil {
			d.a.catalog.SetPolicy(old) // an invalid file changes nothing
		}
	}
	if err != nil {
		d.log.Error("reload refused: the configuration is invalid; nothing changed", "error", err)
		return nil, err
	}
	if lc.Daemon.Socket != "" && lc.Daemon.Socket != d.set.Socket || lc.Daemon.SocketGroup != "" && lc.Daemon.SocketGroup != d.set.SocketGroup {
		d.log.Warn("daemon.socket and daemon.socket_group changes take effect at the next start")
	}
	res, err := d.sup.Reload(ctx, lc.Volumes)
	for _, r := range res {
		if r.Err != nil {
			d.log.Error("reload", "volume", r.Name, "change", r.Change.String(), "error", r.Err)
		} else if r.Change != daemon.Unchanged {
			d.log.Info("reload", "volume", r.Name, "change", r.Change.String())
		}
	}
	if err != nil && res != nil {
		return res, fmt.Errorf("%w: %w", errReloadPartial, err)
	}
	return res, err
}

func (d *daemonRun) status() *controlv1.StatusResponse {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := &controlv1.StatusResponse{Pid: int32(os.Getpid()), Version: version, ConfigPath: d.set.ConfigPath,
		Started: d.started.UnixNano()}
	if !d.last.IsZero() {
		st.LastReload = d.last.UnixNano()
	}
	if d.lastErr != nil {
		st.LastReloadError = d.lastErr.Error()
	}
	return st
}

// notify tells systemd, when it listens; failures are logged only.
func notify(log *slog.Logger, states ...string) {
	if _, err := systemd.Notify(states...); err != nil {
		log.Warn("systemd notification failed", "error", err)
	}
}
