//go:build !unix && !windows

package controlsock

import (
	"context"
	"fmt"
	"net"
	"runtime"
)

// CheckAddr refuses every address: this system has no control transport.
func CheckAddr(string) error { return errUnsupported() }

// Listen is not available on this system.
func Listen(context.Context, string, Options) (net.Listener, error) { return nil, errUnsupported() }

// Dial is not available on this system.
func Dial(context.Context, string) (net.Conn, error) { return nil, errUnsupported() }

// LookupGroup is not available on this system.
func LookupGroup(name string) (Group, error) {
	if name == "" {
		return Group{}, nil
	}
	return Group{}, errUnsupported()
}

// Authorize refuses everyone on this system.
func Authorize(net.Conn, Group) (Peer, Role, error) {
	return Peer{UID: -1}, RoleNone, &credError{errUnsupported()}
}

func errUnsupported() error {
	return fmt.Errorf("the control socket is not available on %s: use Linux, macOS or Windows", runtime.GOOS)
}
