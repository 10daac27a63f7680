package host

import (
	"context"
	"sync"
	"time"
)

// opCtx is the caller's context with the operation deadline, as
// context.WithTimeout would make it, but without a timer until someone
// asks for Done. A call on the fast lane reads only Deadline and Err unless
// it waits long enough to watch the context, so a quick call costs one
// allocation instead of WithTimeout's four (context, timer, cancel func)
// plus the registration with the caller's context. Whoever needs Done (gRPC,
// a slow lane call, the plugin-side helpers) gets the real context, made
// once, on first use.
type opCtx struct {
	context.Context // the caller's
	deadline        time.Time

	mu     sync.Mutex
	real   context.Context // made by Done or AfterFunc; nil until then
	cancel context.CancelFunc
	ended  error // set by release before the real context was made
}

// withOpTimeout returns ctx bounded by d, like context.WithTimeout; its
// release method is WithTimeout's cancel function.
func withOpTimeout(ctx context.Context, d time.Duration) *opCtx {
	return &opCtx{Context: ctx, deadline: time.Now().Add(d)}
}

// materialize returns the real context, making it on first use.
func (c *opCtx) materialize() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real == nil {
		c.real, c.cancel = context.WithDeadline(c.Context, c.deadline)
		if c.ended != nil {
			c.cancel()
		}
	}
	return c.real
}

// release ends the context (context.Canceled from now on, unless it had
// already ended) and frees its timer, if one was made.
func (c *opCtx) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
		return
	}
	if c.ended == nil {
		c.ended = c.lazyErr()
		if c.ended == nil {
			c.ended = context.Canceled
		}
	}
}

// lazyErr is Err while there is no real context and c was not released.
func (c *opCtx) lazyErr() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// Deadline implements context.Context.
func (c *opCtx) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done implements context.Context.
func (c *opCtx) Done() <-chan struct{} { return c.materialize().Done() }

// Err implements context.Context. Before Done was asked for, it is what
// Done's closing would have reported.
func (c *opCtx) Err() error {
	c.mu.Lock()
	real, ended := c.real, c.ended
	c.mu.Unlock()
	switch {
	case real != nil:
		return real.Err()
	case ended != nil:
		return ended
	}
	return c.lazyErr()
}

// AfterFunc lets context.AfterFunc and the contexts derived from c
// register with the real context rather than start a goroutine to watch
// it.
func (c *opCtx) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.materialize(), f)
}

var _ context.Context = (*opCtx)(nil)
