package host

import (
	"context"
	"time"
)

// Parked reports whether the plugin is stopped for idleness (or Lazy)
// and will start at the next operation.
func (h *Host) Parked() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.parked
}

// Starts returns how many times a plugin process was launched: the first
// start, restarts after crashes, and wakes of a parked plugin.
func (h *Host) Starts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.starts
}

// release ends an operation that instance() counted.
func (h *Host) release() {
	if h.cfg.IdleTimeout <= 0 {
		return // nothing watches for idleness: operations are not counted
	}
	h.mu.Lock()
	h.inflight--
	h.lastUse = time.Now()
	h.mu.Unlock()
}

// parkLocked stops the current plugin for idleness: it is unpublished at
// once (new operations wake it again) and shut down gracefully in the
// background; the supervisor sees it exit and waits for a wake instead of
// restarting it. h.mu must be held.
func (h *Host) parkLocked() {
	in := h.cur
	if in == nil || h.parked || h.closed {
		return
	}
	h.parked = true
	h.wake = make(chan struct{})
	h.setCurrent(nil)
	go func() {
		if h.cfg.OnPark != nil {
			h.cfg.OnPark()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = in.fs.Shutdown(ctx)
		cancel()
		in.kill()
	}()
}

// wakeLocked asks the supervisor to start a parked plugin (once).
// h.mu must be held.
func (h *Host) wakeLocked() {
	select {
	case <-h.wake:
	default:
		close(h.wake)
	}
}

// idle parks the plugin whenever it has been unused for IdleTimeout: no
// operation in flight, no open handle, nothing begun or ended since.
func (h *Host) idle() {
	tick := max(h.cfg.IdleTimeout/4, 20*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.mu.Lock()
		if !h.parked && h.cur != nil && h.inflight == 0 && h.handles.len() == 0 &&
			time.Since(h.lastUse) >= h.cfg.IdleTimeout {
			h.parkLocked()
		}
		h.mu.Unlock()
	}
}
