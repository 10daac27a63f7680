package sdk

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// maxIdleLanes bounds the connections a host keeps open to one plugin; a
// call that finds none idle dials another, and one beyond this many is
// closed after its call instead of being kept.
const maxIdleLanes = 32

// laneClient is the host end of the fast lane. It implements
// grpc.ClientConnInterface, so the generated client runs over it
// unchanged; streams and every call the lane cannot carry go to the gRPC
// connection it wraps.
type laneClient struct {
	grpc grpc.ClientConnInterface
	path string
	key  []byte
	// files: the plugin takes laneCallFiles (revision 4), so a call that
	// wants a donated file may get it with the reply.
	files bool

	// onLane and onGRPC count calls by the transport that carried them;
	// filesOnLane the donated files that came with a lane reply.
	onLane, onGRPC, filesOnLane atomic.Uint64

	mu     sync.Mutex
	idle   []*laneConn
	closed bool
	broken bool // a dial failed: the plugin's lane is gone, use gRPC
}

// laneConn is one connection with its buffers; one call at a time.
type laneConn struct {
	c       laneIO
	r       *bufio.Reader
	in, out laneBuffer
}

// dialLane connects to the plugin's lane and proves the key, so a plugin
// that announced a lane it cannot serve is found at Init, not at the first
// file operation.
func dialLane(ctx context.Context, fallback grpc.ClientConnInterface, path string, key []byte) (*laneClient, error) {
	lc := &laneClient{grpc: fallback, path: path, key: key}
	c, err := lc.dial(ctx)
	if err != nil {
		return nil, err
	}
	lc.idle = append(lc.idle, c)
	return lc, nil
}

func (lc *laneClient) dial(ctx context.Context) (*laneConn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := dialLaneIO(ctx, lc.path)
	if err != nil {
		return nil, fmt.Errorf("fast lane: %w", err)
	}
	// A plugin that never answers the hello must not hold the dial.
	stop := context.AfterFunc(ctx, c.interrupt)
	defer stop()
	lcn := &laneConn{c: c, r: bufio.NewReaderSize(c, 64<<10)}
	if err := lcn.out.send(c, append(lcn.out.start(), lc.key...)); err != nil {
		c.Close()
		return nil, fmt.Errorf("fast lane hello: %w", err)
	}
	ack, err := lcn.in.receive(lcn.r)
	if err != nil || len(ack) != 1 || ack[0] != 0 {
		c.Close()
		return nil, fmt.Errorf("fast lane: the plugin refused the connection (%v)", err)
	}
	if !stop() {
		c.Close()
		return nil, fmt.Errorf("fast lane: %w", ctx.Err())
	}
	return lcn, nil
}

// get returns an idle connection or dials a new one; nil without error
// means use gRPC. A failed dial fails the call as never sent (the plugin
// has most likely died: its successor may be asked) and sends later calls
// to gRPC, in case only the lane is gone.
func (lc *laneClient) get(ctx context.Context) (*laneConn, error) {
	lc.mu.Lock()
	if lc.closed || lc.broken {
		lc.mu.Unlock()
		return nil, nil
	}
	if n := len(lc.idle); n > 0 {
		c := lc.idle[n-1]
		lc.idle = lc.idle[:n-1]
		lc.mu.Unlock()
		return c, nil
	}
	lc.mu.Unlock()
	c, err := lc.dial(ctx)
	if err != nil {
		lc.mu.Lock()
		lc.broken = true
		lc.mu.Unlock()
		// "connection error:" is how gRPC words a call that never left.
		return nil, grpcstatus.Error(codes.Unavailable, "connection error: "+err.Error())
	}
	return c, nil
}

// put returns a healthy connection to the idle set.
func (lc *laneClient) put(c *laneConn) {
	lc.mu.Lock()
	if lc.closed || len(lc.idle) >= maxIdleLanes {
		lc.mu.Unlock()
		c.c.Close()
		return
	}
	lc.idle = append(lc.idle, c)
	lc.mu.Unlock()
}

// close closes every idle connection; calls in flight finish on theirs,
// which are then closed instead of kept.
func (lc *laneClient) close() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.closed = true
	for _, c := range lc.idle {
		c.c.Close()
	}
	lc.idle = nil
}

