package sdk

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// laneServer is the plugin end of the fast lane: it accepts connections on
// a private socket and serves each one's calls in order, with the same
// handlers gRPC uses, so the two transports cannot disagree.
type laneServer struct {
	srv      fsv1.FileSystemServer
	key      []byte
	path     string
	ln       net.Listener
	handlers map[string]grpc.MethodHandler

	mu    sync.Mutex
	conns map[laneIO]struct{}
	done  bool
}

// startLaneServer listens on a new lane endpoint (see listenLane: a Unix
// socket in dir, the system's temporary directory when empty; a named
// pipe on Windows) and serves srv's unary methods but Init and Shutdown.
func startLaneServer(srv fsv1.FileSystemServer, dir string) (*laneServer, error) {
	key := make([]byte, laneKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("fast lane key: %w", err)
	}
	ln, path, err := listenLane(dir, fmt.Sprintf("plugfs-lane-%d-%x", os.Getpid(), key[:4]))
	if err != nil {
		return nil, fmt.Errorf("fast lane: %w", err)
	}
	s := &laneServer{srv: srv, key: key, path: path, ln: ln, handlers: map[string]grpc.MethodHandler{}, conns: map[laneIO]struct{}{}}
	desc := fsv1.FileSystem_ServiceDesc
	for _, m := range desc.Methods {
		if m.MethodName == "Init" || m.MethodName == "Shutdown" {
			continue
		}
		s.handlers["/"+desc.ServiceName+"/"+m.MethodName] = m.Handler
	}
	go s.accept()
	return s, nil
}

func (s *laneServer) accept() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := acceptedLaneIO(nc)
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go s.serve(c)
	}
}

// close stops accepting, closes every connection and removes the socket.
func (s *laneServer) close() {
	s.mu.Lock()
	s.done = true
	for c := range s.conns {
		c.interrupt()
	}
	s.mu.Unlock()
	s.ln.Close()
	removeLane(s.path)
}

// serve runs one connection: the hello, then calls until it closes.
func (s *laneServer) serve(c laneIO) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	r := bufio.NewReaderSize(c, 64<<10)
	var in, out laneBuffer
	// A client that never says hello is cut off.
	cut := time.AfterFunc(10*time.Second, c.interrupt)
	hello, err := in.receive(r)
	if !cut.Stop() || err != nil || subtle.ConstantTimeCompare(hello, s.key) != 1 {
		return
	}
	if err := out.send(c, append(out.start(), 0)); err != nil {
		return
	}
	carrier, _ := c.(fileCarrier)
	for {
		body, err := in.receive(r)
		if err != nil {
			return
		}
		var slot *laneFileSlot
		if carrier != nil && len(body) > 0 && body[0]&laneCallFiles != 0 {
			slot = &laneFileSlot{}
		}
		reply, err := s.call(body, out.start(), slot)
		if err != nil {
			return
		}
		if slot != nil && slot.f != nil {
			err = out.sendFile(carrier, reply, slot.f)
		} else {
			err = out.send(c, reply)
		}
		if err != nil {
			return
		}
	}
}

// call decodes one call frame, runs its handler and appends the reply
// frame's body to frame. An error means the frame was malformed. With
// slot, a handler that donates a file leaves it there, and the reply is
// marked to carry it (laneReplyOKFile).
func (s *laneServer) call(body, frame []byte, slot *laneFileSlot) ([]byte, error) {
	if len(body) < laneCallHeader {
		return nil, errLaneFrame
	}
	timeout := time.Duration(binary.LittleEndian.Uint64(body[1:9]))
	n := int(body[9])
	if len(body) < laneCallHeader+n {
		return nil, errLaneFrame
	}
	method := string(body[laneCallHeader : laneCallHeader+n])
	payload := body[laneCallHeader+n:]
	h, ok := s.handlers[method]
	if !ok {
		return appendLaneStatus(frame, status.New(codes.Unimplemented, "fast lane: unknown method "+method)), nil
	}
	ctx := context.Background()
	if slot != nil {
		ctx = withLaneFileSlot(ctx, slot)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	resp, err := h(s.srv, ctx, func(m any) error { return proto.Unmarshal(payload, m.(proto.Message)) }, nil)
	if err != nil {
		if slot != nil {
			slot.f = nil // the plugin keeps its file; the host gets none
		}
		st, _ := status.FromError(err)
		return appendLaneStatus(frame, st), nil
	}
	kind := byte(laneReplyOK)
	if slot != nil && slot.f != nil {
		kind = laneReplyOKFile
	}
	out, merr := proto.MarshalOptions{}.MarshalAppend(append(frame, kind), resp.(proto.Message))
	if merr != nil {
		if slot != nil {
			slot.f = nil
		}
		return appendLaneStatus(frame, status.New(codes.Internal, "fast lane: "+merr.Error())), nil
	}
	return out, nil
}

// appendLaneStatus appends an error reply carrying st.
func appendLaneStatus(frame []byte, st *status.Status) []byte {
	out, err := proto.MarshalOptions{}.MarshalAppend(append(frame, laneReplyStatus), st.Proto())
	if err != nil {
		return append(frame, laneReplyStatus)
	}
	return out
}
