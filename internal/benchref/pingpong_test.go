//go:build unix

package benchref

import (
	"io"
	"net"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// echoEnv makes the test binary an echo server on the socket it inherits
// as descriptor 3, for BenchmarkSocketPingPong.
const echoEnv = "PLUGFS_BENCHREF_ECHO"

func TestMain(m *testing.M) {
	if os.Getenv(echoEnv) != "" {
		echo()
		return
	}
	os.Exit(m.Run())
}

// echo answers every 64-byte message on descriptor 3 with itself, through
// the runtime's poller, or with blocking system calls when
// PLUGFS_BENCHREF_ECHO is "blocking".
func echo() {
	f := os.NewFile(3, "echo")
	if os.Getenv(echoEnv) == "blocking" {
		fd := int(f.Fd())
		buf := make([]byte, 64)
		for {
			for got := 0; got < len(buf); {
				n, err := unix.Read(fd, buf[got:])
				if err != nil || n == 0 {
					os.Exit(0)
				}
				got += n
			}
			if _, err := unix.Write(fd, buf); err != nil {
				os.Exit(0)
			}
		}
	}
	c, err := net.FileConn(f)
	if err != nil {
		os.Exit(2)
	}
	buf := make([]byte, 64)
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			os.Exit(0)
		}
		if _, err := c.Write(buf); err != nil {
			os.Exit(0)
		}
	}
}

// BenchmarkSocketPingPong measures a 64-byte message to another Go process
// and back over an AF_UNIX stream socket: the floor under any call across
// the plugin boundary on this machine (two cross-process wake-ups through
// the Go runtime's poller), which the fast lane's round trip is compared
// with.
func BenchmarkSocketPingPong(b *testing.B) {
	pair, err := socketPair()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), echoEnv+"=1")
	cmd.ExtraFiles = []*os.File{pair[1]}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	pair[1].Close()
	c, err := net.FileConn(pair[0])
	pair[0].Close()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(); _ = cmd.Wait() })
	msg := make([]byte, 64)
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSocketPingPongBlocking is BenchmarkSocketPingPong with both
// ends in blocking mode, read and written with plain system calls (no
// poller): the kernel wakes the very thread that waits.
func BenchmarkSocketPingPongBlocking(b *testing.B) {
	pair, err := socketPair()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), echoEnv+"=blocking")
	cmd.ExtraFiles = []*os.File{pair[1]}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	pair[1].Close()
	f := pair[0]
	b.Cleanup(func() { f.Close(); _ = cmd.Wait() })
	fd := int(f.Fd()) // Fd puts the descriptor in blocking mode
	msg := make([]byte, 64)
	for b.Loop() {
		if _, err := unix.Write(fd, msg); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(msg); {
			n, err := unix.Read(fd, msg[got:])
			if err != nil || n == 0 {
				b.Fatal(err)
			}
			got += n
		}
	}
}
