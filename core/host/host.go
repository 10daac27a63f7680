package host

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Host supervises one plugin. Its FileSystem method returns the view the
// VFS uses; it stays valid across plugin restarts.
type Host struct {
	cfg Config

	mu       sync.Mutex
	cur      *instance     // nil while restarting
	changed  chan struct{} // closed and replaced whenever cur changes
	init     sdk.InitResult
	restarts int
	closed   bool
	parked   bool          // stopped for idleness (or Lazy); the next operation wakes it
	wake     chan struct{} // closed to wake a parked plugin; replaced when parked
	starts   int           // launches, the first included (restarts and wakes too)
	inflight int           // operations between instance() and their end
	lastUse  time.Time     // when the last operation ended or began

	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when the supervisor has ended
	nextGen atomic.Uint64

	handles handleTable
	sockDir string // plugin sockets, removed by Close

	// parkedRoot is the root's attributes, read when a lazy start parked
	// the plugin (see ParkedRoot); parkedRootAt when they were read.
	parkedRoot   *sdk.Attr
	parkedRootAt time.Time
}

// Start launches the plugin and returns once it has completed Init. On
// error nothing is left running.
func Start(ctx context.Context, cfg Config) (*Host, error) {
	cfg = cfg.withDefaults()
	h := &Host{cfg: cfg, stop: make(chan struct{}), done: make(chan struct{}), changed: make(chan struct{})}
	h.handles.init()
	dir, err := os.MkdirTemp("", "plugfs-host-")
	if err != nil {
		return nil, fmt.Errorf("plugin socket directory: %w", err)
	}
	h.sockDir = dir
	in, err := launch(ctx, cfg, h.nextGen.Add(1), h.sockDir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	h.cur, h.init = in, in.init
	h.starts, h.lastUse = 1, time.Now()
	if cfg.OnStart != nil {
		cfg.OnStart(in.pid)
	}
	go in.watch(h.stop)
	go h.supervise(in)
	if cfg.Lazy {
		// The root's attributes go with the parked plugin: mounting asks
		// for them (go-fuse's poll hack opens a name on the new mount),
		// and answering that must not wake the plugin again.
		at := time.Now()
		sctx, cancel := context.WithTimeout(ctx, cfg.OpTimeout)
		if a, err := in.fs.Stat(sctx, "/"); err == nil {
			h.parkedRoot, h.parkedRootAt = &a, at
		}
		cancel()
		h.mu.Lock()
		h.parkLocked()
		h.mu.Unlock()
	}
	if cfg.IdleTimeout > 0 {
		go h.idle()
	}
	return h, nil
}

// ParkedRoot returns the root's attributes as a lazy start read them just
// before it parked the plugin, and when; ok is false when the host did not
// start lazily (or the plugin could not say). They describe the root until
// the plugin is woken, while Backend.Generation is 0.
func (h *Host) ParkedRoot() (a sdk.Attr, at time.Time, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.parkedRoot == nil {
		return sdk.Attr{}, time.Time{}, false
	}
	return *h.parkedRoot, h.parkedRootAt, true
}

// Features returns what the plugin announced at Init. Restarts do not
// change it: a plugin that announces different features after a restart is
// used as the first one announced.
func (h *Host) Features() sdk.Features {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.init.Features
}

// Info returns the plugin's name and version as it announced them.
func (h *Host) Info() sdk.InitResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.init
}

// PID returns the process id of the running plugin, or 0 while it restarts.
func (h *Host) PID() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur == nil || h.cur.exited() {
		return 0
	}
	return h.cur.pid
}

// Restarts returns how many times the plugin has been restarted.
func (h *Host) Restarts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.restarts
}

// FileSystem returns the supervised plugin as an sdk.FileSystem that
// implements every optional interface (Features says which really work).
func (h *Host) FileSystem() *Backend { return &Backend{h: h} }

// Close asks the plugin to shut its file system down, stops the process
// and the supervisor. It waits at most until ctx is done.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	in := h.cur
	close(h.stop)
	h.mu.Unlock()
	var err error
	if in != nil && !in.exited() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = in.fs.Shutdown(sctx)
		cancel()
		in.kill()
	}
	select {
	case <-h.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	os.RemoveAll(h.sockDir)
	if err != nil {
		return fmt.Errorf("plugin %s shutdown: %w", h.cfg.Name, err)
	}
	return nil
}

