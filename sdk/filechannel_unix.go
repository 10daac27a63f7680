//go:build unix

package sdk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// unclaimedTTL is how long a descriptor that arrived on the file channel
// waits for the call that names its token before it is closed: a call whose
// answer was lost (cancelled, timed out) never claims its file.
const unclaimedTTL = 30 * time.Second

// fileChannel carries descriptors between host and plugin, one per
// message: an 8-byte little-endian token and one SCM_RIGHTS descriptor
// (see the protocol file). Each side both sends and receives.
type fileChannel struct {
	conn   *net.UnixConn
	sendMu sync.Mutex
	next   atomic.Uint64

	mu      sync.Mutex
	arrived map[uint64]arrival
	waiting map[uint64]chan *os.File
	err     error // why the reader stopped; set once
	done    chan struct{}
}

type arrival struct {
	f  *os.File
	at time.Time
}

// newFileChannel starts receiving on conn.
func newFileChannel(conn *net.UnixConn) *fileChannel {
	c := &fileChannel{
		conn:    conn,
		arrived: make(map[uint64]arrival),
		waiting: make(map[uint64]chan *os.File),
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c
}

// NewFileChannelPair makes a connected file channel: the host keeps
// hostEnd and passes pluginEnd to the plugin process (as an inherited
// descriptor named by FileChannelEnv), then closes its copy of pluginEnd.
func NewFileChannelPair() (hostEnd *net.UnixConn, pluginEnd *os.File, err error) {
	// Under ForkLock, so no process started meanwhile inherits the pair
	// before it is close-on-exec (not every system has SOCK_CLOEXEC).
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, fmt.Errorf("file channel: socketpair: %w", err)
	}
	hf := os.NewFile(uintptr(fds[0]), "plugfs-file-channel")
	pluginEnd = os.NewFile(uintptr(fds[1]), "plugfs-file-channel-plugin")
	defer hf.Close()
	nc, err := net.FileConn(hf)
	if err != nil {
		pluginEnd.Close()
		return nil, nil, fmt.Errorf("file channel: %w", err)
	}
	return nc.(*net.UnixConn), pluginEnd, nil
}

// fileChannelFromEnv opens the file channel a host passed to this plugin
// process, if any, and removes the variable so children do not see it.
func fileChannelFromEnv() (*net.UnixConn, error) {
	v, ok := os.LookupEnv(FileChannelEnv)
	if !ok {
		return nil, nil
	}
	_ = os.Unsetenv(FileChannelEnv)
	var fd int
	if _, err := fmt.Sscanf(v, "%d", &fd); err != nil || fd < 3 {
		return nil, fmt.Errorf("%s=%q: want a descriptor number of 3 or more", FileChannelEnv, v)
	}
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "plugfs-file-channel")
	defer f.Close()
	nc, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("%s=%d: %w", FileChannelEnv, fd, err)
	}
	uc, ok := nc.(*net.UnixConn)
	if !ok {
		nc.Close()
		return nil, fmt.Errorf("%s=%d: not a Unix socket", FileChannelEnv, fd)
	}
	return uc, nil
}

// send passes a duplicate of f's descriptor to the other side and returns
// the token it travels under. The caller keeps f.
func (c *fileChannel) send(f *os.File) (uint64, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("file channel: %w", err)
	}
	token := c.newToken()
	var msg [8]byte
	binary.LittleEndian.PutUint64(msg[:], token)
	var werr error
	c.sendMu.Lock()
	cerr := rc.Control(func(fd uintptr) {
		_, _, werr = c.conn.WriteMsgUnix(msg[:], unix.UnixRights(int(fd)), nil)
	})
	c.sendMu.Unlock()
	if cerr != nil {
		return 0, fmt.Errorf("file channel: %w", cerr)
	}
	if werr != nil {
		return 0, fmt.Errorf("file channel: send: %w", werr)
	}
	return token, nil
}

// newToken returns a token no descriptor has travelled under yet.
func (c *fileChannel) newToken() uint64 { return c.next.Add(1) }

// receive waits for the descriptor sent under token, up to ctx's deadline.
func (c *fileChannel) receive(ctx context.Context, token uint64) (*os.File, error) {
	c.mu.Lock()
	if a, ok := c.arrived[token]; ok {
		delete(c.arrived, token)
		c.mu.Unlock()
		return a.f, nil
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	ch := make(chan *os.File, 1)
	c.waiting[token] = ch
	c.mu.Unlock()
	select {
	case f := <-ch:
		return f, nil
	case <-c.done:
	case <-ctx.Done():
	}
	c.mu.Lock()
	delete(c.waiting, token)
	err := c.err
	c.mu.Unlock()
	select {
	case f := <-ch: // it arrived while we gave up
		return f, nil
	default:
	}
	if err == nil {
		err = fmt.Errorf("file channel: descriptor %d did not arrive: %w", token, ctx.Err())
	}
	return nil, err
}

// readLoop receives descriptors until the channel closes.
func (c *fileChannel) readLoop() {
	var msg [16]byte
	oob := make([]byte, unix.CmsgSpace(4*4))
	for {
		n, oobn, _, _, err := c.conn.ReadMsgUnix(msg[:], oob)
		if err == nil && n == 0 && oobn == 0 {
			err = errors.New("closed by the other side")
		}
		if err != nil {
			c.stop(fmt.Errorf("file channel: %w", err))
			return
		}
		fds := parseRights(oob[:oobn])
		if n != 8 || len(fds) != 1 {
			for _, fd := range fds {
				unix.Close(fd)
			}
			continue // not a message of ours: drop it
		}
		unix.CloseOnExec(fds[0])
		token := binary.LittleEndian.Uint64(msg[:8])
		c.deliver(token, os.NewFile(uintptr(fds[0]), fmt.Sprintf("plugfs-donated-%d", token)))
	}
}

func parseRights(oob []byte) []int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for i := range msgs {
		if r, err := unix.ParseUnixRights(&msgs[i]); err == nil {
			fds = append(fds, r...)
		}
	}
	return fds
}

// deliver hands f to whoever waits for token, or keeps it for a while.
func (c *fileChannel) deliver(token uint64, f *os.File) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.waiting[token]; ok {
		delete(c.waiting, token)
		ch <- f
		return
	}
	for t, a := range c.arrived {
		if now.Sub(a.at) > unclaimedTTL {
			a.f.Close()
			delete(c.arrived, t)
		}
	}
	c.arrived[token] = arrival{f, now}
}

// stop records why the channel ended and releases what it holds.
func (c *fileChannel) stop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	for t, a := range c.arrived {
		a.f.Close()
		delete(c.arrived, t)
	}
	close(c.done)
}

// pending returns how many descriptors arrived and are not yet claimed.
func (c *fileChannel) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.arrived)
}

// close shuts the channel down.
func (c *fileChannel) close() error {
	err := c.conn.Close()
	<-c.done
	return err
}
