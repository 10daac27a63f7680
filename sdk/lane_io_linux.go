package sdk

import (
	"errors"
	"io"
	"net"
	"sync"

	"golang.org/x/sys/unix"
)

// fdIO is a blocking AF_UNIX stream socket used with plain system calls.
type fdIO struct {
	mu     sync.Mutex // guards fd against close while interrupting
	fd     int
	closed bool
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
		n, err := unix.Read(f.fd, p)
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

// waitReadable blocks until the socket has data, end of file or an error
// to report; the read that follows tells which.
func (f *fdIO) waitReadable() error {
	fds := [1]unix.PollFd{{Fd: int32(f.fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Ppoll(fds[:], nil, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err
	}
}

func (f *fdIO) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := unix.Write(f.fd, p[written:])
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