// supervise restarts the plugin whenever it dies, until Close.
func (h *Host) supervise(in *instance) {
	defer close(h.done)
	backoff := h.cfg.BackoffMin
	for {
		select {
		case <-h.stop:
			return
		case <-in.dead:
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			return
		}
		parked, wake := h.parked, h.wake
		if !parked {
			h.setCurrent(nil)
		}
		h.mu.Unlock()
		in.kill() // reap and close the connection
		if parked {
			h.cfg.Logger.Info("plugin stopped while idle", "plugin", h.cfg.Name)
			select {
			case <-h.stop:
				return
			case <-wake:
			}
		} else {
			h.cfg.Logger.Warn("plugin exited; restarting", "plugin", h.cfg.Name, "last_words", lastWords(in.stderr.String()))
		}
		started := time.Now()
		for {
			next, err := launch(context.Background(), h.cfg, h.nextGen.Add(1), h.sockDir)
			if err == nil {
				in = next
				break
			}
			h.cfg.Logger.Error("plugin restart failed", "plugin", h.cfg.Name, "error", err, "retry_in", backoff)
			select {
			case <-h.stop:
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, h.cfg.BackoffMax)
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			in.kill()
			return
		}
		h.setCurrent(in)
		h.starts++
		if parked {
			h.parked = false
		} else {
			h.restarts++
		}
		h.mu.Unlock()
		go in.watch(h.stop)
		if h.cfg.OnStart != nil {
			h.cfg.OnStart(in.pid)
		}
		h.cfg.Logger.Info("plugin started", "plugin", h.cfg.Name, "pid", in.pid, "after", time.Since(started), "woken", parked)
		if parked {
			backoff = h.cfg.BackoffMin
		} else if time.Since(started) < time.Second {
			backoff = min(backoff*2, h.cfg.BackoffMax)
		} else {
			backoff = h.cfg.BackoffMin
		}
	}
}

// instance returns the live plugin for one operation, waiting up to
// RestartWait for a restart to finish and waking a parked plugin. The
// operation counts as in flight (when an idle timeout watches) until the
// caller calls h.release.
func (h *Host) instance(ctx context.Context) (*instance, error) { return h.acquire(ctx, true) }

// running returns the live plugin without counting an operation or waking
// a parked one (the change watch follows the plugin, it does not use it).
func (h *Host) running(ctx context.Context) (*instance, error) { return h.acquire(ctx, false) }

func (h *Host) acquire(ctx context.Context, use bool) (*instance, error) {
	var timeout <-chan time.Time
	wait := h.cfg.RestartWait
	for {
		h.mu.Lock()
		in, changed, closed := h.cur, h.changed, h.closed
		if h.parked {
			if !use { // wait for someone else to wake it, however long
				h.mu.Unlock()
				select {
				case <-changed:
					continue
				case <-ctx.Done():
					return nil, sdk.NewError(sdk.CodeCanceled, ctx.Err().Error())
				}
			}
			h.wakeLocked()
			wait = max(wait, h.cfg.StartTimeout+h.cfg.RestartWait)
		}
		live := !closed && in != nil && !in.exited()
		if live && use && h.cfg.IdleTimeout > 0 {
			h.inflight++
			h.lastUse = time.Now()
		}
		h.mu.Unlock()
		if closed {
			return nil, sdk.NewError(sdk.CodeUnavailable, "plugin "+h.cfg.Name+" is shut down")
		}
		if live {
			return in, nil
		}
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-timeout:
			return nil, sdk.NewError(sdk.CodeUnavailable, "plugin "+h.cfg.Name+" is restarting")
		case <-ctx.Done():
			return nil, sdk.NewError(sdk.CodeCanceled, ctx.Err().Error())
		}
	}
}

// setCurrent publishes in (nil while restarting) and wakes waiters.
// h.mu must be held.
func (h *Host) setCurrent(in *instance) {
	h.cur = in
	close(h.changed)
	h.changed = make(chan struct{})
}

// diedUnder reports whether err is the connection failure of a plugin
// that has died (or dies within a moment): then the call never completed
// and the plugin's successor can be asked.
func (h *Host) diedUnder(in *instance, err error) bool {
	if sdk.CodeOf(err) != sdk.CodeUnavailable {
		return false
	}
	select {
	case <-in.dead:
		return true
	case <-time.After(300 * time.Millisecond):
		return false
	}
}

// donates reports whether Open on c should take donated files: c is the
// live plugin, which donates, and the data plane allows it.
func (h *Host) donates(c *sdk.Client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur != nil && h.cur.fs == c && h.cur.donates(h.cfg.DataPlane)
}

// DataPlane reports the data-plane tiers the live plugin uses, and whether
// it donates files.
func (h *Host) DataPlane() (sdk.DataPlane, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur == nil {
		return sdk.DataPlane{}, false
	}
	return h.cur.fs.DataPlane(), h.cur.donates(h.cfg.DataPlane)
}

// genOf returns the generation of the instance that owns c (0 if none).
func (h *Host) genOf(c *sdk.Client) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur != nil && h.cur.fs == c {
		return h.cur.gen
	}
	return 0
}
