//go:build unix && !linux

package trust

import (
	"os/exec"

	"github.com/plugfs/plugfs/core/catalog"
)

// New returns the opener of Unix systems other than Linux: O_NOFOLLOW and
// the owner from fstat, but the plugin is started by its path, as Go
// cannot execute a descriptor there: a file replaced between the check
// and the start (a window of microseconds, which needs write access to
// the plugin directory) goes unnoticed.
func New() catalog.Opener { return pathOpener{} }

type pathOpener struct{}

func (pathOpener) Open(path string) (catalog.Executable, error) {
	x, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	return &pathExecutable{x}, nil
}

// Exact reports false: the path is run again.
func (pathOpener) Exact() bool { return false }

type pathExecutable struct{ *fdExecutable }

func (x *pathExecutable) Command(args []string) *exec.Cmd {
	cmd := exec.Command(x.path, args[1:]...)
	cmd.Args[0] = args[0]
	return cmd
}
