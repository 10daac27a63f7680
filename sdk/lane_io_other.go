//go:build !linux

package sdk

import (
	"errors"
	"net"
)

var errBlockingUnsupported = errors.New("blocking lane sockets are Linux only")

// dialBlocking is Linux only; elsewhere the lane uses a net.Conn.
func dialBlocking(string) (laneIO, error) { return nil, errBlockingUnsupported }

func errNoBlocking(err error) bool { return errors.Is(err, errBlockingUnsupported) }

func blockingFromConn(net.Conn) (laneIO, error) { return nil, errBlockingUnsupported }
