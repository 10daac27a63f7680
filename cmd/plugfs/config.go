package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/mountpoint"
)

// The configuration file of `plugfs daemon`:
//
//	daemon:                        # all optional; PLUGFS_* and flags override
//	  socket: /run/plugfs/plugfs.sock
//	  socket_group: plugfs         # members may use the socket; default root only
//	  shutdown_timeout: 30s
//	  log_level: info
//	  log_format: text             # or json (one JSON object per line)
//	  plugin_dirs: [/usr/lib/plugfs/plugins]
//	  plugin_env: [AWS_PROFILE]    # host variables plugins get (besides PATH, HOME, LANG, PLUGFS_*, ...)
//	  allow_insecure_plugins: false # true skips the symlink/permission/owner checks (development)
//	  metrics_listen: 127.0.0.1:9477 # Prometheus metrics at /metrics; default off
//	volumes:
//	  - name: scratch
//	    plugin: memfs              # a built-in, a plugin directory name, or a path
//	    plugin_sha256: 3f9a...     # optional: the executable's pinned digest, checked at every launch
//	    options: {size: 1G}
//	    mountpoints: [/mnt/scratch]
//	    mount: {read_only: false, allow_other: true, driver: gofuse,
//	            attr_timeout: 1s, entry_timeout: 1s, negative_timeout: 0s,
//	            start_timeout: 10s, op_timeout: 30s,
//	            data_plane: auto,        # auto, shm, messages or grpc
//	            passthrough: true,       # false: the host moves donated files' bytes
//	            readdirplus: true,       # false: list directories without attributes
//	            writeback: auto,         # on, off: the kernel caches writes (see docs/cli.md)
//	            readahead: ~,            # true: the host reads ahead too; false: never; unset: if the plugin says its reads are slow
//	            lazy: false,             # true: the plugin starts at the first access
//	            idle_timeout: 0s,        # >0: the plugin stops after this long unused
//	            debug: false,            # true: log every operation of this volume
//	            point_flags: "",         # Windows: local, mount-manager, ... (plugfs mount --point-flags)
//	            auth_id: 0}              # Windows: logon session of local points
//	                                     # cache timeouts: 0s means no caching
//	    restart: {backoff_min: 100ms, backoff_max: 5s, wait: 5s}

// fileConfig is the file's shape.
type fileConfig struct {
	Daemon  daemonFile   `yaml:"daemon"`
	Volumes []volumeFile `yaml:"volumes"`
}

