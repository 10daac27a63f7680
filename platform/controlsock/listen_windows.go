//go:build windows

package controlsock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/internal/winpipe"
)

const pipePrefix = `\\.\pipe\`

// pipeBuffer is the size of each pipe instance's input and output buffer.
const pipeBuffer = 64 << 10

// CheckAddr says whether addr can be a control address here: on Windows,
// a local named pipe, \\.\pipe\NAME (NAME without a backslash).
func CheckAddr(addr string) error {
	if len(addr) <= len(pipePrefix) || !strings.EqualFold(addr[:len(pipePrefix)], pipePrefix) || strings.Contains(addr[len(pipePrefix):], `\`) {
		return fmt.Errorf("%q is not a local named pipe: give %sNAME, such as %s", addr, pipePrefix, DefaultPipe)
	}
	return nil
}

// Listen creates the named pipe addr with the DACL of PipeSDDL (full
// access for LocalSystem, BUILTIN\Administrators and, when it is neither,
// the user this process runs as; a client's access for opts.Group; none
// for anyone else) and rejecting remote clients. It fails when the pipe
// exists already: a pipe vanishes with the process serving it, so there
// is no stale pipe to replace, and a pipe someone else created first is
// not shared. (winio.ListenPipe creates the first instance with
// FILE_CREATE, what CreateNamedPipe calls FILE_FLAG_FIRST_PIPE_INSTANCE.)
func Listen(ctx context.Context, addr string, opts Options) (net.Listener, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := CheckAddr(addr); err != nil {
		return nil, fmt.Errorf("control pipe: %w", err)
	}
	var self Peer
	if err := readToken(windows.GetCurrentProcessToken(), &self); err != nil {
		return nil, fmt.Errorf("control pipe: this process's identity: %w", err)
	}
	sddl, err := PipeSDDL(opts.Group, serverACE(self))
	if err != nil {
		return nil, fmt.Errorf("control pipe: %w", err)
	}
	ln, err := winio.ListenPipe(addr, &winio.PipeConfig{SecurityDescriptor: sddl, InputBufferSize: pipeBuffer, OutputBufferSize: pipeBuffer})
	switch {
	case err == nil:
		winpipe.ClaimFirstInstance(addr)
		return ln, nil
	case errors.Is(err, os.ErrPermission), errors.Is(err, os.ErrExist), errors.Is(err, windows.ERROR_PIPE_BUSY):
		return nil, fmt.Errorf("control pipe %s is in use by another process: stop it, or choose another daemon.socket: %w", addr, err)
	}
	return nil, fmt.Errorf("control pipe %s: %w", addr, err)
}

// Dial connects to the named pipe addr, waiting while every instance is
// busy until ctx ends. It asks for a client's access only
// (pipeClientAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE without
// FILE_CREATE_PIPE_INSTANCE, which is all the socket group is granted;
// GENERIC_WRITE would include it) and lets the server identify the
// caller (SECURITY_IDENTIFICATION) but not act as it. A missing pipe gives
// ErrNoServer; a DACL that keeps the caller out gives ErrDenied.
//
// Once connected it checks who serves the pipe, since any user may
// create a pipe of that name before the daemon does: the server process
// must run as LocalSystem, as an elevated administrator or as the
// caller's own user (see trustServer). Anything else closes the
// connection with an error wrapping ErrServerUntrusted that names the
// process and the fix.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	c, err := winio.DialPipeAccessImpLevel(ctx, addr, pipeClientAccess, winio.PipeImpLevelIdentification)
	switch {
	case err == nil:
		f, ok := c.(interface{ Fd() uintptr })
		if !ok {
			c.Close()
			return nil, fmt.Errorf("control pipe %s: not a named pipe connection (%T)", addr, c)
		}
		if err := checkServer(addr, f); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%w: %w", ErrNoServer, err)
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("%w: %w", ErrDenied, err)
	}
	return nil, err
}
