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
type laneIO interface {
	io.ReadWriteCloser
	interrupt()
}

// connIO adapts a net.Conn.
type connIO struct{ net.Conn }

func (c connIO) interrupt() { _ = c.SetDeadline(time.Unix(1, 0)) }

// dialLaneIO connects to the lane socket at path.
func dialLaneIO(ctx context.Context, path string) (laneIO, error) {
	if c, err := dialBlocking(path); err == nil || !errNoBlocking(err) {
		return c, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	return connIO{c}, nil
}

// acceptedLaneIO takes over a connection the lane server accepted.
func acceptedLaneIO(c net.Conn) laneIO {
	if b, err := blockingFromConn(c); err == nil {
		return b
	}
	return connIO{c}
}
