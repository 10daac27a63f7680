//go:build unix

package benchref

import (
	"os"

	"golang.org/x/sys/unix"
)

// socketPair returns both ends of a connected AF_UNIX stream socket.
func socketPair() ([2]*os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return [2]*os.File{}, err
	}
	return [2]*os.File{os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b")}, nil
}
