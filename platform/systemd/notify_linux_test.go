//go:build linux

package systemd_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/platform/systemd"
)

// listen opens a test-owned notification socket and points
// $NOTIFY_SOCKET at it.
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv(systemd.SocketEnv, name)
	return c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

func TestNotifyPathAndAbstract(t *testing.T) {
	for _, name := range []string{
		filepath.Join(t.TempDir(), "notify"),
		fmt.Sprintf("@plugfs-test-notify-%d-%d", os.Getpid(), time.Now().UnixNano()),
	} {
		t.Run(name, func(t *testing.T) {
			c := listen(t, name)
			sent, err := systemd.Notify(systemd.Ready, "STATUS=2 volumes up")
			if err != nil || !sent {
				t.Fatalf("Notify: sent %v, %v", sent, err)
			}
			if got := recv(t, c); got != "READY=1\nSTATUS=2 volumes up" {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestNotifyReloadingMonotonic(t *testing.T) {
	c := listen(t, filepath.Join(t.TempDir(), "notify"))
	if _, err := systemd.Notify(systemd.Reloading, systemd.MonotonicUsec()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(recv(t, c), "\n")
	if len(lines) != 2 || lines[0] != "RELOADING=1" || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Fatalf("got %q", lines)
	}
	us, err := strconv.ParseInt(strings.TrimPrefix(lines[1], "MONOTONIC_USEC="), 10, 64)
	if err != nil || us <= 0 {
		t.Fatalf("MONOTONIC_USEC %q: %v", lines[1], err)
	}
	// Compare with the kernel's monotonic clock: /proc/uptime is on the
	// same clock (CLOCK_BOOTTIME differs only by suspended time).
	b, err := os.ReadFile("/proc/uptime")
	if err == nil {
		up, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
		if d := float64(us)/1e6 - up; d > 1 {
			t.Errorf("MONOTONIC_USEC %d s is after uptime %.0f s", us/1e6, up)
		}
	}
}

func TestNotifyWithoutSocket(t *testing.T) {
	t.Setenv(systemd.SocketEnv, "")
	if sent, err := systemd.Notify(systemd.Ready); sent || err != nil {
		t.Errorf("without NOTIFY_SOCKET: sent %v, %v", sent, err)
	}
	t.Setenv(systemd.SocketEnv, "relative")
	if _, err := systemd.Notify(systemd.Ready); err == nil {
		t.Error("a relative NOTIFY_SOCKET was accepted")
	}
	t.Setenv(systemd.SocketEnv, filepath.Join(t.TempDir(), "nobody-listens"))
	if sent, err := systemd.Notify(systemd.Ready); sent || err == nil {
		t.Errorf("dead socket: sent %v, %v", sent, err)
	}
}
