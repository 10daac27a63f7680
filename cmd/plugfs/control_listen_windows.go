//go:build windows

package main

import (
	"errors"
	"net"
)

// listenControl is not implemented on Windows yet: the control API there
// is to be a named pipe with an explicit DACL (go-winio).
func listenControl(string, int) (net.Listener, error) {
	return nil, errors.New("the daemon's control API is not available on Windows yet (named pipe planned)")
}