// daemonFile are the daemon's own settings.
type daemonFile struct {
	Socket          string        `yaml:"socket"`
	SocketGroup     string        `yaml:"socket_group"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	LogLevel        string        `yaml:"log_level"`
	LogFormat       string        `yaml:"log_format"`
	PluginDirs      []string      `yaml:"plugin_dirs"`
	PluginEnv       []string      `yaml:"plugin_env"`
	AllowInsecure   bool          `yaml:"allow_insecure_plugins"`
	MetricsListen   string        `yaml:"metrics_listen"`
}

type volumeFile struct {
	Name        string            `yaml:"name"`
	Plugin      string            `yaml:"plugin"`
	PluginSHA   string            `yaml:"plugin_sha256"`
	Options     map[string]string `yaml:"options"`
	MountPoints []string          `yaml:"mountpoints"`
	Mount       mountFile         `yaml:"mount"`
	Restart     restartFile       `yaml:"restart"`
}

type mountFile struct {
	ReadOnly        bool          `yaml:"read_only"`
	AllowOther      *bool         `yaml:"allow_other"`
	Driver          string        `yaml:"driver"`
	AttrTimeout     time.Duration `yaml:"attr_timeout"`
	EntryTimeout    time.Duration `yaml:"entry_timeout"`
	NegativeTimeout time.Duration `yaml:"negative_timeout"`
	StartTimeout    time.Duration `yaml:"start_timeout"`
	OpTimeout       time.Duration `yaml:"op_timeout"`
	DataPlane       string        `yaml:"data_plane"`
	Passthrough     *bool         `yaml:"passthrough"`
	ReadDirPlus     *bool         `yaml:"readdirplus"`
	Writeback       string        `yaml:"writeback"`
	ReadAhead       *bool         `yaml:"readahead"`
	Lazy            bool          `yaml:"lazy"`
	IdleTimeout     time.Duration `yaml:"idle_timeout"`
	Debug           bool          `yaml:"debug"`
	PointFlags      string        `yaml:"point_flags"`
	AuthID          uint64        `yaml:"auth_id"`
}

type restartFile struct {
	BackoffMin time.Duration `yaml:"backoff_min"`
	BackoffMax time.Duration `yaml:"backoff_max"`
	Wait       time.Duration `yaml:"wait"`
}

// setDefaults gives a volume the defaults of `plugfs mount`.
func (v *volumeFile) setDefaults() {
	v.Mount.AttrTimeout = time.Second
	v.Mount.EntryTimeout = time.Second
	v.Mount.StartTimeout = 10 * time.Second
	v.Mount.OpTimeout = 30 * time.Second
}

// spec is the daemon's view of v. Point flags that do not parse are
// left out here and reported by pointFlagErrors.
func (v volumeFile) spec() daemon.VolumeSpec {
	m := v.Mount
	flags, _ := mountpoint.ParseFlags(m.PointFlags)
	plugin := v.Plugin
	if v.PluginSHA != "" {
		plugin += "@sha256:" + v.PluginSHA // checked by the catalog (trust.go)
	}
	return daemon.VolumeSpec{
		Name: v.Name, Plugin: plugin, Options: v.Options, MountPoints: v.MountPoints,
		Mount: daemon.MountSpec{ReadOnly: m.ReadOnly, AllowOther: m.AllowOther, Driver: m.Driver,
			AttrTimeout: cacheTimeout(m.AttrTimeout), EntryTimeout: cacheTimeout(m.EntryTimeout),
			NegativeTimeout: cacheTimeout(m.NegativeTimeout),
			StartTimeout:    m.StartTimeout, OpTimeout: m.OpTimeout,
			DataPlane: m.DataPlane, NoPassthrough: m.Passthrough != nil && !*m.Passthrough,
			NoReadDirPlus: m.ReadDirPlus != nil && !*m.ReadDirPlus,
			Writeback:     m.Writeback,
			ReadAhead:     m.ReadAhead != nil && *m.ReadAhead,
			NoReadAhead:   m.ReadAhead != nil && !*m.ReadAhead,
			Lazy:          m.Lazy, IdleTimeout: m.IdleTimeout, Debug: m.Debug, PointFlags: flags, AuthID: m.AuthID},
		Restart: daemon.RestartSpec{BackoffMin: v.Restart.BackoffMin, BackoffMax: v.Restart.BackoffMax, Wait: v.Restart.Wait},
	}
}

// configError is one problem in a configuration file, at a key and line.
type configError struct {
	File string
	Line int // 0 when unknown
	Key  string
	Msg  string
}

func (e *configError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap makes every configuration error map to exitConfigInvalid here
// and to INVALID_ARGUMENT over the control API.
func (e *configError) Unwrap() []error { return []error{errConfigInvalid, daemon.ErrInvalid} }

// loadedConfig is a parsed configuration file.
type loadedConfig struct {
	Path    string
	Daemon  daemonFile
	Volumes daemon.Config
	dec     *nodeDecoder
}

// at returns a configError for key, with the key's line when known.
func (c *loadedConfig) at(key, format string, args ...any) error {
	return &configError{File: c.Path, Line: c.dec.lineOf(key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// cacheTimeout turns a kernel cache timeout given by the user (on the
// command line or in the file, where the default is filled in first)
// into the engine's: 0 means no caching, which the engine spells as a
// negative duration (its zero means the default).
func cacheTimeout(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// defaultConfigPath is where the daemon looks without --config.
func defaultConfigPath() string {
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "plugfs", "config.yaml")
	case "darwin":
		return "/Library/Application Support/plugfs/config.yaml"
	}
	return "/etc/plugfs/config.yaml"
}

// parseConfig reads and strictly decodes the file at path, then checks
// it with daemon.Validate. It has no side effects.
func parseConfig(path string) (*loadedConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &configError{File: path, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	}
	return parseConfigBytes(path, b)
}

func parseConfigBytes(path string, b []byte) (*loadedConfig, error) {
	yd := yaml.NewDecoder(bytes.NewReader(b))
	var root yaml.Node
	if err := yd.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, &configError{File: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var extra yaml.Node
	if err := yd.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &configError{File: path, Line: extra.Line, Msg: "more than one YAML document (---): put everything in one"}
	}
	dec := &nodeDecoder{lines: map[string]int{}}
	var fc fileConfig
	if err := dec.decode(&root, "", reflect.ValueOf(&fc).Elem()); err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			ce.File = path
		}
		return nil, err
	}
	lc := &loadedConfig{Path: path, Daemon: fc.Daemon, dec: dec}
	var fileErrs []error
	for i, v := range fc.Volumes {
		lc.Volumes.Volumes = append(lc.Volumes.Volumes, v.spec())
		if _, err := mountpoint.ParseFlags(v.Mount.PointFlags); err != nil {
			fileErrs = append(fileErrs, lc.at(fmt.Sprintf("volumes[%d].mount.point_flags", i), "%v", err))
		}
		for _, d := range []struct {
			key string
			d   time.Duration
		}{{"attr_timeout", v.Mount.AttrTimeout}, {"entry_timeout", v.Mount.EntryTimeout}, {"negative_timeout", v.Mount.NegativeTimeout}} {
			if d.d < 0 {
				fileErrs = append(fileErrs, lc.at(fmt.Sprintf("volumes[%d].mount.%s", i, d.key), "negative duration (0s turns the cache off)"))
			}
		}
	}
	if len(fileErrs) > 0 {
		return nil, joinErrs(fileErrs)
	}
	if err := daemon.Validate(lc.Volumes); err != nil {
		return nil, lc.withLines(err)
	}
	return lc, nil
}

// withLines turns the daemon.FieldErrors joined in err into configErrors
// with the file and line of their key.
func (c *loadedConfig) withLines(err error) error {
	var out []error
	for _, e := range unjoin(err) {
		var fe *daemon.FieldError
		if errors.As(e, &fe) {
			out = append(out, c.at(fe.Key, "%s", fe.Msg))
			continue
		}
		out = append(out, &configError{File: c.Path, Msg: e.Error()})
	}
	return joinErrs(out)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
