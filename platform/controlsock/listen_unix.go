//go:build unix

package controlsock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// CheckAddr says whether addr can be a control address here: on Unix, an
// absolute path.
func CheckAddr(addr string) error {
	if !filepath.IsAbs(addr) {
		return fmt.Errorf("%q is not an absolute path", addr)
	}
	return nil
}

// Listen listens on the Unix socket at addr, mode 0660, owned by root (the
// caller) and opts.Group (none: the caller's group). Its directory is
// made if missing. A socket file already there is taken as stale and
// replaced: the caller has checked that no server answers (Dial); any
// other kind of file there is an error.
func Listen(ctx context.Context, addr string, opts Options) (net.Listener, error) {
	gid := -1
	if opts.Group.ID != "" {
		n, err := strconv.Atoi(opts.Group.ID)
		if err != nil {
			return nil, fmt.Errorf("socket group %q has gid %q", opts.Group.Name, opts.Group.ID)
		}
		gid = n
	}
	if err := os.MkdirAll(filepath.Dir(addr), 0o755); err != nil {
		return nil, fmt.Errorf("control socket directory: %w", err)
	}
	if st, err := os.Lstat(addr); err == nil {
		if st.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("control socket %s exists and is not a socket: remove it or choose another daemon.socket", addr)
		}
		if err := os.Remove(addr); err != nil {
			return nil, fmt.Errorf("remove stale control socket: %w", err)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "unix", addr)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(addr, 0o660); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if gid >= 0 {
		if err := os.Chown(addr, -1, gid); err != nil {
			ln.Close()
			return nil, fmt.Errorf("control socket group: %w", err)
		}
	}
	return ln, nil
}

// Dial connects to the Unix socket at addr. A missing socket and one
// nobody listens on (stale) give ErrNoServer; a socket or directory the
// caller may not use gives ErrDenied.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", addr)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ECONNREFUSED):
		return nil, fmt.Errorf("%w: %w", ErrNoServer, err)
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("%w: %w", ErrDenied, err)
	}
	return nil, err
}
