//go:build linux

package bazil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"bazil.org/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/errno"
	"github.com/plugfs/plugfs/platform/unmount"
	"github.com/plugfs/plugfs/sdk"
)

// maxInFlight bounds the requests served at once; more wait for a slot
// (the kernel bounds how many it sends).
const maxInFlight = 64

// mount is one live mount: the kernel connection and its serve loop.
type mount struct {
	point string
	conn  *fuse.Conn
	fs    *vfs.VFS
	opts  core.MountOptions

	mu       sync.Mutex
	inflight map[fuse.RequestID]context.CancelFunc
	dirs     map[fuse.HandleID]*dirStream // kernel byte offsets of listings

	sem  chan struct{}
	done chan struct{}
	err  error

	stopInvalidating func() // detaches the mount from the VFS's changes
}

func newMount(point string, conn *fuse.Conn, fsys *vfs.VFS, opts core.MountOptions) *mount {
	return &mount{
		point: point, conn: conn, fs: fsys, opts: opts,
		inflight: make(map[fuse.RequestID]context.CancelFunc),
		dirs:     make(map[fuse.HandleID]*dirStream),
		sem:      make(chan struct{}, maxInFlight),
		done:     make(chan struct{}),
	}
}

// Point implements core.Mounted.
func (m *mount) Point() string { return m.point }

// Done implements core.Mounted.
func (m *mount) Done() <-chan struct{} { return m.done }

// Err implements core.Mounted.
func (m *mount) Err() error {
	<-m.done
	return m.err
}

// interruptGrace is how long an interrupted request may still finish
// before its plugin call is cancelled. The kernel sends INTERRUPT for any
// signal the caller handles, and Go programs handle SIGURG (goroutine
// preemption) all the time: cancelling at once would turn quick operations
// into spurious EINTR. A fatal signal (Ctrl-C's default, SIGKILL) needs no
// answer: the kernel returns to the dying caller at once.
const interruptGrace = 200 * time.Millisecond

// interrupt cancels request id if it is still running after the grace.
func (m *mount) interrupt(id fuse.RequestID) {
	time.AfterFunc(interruptGrace, func() {
		m.mu.Lock()
		cancel := m.inflight[id]
		m.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	})
}

// serve reads kernel requests until the mount goes away.
func (m *mount) serve() {
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		if m.stopInvalidating != nil {
			m.stopInvalidating()
		}
		m.conn.Close()
		close(m.done)
	}()
	for {
		req, err := m.conn.ReadRequest()
		if err != nil {
			if !errors.Is(err, io.EOF) && !m.goneWithItsMount(err) {
				m.err = fmt.Errorf("read fuse request: %w", err)
			}
			return
		}
		switch r := req.(type) {
		case *fuse.InterruptRequest:
			m.interrupt(r.IntrID)
			r.Respond()
			continue
		case *fuse.ForgetRequest:
			m.fs.Forget(uint64(r.Node), r.N)
			r.Respond()
			continue
		case *fuse.BatchForgetRequest:
			for _, f := range r.Forget {
				m.fs.Forget(uint64(f.NodeID), f.N)
			}
			r.Respond()
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		hdr := req.Hdr()
		ctx = sdk.WithCaller(ctx, sdk.Caller{Uid: hdr.Uid, Gid: hdr.Gid, Pid: hdr.Pid})
		m.mu.Lock()
		m.inflight[hdr.ID] = cancel
		m.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			// The slot is taken here, not in the read loop, so that a
			// full house of stuck requests does not stop the loop from
			// reading the INTERRUPTs that release them.
			select {
			case m.sem <- struct{}{}:
				defer func() { <-m.sem }()
			case <-ctx.Done():
				err = sdk.ErrCanceled
			}
			if m.opts.Debug != nil {
				m.opts.Debug(req.String())
			}
			if err == nil {
				err = m.handle(ctx, req)
			}
			if err != nil {
				if m.opts.Debug != nil {
					m.opts.Debug(fmt.Sprintf("%v -> error %v", req.Hdr(), err))
				}
				req.RespondError(fuse.Errno(errno.FromError(err)))
			}
			m.mu.Lock()
			delete(m.inflight, hdr.ID)
			m.mu.Unlock()
			cancel()
		}()
	}
}

// goneWithItsMount reports whether a read error only says that the
// connection ended with its mount: the kernel usually answers ENODEV
// (which bazil turns into io.EOF), but a connection torn down while the
// superblock is destroyed can answer ECONNABORTED. If the mount point is
// still mounted, the connection was aborted under a live mount (fusectl):
// that is an error.
func (m *mount) goneWithItsMount(err error) bool {
	if !errors.Is(err, syscall.ECONNABORTED) {
		return false
	}
	_, mounted := unmount.FSType(m.point)
	return !mounted
}
