package host

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// Config says how to run one plugin.
type Config struct {
	// Name is the plugin's name for messages ("memfs", "/opt/p/bin").
	Name string
	// Command returns a fresh command that starts the plugin; it is called
	// once per launch (restarts included).
	Command func() *exec.Cmd
	// Options are handed to the plugin at Init.
	Options map[string]string
	// StartTimeout bounds process start, handshake and Init. Default 10s.
	StartTimeout time.Duration
	// OpTimeout bounds every call into the plugin. Default 30s.
	OpTimeout time.Duration
	// RestartWait is how long a call waits for a restarting plugin before
	// failing with sdk.ErrUnavailable. Default 5s.
	RestartWait time.Duration
	// BackoffMin and BackoffMax bound the delay between restart attempts.
	// Defaults 100ms and 5s.
	BackoffMin, BackoffMax time.Duration
	// Logger receives host and plugin log lines (the plugin's own, which
	// go-plugin parses, with their level and fields, under the field
	// logger="plugin.NAME"). Default: warnings and up to standard error.
	Logger *slog.Logger
	// Stderr, if set, also receives the plugin's raw standard error.
	Stderr io.Writer
	// OnStart, if set, is called with the process id after every
	// successful launch, the first and each restart.
	OnStart func(pid int)
	// DataPlane says how file bytes move between host and plugin.
	DataPlane core.DataPlane
	// SharedMemory is the size of the shared region offered to the plugin.
	// Default sdk.DefaultSharedMemory.
	SharedMemory int
	// IdleTimeout, when positive, stops the plugin process after that long
	// with no operation in flight and no open handle, and starts it again
	// at the next operation (an on-demand volume). The plugin must keep
	// its data elsewhere (local does; memfs would lose it).
	IdleTimeout time.Duration
	// Lazy stops the plugin as soon as its first start has answered Init
	// (the host needs its features to mount): it then starts on the first
	// operation. Lazy without IdleTimeout keeps it running from then on.
	Lazy bool
	// OnPark, if set, is called when the plugin is stopped for idleness
	// (OnStart is called again when it wakes).
	OnPark func()
	// Observe, if set, is told of every operation the host serves: the
	// plugin call's name ("Stat", "Read", ...), how long it took, the bytes
	// a Read or Write moved, and its error (nil on success). It is called
	// on the operation's goroutine and must not block (metrics).
	Observe func(op string, took time.Duration, bytes int, err error)
}

func (c Config) withDefaults() Config {
	if c.StartTimeout <= 0 {
		c.StartTimeout = 10 * time.Second
	}
	if c.OpTimeout <= 0 {
		c.OpTimeout = 30 * time.Second
	}
	if c.RestartWait <= 0 {
		c.RestartWait = 5 * time.Second
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 100 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 5 * time.Second
	}
	if c.SharedMemory <= 0 {
		c.SharedMemory = sdk.DefaultSharedMemory
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return c
}
