//go:build linux

package systemd

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Notify sends the given assignments ("READY=1", "STATUS=...") as one
// message to $NOTIFY_SOCKET. It reports whether a message was sent: false
// with a nil error when there is no socket to send to.
func Notify(states ...string) (bool, error) {
	addr := os.Getenv(SocketEnv)
	if addr == "" {
		return false, nil
	}
	if !strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "@") {
		return false, fmt.Errorf("%s=%q: want an absolute path or an @abstract name", SocketEnv, addr)
	}
	// Go's net package maps a leading '@' to the abstract namespace.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return false, fmt.Errorf("notify %s: %w", addr, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(strings.Join(states, "\n"))); err != nil {
		return false, fmt.Errorf("notify %s: %w", addr, err)
	}
	return true, nil
}

// MonotonicUsec returns the MONOTONIC_USEC= assignment systemd wants
// with RELOADING=1: now on CLOCK_MONOTONIC, in microseconds.
func MonotonicUsec() string {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return "MONOTONIC_USEC=0"
	}
	return "MONOTONIC_USEC=" + strconv.FormatInt(ts.Sec*1_000_000+ts.Nsec/1_000, 10)
}
