package sdk

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// Watch implements Watcher for the host: it streams the plugin's changes
// to notify until ctx ends or the plugin goes away. Plugins without the
// Watch feature fail with ErrNotSupported.
func (c *Client) Watch(ctx context.Context, notify func(Change)) error {
	// Streams travel on gRPC; the lane carries unary calls only.
	stream, err := fsv1.NewFileSystemClient(c.conn).Watch(ctx, &fsv1.Empty{})
	if err != nil {
		return errorFromStatus(err)
	}
	for {
		ch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return errorFromStatus(err)
		}
		kind := ChangeKind(ch.Kind)
		if kind < ChangeModified || kind > ChangeAll {
			kind = ChangeAll // a kind from a newer revision: assume the worst
		}
		notify(Change{Kind: kind, Path: ch.Path})
	}
}

// Watch streams the file system's changes to the host.
func (s *grpcServer) Watch(_ *fsv1.Empty, stream fsv1.FileSystem_WatchServer) error {
	fsys, _, err := s.get()
	if err != nil {
		return errorToStatus(err)
	}
	w, ok := fsys.(Watcher)
	if !ok {
		return errorToStatus(NewError(CodeNoSys, "this plugin does not watch for changes"))
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	var mu sync.Mutex // notify is never called concurrently; Send must not be
	var sendErr error
	err = w.Watch(ctx, func(c Change) {
		mu.Lock()
		defer mu.Unlock()
		if sendErr != nil {
			return
		}
		if sendErr = stream.Send(&fsv1.Change{Kind: fsv1.Change_Kind(c.Kind), Path: c.Path}); sendErr != nil {
			cancel()
		}
	})
	if err != nil {
		return errorToStatus(err)
	}
	return nil
}
