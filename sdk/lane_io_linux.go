package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fdIO is a blocking AF_UNIX stream socket used with plain system calls.
type fdIO struct {
	mu     sync.Mutex // guards fd against close while interrupting
	fd     int
	closed bool

	// files: reads take descriptors sent with the data (recvmsg) into
	// got, for takeFile (acceptFiles).
	files bool
	got   []int
	oob   []byte

	// The running client call, between begin and end.
	ctx   context.Context
	armed bool        // ctx is being watched (or cannot end)
	stop  func() bool // from context.AfterFunc once armed
}

func (f *fdIO) begin(ctx context.Context) { f.ctx, f.armed = ctx, false }

func (f *fdIO) end() bool {
	stop := f.stop
	f.ctx, f.armed, f.stop = nil, false, nil
	return stop != nil && !stop()
}

// arm starts watching the call's context: its end interrupts the
// connection (at once when it has already ended).
func (f *fdIO) arm() {
	if f.armed {
		return
	}
	f.armed = true
	if f.ctx != nil && f.ctx.Done() != nil {
		f.stop = context.AfterFunc(f.ctx, f.interrupt)
	}
}

// Read waits in poll for the socket to become readable and then reads. A
// thread blocked in read on a stream socket is also woken when the peer
// frees buffer space (it shares the socket's wait queue with writers), only
// to sleep again; poll(POLLIN) sleeps until there is something to read,
// which measured about 1.5 µs less per round trip. A shutdown (interrupt)
// wakes the poll: the read that follows sees end of file.
func (f *fdIO) Read(p []byte) (int, error) {
	for {
		if len(p) > 0 {
			if err := f.waitReadable(); err != nil {
				return 0, err
			}
		}
		var n int
		var err error
		if f.files {
			n, err = f.readFiles(p)
		} else {
			n, err = unix.Read(f.fd, p)
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// laneMaxFiles is how many descriptors one read takes; more are closed
// by the kernel (MSG_CTRUNC) and the call fails.
const laneMaxFiles = 4

// readFiles is read(2) through recvmsg, keeping the descriptors that came
// with the data. The kernel ends a stream read after the message that
// carried descriptors, so they belong to the frame being read: the lane
// has one call at a time on a connection.
func (f *fdIO) readFiles(p []byte) (int, error) {
	if f.oob == nil {
		f.oob = make([]byte, unix.CmsgSpace(4*laneMaxFiles))
	}
	n, oobn, flags, _, err := unix.Recvmsg(f.fd, p, f.oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return 0, err
	}
	if oobn > 0 {
		f.got = append(f.got, parseRights(f.oob[:oobn])...)
	}
	if flags&unix.MSG_CTRUNC != 0 {
		return 0, fmt.Errorf("%w: too many descriptors with one reply", errLaneFrame)
	}
	return n, nil
}

func (f *fdIO) acceptFiles(on bool) { f.files = on }

func (f *fdIO) takeFile() *os.File {
	if len(f.got) == 0 {
		return nil
	}
	fd := f.got[0]
	for _, extra := range f.got[1:] {
		unix.Close(extra)
	}
	f.got = f.got[:0]
	return os.NewFile(uintptr(fd), "plugfs-donated")
}

// writeFile writes p with fd attached to its first byte (sendmsg), then
// the rest as Write would.
func (f *fdIO) writeFile(p []byte, file *os.File) error {
	rc, err := file.SyscallConn()
	if err != nil {
		return err
	}
	var n int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			n, serr = unix.SendmsgN(f.fd, p, unix.UnixRights(int(fd)), nil, 0)
			if !errors.Is(serr, unix.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	_, err = f.Write(p[n:])
	return err
}

// waitReadable blocks until the socket has data, end of file or an error
// to report; the read that follows tells which. An unarmed call first
// waits up to laneArmAfter (less when its deadline is nearer) and then
// arms: most replies arrive within that, without touching the context.
func (f *fdIO) waitReadable() error {
	fds := [1]unix.PollFd{{Fd: int32(f.fd), Events: unix.POLLIN}}
	if f.ctx != nil && !f.armed {
		d := laneArmAfter
		if dl, ok := f.ctx.Deadline(); ok {
			d = min(d, time.Until(dl))
		}
		if d > 0 {
			ts := unix.NsecToTimespec(int64(d))
			n, err := unix.Ppoll(fds[:], &ts, nil)
			if err == nil && n > 0 {
				return nil
			}
			if err != nil && !errors.Is(err, unix.EINTR) {
				return err
			}
		}
		f.arm()
	}
	for {
		_, err := unix.Ppoll(fds[:], nil, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err
	}
}

// Write writes all of p. An unarmed call writes without blocking and arms
// before it would block.
func (f *fdIO) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		var n int
		var err error
		if f.ctx != nil && !f.armed {
			n, err = sendNoWait(f.fd, p[written:])
			if errors.Is(err, unix.EAGAIN) {
				f.arm()
				continue
			}
		} else {
			n, err = unix.Write(f.fd, p[written:])
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

// sendNoWait is send(2) with MSG_DONTWAIT: it fails with EAGAIN rather
// than block.
func sendNoWait(fd int, p []byte) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)), unix.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// interrupt shuts the socket down: a blocked read returns end of file and
// a blocked write EPIPE, on both sides.
func (f *fdIO) interrupt() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		_ = unix.Shutdown(f.fd, unix.SHUT_RDWR)
	}
}

func (f *fdIO) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	for _, fd := range f.got {
		unix.Close(fd)
	}
	f.got = nil
	_ = unix.Shutdown(f.fd, unix.SHUT_RDWR)
	return unix.Close(f.fd)
}

// dialBlocking connects a blocking socket to path. Connecting to a
// listening AF_UNIX socket does not wait for the accept.
func dialBlocking(path string) (laneIO, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: "unix", Addr: &net.UnixAddr{Name: path, Net: "unix"}, Err: err}
	}
	return &fdIO{fd: fd}, nil
}

func errNoBlocking(error) bool { return false }

// blockingFromConn duplicates an accepted connection's socket in blocking
// mode and closes the original.
func blockingFromConn(c net.Conn) (laneIO, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, errors.New("not a unix connection")
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var dupErr error
	if err := rc.Control(func(s uintptr) {
		fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, dupErr
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, err
	}
	uc.Close()
	return &fdIO{fd: fd}, nil
}
