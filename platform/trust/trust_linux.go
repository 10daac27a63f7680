//go:build linux

package trust

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/plugfs/plugfs/core/catalog"
)

// New returns the Linux opener: O_NOFOLLOW, owner from fstat, and the
// plugin started through /proc/self/fd, so the kernel runs the inode that
// was checked and hashed, whatever happens to the path meanwhile.
func New() catalog.Opener { return fdOpener{} }

type fdOpener struct{}

func (fdOpener) Open(path string) (catalog.Executable, error) { return openNoFollow(path) }

// Exact reports true: the checked descriptor is what runs.
func (fdOpener) Exact() bool { return true }

// Command runs the opened descriptor: it is handed to the child as its
// first extra file (descriptor 3) and the child executes
// /proc/self/fd/3, which the kernel resolves to that open file (the
// child's /proc/self, after the descriptors are arranged). The command
// keeps a duplicate of the descriptor, so x may be closed at once; the
// duplicate is released when the command is garbage collected. The
// plugin inherits descriptor 3 (read-only, on its own executable).
func (x *fdExecutable) Command(args []string) *exec.Cmd {
	cmd := exec.Command(fmt.Sprintf("/proc/self/fd/%d", 3), args[1:]...)
	cmd.Args[0] = args[0]
	dup, err := x.dup()
	if err != nil {
		cmd.Err = fmt.Errorf("plugin executable %s: %w", x.path, err)
		return cmd
	}
	cmd.ExtraFiles = []*os.File{dup}
	return cmd
}
