package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/platform/controlsock"
)

// daemonSettings are the daemon's own settings after merging, in viper's
// order: flags, then PLUGFS_* environment, then the file's daemon
// section, then defaults.
type daemonSettings struct {
	ConfigPath      string
	Socket          string
	SocketGroup     string
	ShutdownTimeout time.Duration
	LogLevel        string
	LogFormat       string // text or json
	PluginDirs      []string
	MetricsListen   string // host:port of the Prometheus endpoint; "" for none
}

// defaultSocketPath is /run/plugfs/plugfs.sock for root; a per-user
// runtime directory otherwise; the named pipe \\.\pipe\plugfs on Windows.
func defaultSocketPath() string {
	if runtime.GOOS == "windows" {
		return controlsock.DefaultPipe
	}
	if os.Geteuid() == 0 {
		return "/run/plugfs/plugfs.sock"
	}
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
		return filepath.Join(x, "plugfs", "plugfs.sock")
	}
	return filepath.Join(os.TempDir(), "plugfs-"+strconv.Itoa(os.Geteuid()), "plugfs.sock")
}

// addSocketFlag adds --socket (env PLUGFS_SOCKET) to the root command:
// every command that may talk to a daemon uses it.
func (a *app) addSocketFlag(pf *pflag.FlagSet) {
	a.v.SetDefault("socket", defaultSocketPath())
	pf.String("socket", a.v.GetString("socket"), "the daemon's control socket, a named pipe on Windows (env PLUGFS_SOCKET)")
	_ = a.v.BindPFlag("socket", pf.Lookup("socket"))
}

// addDaemonFlags adds the daemon settings' flags to fs, bound in viper.
func (a *app) addDaemonFlags(fs *pflag.FlagSet) {
	a.v.SetDefault("config", defaultConfigPath())
	a.v.SetDefault("shutdown-timeout", 30*time.Second)
	a.v.SetDefault("log-level", "info")
	a.v.SetDefault("log-format", "text")
	fs.String("config", a.v.GetString("config"), "configuration file (env PLUGFS_CONFIG)")
	fs.String("socket-group", "", "group allowed to use the control socket besides root (env PLUGFS_SOCKET_GROUP)")
	fs.Duration("shutdown-timeout", 30*time.Second, "how long SIGTERM may take to unmount everything (env PLUGFS_SHUTDOWN_TIMEOUT)")
	fs.String("log-level", "info", "log level: trace, debug, info, warn, error (env PLUGFS_LOG_LEVEL)")
	fs.String("log-format", "text", "log lines as text (key=value) or json (env PLUGFS_LOG_FORMAT)")
	fs.String("metrics-listen", "", "serve Prometheus metrics at http://ADDR/metrics, host:port (env PLUGFS_METRICS_LISTEN)")
}

// bindDaemonFlags binds the flags of the running command in viper (bound
// at run time: several commands define the same flags).
func (a *app) bindDaemonFlags(fs *pflag.FlagSet) {
	for _, k := range []string{"config", "socket-group", "shutdown-timeout", "log-level", "log-format", "metrics-listen"} {
		if f := fs.Lookup(k); f != nil {
			_ = a.v.BindPFlag(k, f)
		}
	}
}

// settings merges the file's daemon section under flags and environment.
func (a *app) settings(lc *loadedConfig) daemonSettings {
	file := map[string]any{}
	d := lc.Daemon
	if d.Socket != "" {
		file["socket"] = d.Socket
	}
	if d.SocketGroup != "" {
		file["socket-group"] = d.SocketGroup
	}
	if d.ShutdownTimeout != 0 {
		file["shutdown-timeout"] = d.ShutdownTimeout
	}
	if d.LogLevel != "" {
		file["log-level"] = d.LogLevel
	}
	if d.LogFormat != "" {
		file["log-format"] = d.LogFormat
	}
	if len(d.PluginDirs) > 0 {
		file["plugin-dir"] = d.PluginDirs
	}
	if d.MetricsListen != "" {
		file["metrics-listen"] = d.MetricsListen
	}
	_ = a.v.MergeConfigMap(file)
	return daemonSettings{
		ConfigPath:      lc.Path,
		Socket:          a.v.GetString("socket"),
		SocketGroup:     a.v.GetString("socket-group"),
		ShutdownTimeout: a.v.GetDuration("shutdown-timeout"),
		LogLevel:        a.v.GetString("log-level"),
		LogFormat:       a.v.GetString("log-format"),
		PluginDirs:      a.v.GetStringSlice("plugin-dir"),
		MetricsListen:   a.v.GetString("metrics-listen"),
	}
}

// checkEnvironment checks what the file names against this machine:
// daemon settings, plugins, drivers and (outside Windows) that mounting
// points are directories. It mounts nothing and starts nothing.
func (a *app) checkEnvironment(lc *loadedConfig, s daemonSettings) error {
	var errs []error
	if _, ok := parseLogLevel(s.LogLevel); !ok {
		errs = append(errs, lc.at("daemon.log_level", "%q: use trace, debug, info, warn or error", s.LogLevel))
	}
	if s.LogFormat != "text" && s.LogFormat != "json" {
		errs = append(errs, lc.at("daemon.log_format", "%q: use text or json", s.LogFormat))
	}
	if s.ShutdownTimeout <= 0 {
		errs = append(errs, lc.at("daemon.shutdown_timeout", "%v: must be positive", s.ShutdownTimeout))
	}
	if err := controlsock.CheckAddr(s.Socket); err != nil {
		errs = append(errs, lc.at("daemon.socket", "%v", err))
	}
	if s.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(s.MetricsListen); err != nil {
			errs = append(errs, lc.at("daemon.metrics_listen", "%q: give host:port, such as 127.0.0.1:9477", s.MetricsListen))
		}
	}
	if s.SocketGroup != "" {
		if _, err := controlsock.LookupGroup(s.SocketGroup); err != nil {
			errs = append(errs, lc.at("daemon.socket_group", "no group %q on this machine", s.SocketGroup))
		}
	}
	a.catalog.Dirs = s.PluginDirs
	for i, v := range lc.Volumes.Volumes {
		key := fmt.Sprintf("volumes[%d]", i)
		if _, err := a.catalog.Resolve(v.Plugin); err != nil {
			errs = append(errs, lc.at(key+".plugin", "%v", err))
		}
		if v.Mount.Driver != "" {
			if _, err := core.LookupDriver(v.Mount.Driver); err != nil {
				errs = append(errs, lc.at(key+".mount.driver", "%v", err))
			}
		}
		if runtime.GOOS == "windows" {
			continue // WinFsp mounting points must not exist beforehand
		}
		for j, p := range v.MountPoints {
			st, err := os.Stat(p)
			pk := fmt.Sprintf("%s.mountpoints[%d]", key, j)
			switch {
			case err != nil && os.IsNotExist(err):
				errs = append(errs, lc.at(pk, "%s does not exist: create the directory", p))
			case err != nil:
				errs = append(errs, lc.at(pk, "%v", err))
			case !st.IsDir():
				errs = append(errs, lc.at(pk, "%s is not a directory", p))
			}
		}
	}
	return joinErrs(errs)
}

func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return multiError(errs)
}

// multiError prints one problem per line.
type multiError []error

func (m multiError) Error() string {
	s := fmt.Sprintf("%d problems:", len(m))
	for _, e := range m {
		s += "\n  " + e.Error()
	}
	return s
}

func (m multiError) Unwrap() []error { return m }
