package sdk

import (
	"context"
	"os"

	"google.golang.org/grpc"
)

// Descriptors on the lane (revision 4). A host that can take a descriptor
// with a reply sets laneCallFiles in the call's flags; a plugin that
// donates a file in that call attaches the descriptor to the reply frame
// (SCM_RIGHTS) and marks the reply laneReplyOKFile, instead of sending it
// on the file channel. The host then has the file when the reply arrives:
// no second message, no wait for the file channel's reader.
const (
	// laneCallFiles: the host accepts one descriptor with the reply.
	laneCallFiles = 1 << 0
	// laneReplyOKFile is laneReplyOK with one descriptor attached to the
	// frame; it stands for the response's file_token.
	laneReplyOKFile = 2
)

// fileCarrier is a lane connection that can carry descriptors: a blocking
// AF_UNIX socket on Linux.
type fileCarrier interface {
	// writeFile writes p, with f's descriptor attached to its first byte.
	writeFile(p []byte, f *os.File) error
	// acceptFiles makes reads keep the descriptors that come with the
	// data (recvmsg) or not (read(2), the kernel closes any); a call
	// that may get a file turns it on for its reply only, so every other
	// call reads as before.
	acceptFiles(on bool)
	// takeFile returns the descriptor received with the last reply, or
	// nil, and closes any others that came with it.
	takeFile() *os.File
}

// laneFileSink is a call option by which Client.open learns the file a
// reply carried over the lane. gRPC ignores it (EmptyCallOption).
type laneFileSink struct {
	grpc.EmptyCallOption
	f *os.File
}

// sinkFrom returns the laneFileSink among opts, or nil.
func sinkFrom(opts []grpc.CallOption) *laneFileSink {
	for _, o := range opts {
		if s, ok := o.(*laneFileSink); ok {
			return s
		}
	}
	return nil
}

// laneFileSlot is where a donating handler leaves the file for the lane
// to send with its reply; it rides in the call's context.
type laneFileSlot struct{ f *os.File }

type laneFileSlotKey struct{}

func withLaneFileSlot(ctx context.Context, s *laneFileSlot) context.Context {
	return context.WithValue(ctx, laneFileSlotKey{}, s)
}

func laneFileSlotFrom(ctx context.Context) *laneFileSlot {
	s, _ := ctx.Value(laneFileSlotKey{}).(*laneFileSlot)
	return s
}