// Invoke implements grpc.ClientConnInterface.
func (lc *laneClient) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	in, ok1 := args.(proto.Message)
	out, ok2 := reply.(proto.Message)
	if !ok1 || !ok2 || len(method) > 255 {
		lc.onGRPC.Add(1)
		return lc.grpc.Invoke(ctx, method, args, reply, opts...)
	}
	if err := ctx.Err(); err != nil {
		return grpcstatus.FromContextError(err).Err()
	}
	c, err := lc.get(ctx)
	if err != nil {
		return err
	}
	if c == nil {
		lc.onGRPC.Add(1)
		return lc.grpc.Invoke(ctx, method, args, reply, opts...)
	}
	lc.onLane.Add(1)
	var sink *laneFileSink
	if lc.files {
		sink = sinkFrom(opts)
	}
	err = c.call(ctx, method, in, out, sink)
	if sink != nil && sink.f != nil {
		lc.filesOnLane.Add(1)
	}
	if err != nil {
		var le *laneError
		if !errors.As(err, &le) {
			// The connection's state is unknown (transport failure,
			// cancellation): it is not reused.
			c.c.Close()
			return err
		}
	}
	lc.put(c)
	if err != nil {
		return err.(*laneError).err
	}
	return nil
}

// NewStream implements grpc.ClientConnInterface: streams use gRPC.
func (lc *laneClient) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return lc.grpc.NewStream(ctx, desc, method, opts...)
}

// laneError is an error the plugin answered; the connection stays usable.
type laneError struct{ err error }

func (e *laneError) Error() string { return e.err.Error() }

// call runs one call on c. Errors the plugin answered come back as a
// *laneError; any other error leaves c unusable. With sink (and a
// connection that carries descriptors) the plugin may send a donated file
// with the reply, which call leaves in sink.
func (c *laneConn) call(ctx context.Context, method string, in, out proto.Message, sink *laneFileSink) (err error) {
	var flags byte
	carrier, _ := c.c.(fileCarrier)
	if sink == nil || carrier == nil {
		carrier = nil
	} else {
		flags |= laneCallFiles
		carrier.acceptFiles(true)
		defer carrier.acceptFiles(false)
	}
	var timeout time.Duration
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
		if timeout <= 0 {
			return grpcstatus.Error(codes.DeadlineExceeded, context.DeadlineExceeded.Error())
		}
	}
	// The context's end (deadline or cancellation) interrupts a blocked
	// read or write; a connection that saw it is not reused, whatever the
	// call's outcome.
	c.c.begin(ctx)
	defer func() {
		if c.c.end() {
			err = laneTransportError(ctx, context.Cause(ctx))
		}
	}()
	frame := c.out.start()
	frame = append(frame, flags)
	frame = binary.LittleEndian.AppendUint64(frame, uint64(timeout))
	frame = append(frame, byte(len(method)))
	frame = append(frame, method...)
	frame, err = proto.MarshalOptions{}.MarshalAppend(frame, in)
	if err != nil {
		return &laneError{grpcstatus.Error(codes.Internal, "fast lane: "+err.Error())}
	}
	if err := c.out.send(c.c, frame); err != nil {
		return laneTransportError(ctx, err)
	}
	body, err := c.in.receive(c.r)
	if err != nil {
		return laneTransportError(ctx, err)
	}
	if len(body) == 0 {
		return laneTransportError(ctx, errLaneFrame)
	}
	var file *os.File
	if carrier != nil {
		file = carrier.takeFile()
	}
	if (body[0] == laneReplyOKFile) != (file != nil) {
		if file != nil {
			file.Close()
		}
		return laneTransportError(ctx, fmt.Errorf("%w: descriptor and reply disagree", errLaneFrame))
	}
	switch body[0] {
	case laneReplyOK, laneReplyOKFile:
		if err := proto.Unmarshal(body[1:], out); err != nil {
			if file != nil {
				file.Close()
			}
			return laneTransportError(ctx, fmt.Errorf("%w: %v", errLaneFrame, err))
		}
		if file != nil {
			sink.f = file
		}
		return nil
	case laneReplyStatus:
		var st status.Status
		if err := proto.Unmarshal(body[1:], &st); err != nil {
			return laneTransportError(ctx, fmt.Errorf("%w: %v", errLaneFrame, err))
		}
		return &laneError{grpcstatus.FromProto(&st).Err()}
	}
	return laneTransportError(ctx, errLaneFrame)
}

// laneTransportError describes a failed call the way gRPC would: the
// context's error when it ended, the plugin being unavailable otherwise.
func laneTransportError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return grpcstatus.FromContextError(cerr).Err()
	}
	return grpcstatus.Error(codes.Unavailable, "fast lane: "+err.Error())
}
