package sdk

import (
	"context"
	"io"
	"net"
	"time"
)

// laneIO is one lane connection as the lane uses it: reads, writes, close,
// and interrupt, which makes a blocked Read or Write fail at once (the
// context of the call ended). Where the system allows (Linux), the
// connection is a blocking socket read and written with plain system
// calls, so a waiting side is woken by the kernel directly rather than
// through the runtime's network poller, whose wake-ups can lag by
// milliseconds on a busy machine; elsewhere it is a net.Conn.
//
// A client call runs between begin and end: until end, the end of ctx
// interrupts the connection. end reports whether it was interrupted, in
// which case the connection must not be reused. The blocking socket only
// watches ctx once the call has waited for laneArmAfter (or would block
// writing), so a quick call pays no context registration; the net.Conn
// watches it from begin.
type laneIO interface {
	io.ReadWriteCloser
	interrupt()
	begin(ctx context.Context)
	end() (interrupted bool)
}

// laneArmAfter is how long a call on a blocking lane socket waits for its
// reply before it starts watching its context. It bounds how much later
// than the context's end (cancellation; the deadline is kept exactly) a
// call stuck in the plugin returns.
const laneArmAfter = time.Millisecond

// connIO adapts a net.Conn.
type connIO struct {
	net.Conn
	stop func() bool // from context.AfterFunc while a call runs
}

func (c *connIO) interrupt() { _ = c.SetDeadline(time.Unix(1, 0)) }

func (c *connIO) begin(ctx context.Context) {
	if ctx.Done() != nil {
		c.stop = context.AfterFunc(ctx, c.interrupt)
	}
}

func (c *connIO) end() bool {
	stop := c.stop
	c.stop = nil
	return stop != nil && !stop()
}

// dialLaneIO connects to the lane socket at path.
func dialLaneIO(ctx context.Context, path string) (laneIO, error) {
	if c, err := dialBlocking(path); err == nil || !errNoBlocking(err) {
		return c, err
	}
	c, err := dialLaneConn(ctx, path)
	if err != nil {
		return nil, err
	}
	return &connIO{Conn: c}, nil
}

// acceptedLaneIO takes over a connection the lane server accepted.
func acceptedLaneIO(c net.Conn) laneIO {
	if b, err := blockingFromConn(c); err == nil {
		return b
	}
	return &connIO{Conn: c}
}
