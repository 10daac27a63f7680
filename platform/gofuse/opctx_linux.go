package gofuse

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// opContext is the context of one kernel request. It ends interruptGrace
// after the kernel interrupts the request (cancel closes), if the request
// still runs. Nothing watches cancel until someone asks for Done (a plugin
// call that waits on its context: gRPC, or a fast-lane call that did not
// return within a millisecond), so most requests start no goroutine and
// make no cancelable context: every FUSE operation paid both before.
type opContext struct {
	context.Context // Background carrying the caller
	cancel          <-chan struct{}

	once     sync.Once
	real     atomic.Pointer[context.Context] // set by watch
	stop     context.CancelFunc
	end      chan struct{} // closed by finish: the request returned
	finished atomic.Bool
}

func newOpContext(caller sdk.Caller, cancel <-chan struct{}) *opContext {
	return &opContext{Context: sdk.WithCaller(context.Background(), caller), cancel: cancel}
}

// watch makes the cancelable context and starts watching cancel.
func (c *opContext) watch() context.Context {
	c.once.Do(func() {
		ctx, stop := context.WithCancel(c.Context)
		c.stop, c.end = stop, make(chan struct{})
		c.real.Store(&ctx)
		go func() {
			select {
			case <-c.cancel:
				t := time.NewTimer(interruptGrace)
				defer t.Stop()
				select {
				case <-t.C:
					stop()
				case <-c.end:
				}
			case <-c.end:
			}
		}()
	})
	if r := c.real.Load(); r != nil {
		return *r
	}
	// Asked after the request returned: it has ended, as a cancelled
	// context says.
	ctx, stop := context.WithCancel(c.Context)
	stop()
	return ctx
}

// Done implements context.Context.
func (c *opContext) Done() <-chan struct{} { return c.watch().Done() }

// Err implements context.Context: nil until watched or finished (an
// interrupt ends the context only for whoever watches it).
func (c *opContext) Err() error {
	if r := c.real.Load(); r != nil {
		return (*r).Err()
	}
	if c.finished.Load() {
		return context.Canceled
	}
	return nil
}

// AfterFunc lets context.AfterFunc and derived contexts register with the
// watched context instead of starting a goroutine to wait on Done.
func (c *opContext) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.watch(), f)
}

// finish ends the request: its context, if made, is cancelled.
func (c *opContext) finish() {
	c.once.Do(func() {}) // no watch may start after this
	c.finished.Store(true)
	if c.stop != nil {
		close(c.end)
		c.stop()
	}
}
