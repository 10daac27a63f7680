package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
)

// DefaultOpener opens executables with package os alone: it refuses a
// path that is a symbolic link when looked at, does not know owners
// (FileInfo.UID is -1) and runs the path again to start the plugin, so a
// file swapped between the check and the start goes unnoticed. It serves
// systems platform/trust has no better opener for.
type DefaultOpener struct{}

var _ Opener = DefaultOpener{}

// Open opens path after checking that it is not a symbolic link, and
// checks that the file opened is the one looked at.
func (DefaultOpener) Open(path string) (Executable, error) {
	lst, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if lst.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !os.SameFile(lst, st) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was being opened", path)
	}
	return &pathExecutable{File: f, path: path, mode: st.Mode()}, nil
}

// Exact reports false: the path is run again.
func (DefaultOpener) Exact() bool { return false }

// pathExecutable is an opened file run by its path.
type pathExecutable struct {
	*os.File
	path string
	mode fs.FileMode
}

func (x *pathExecutable) Info() (FileInfo, error) { return FileInfo{Mode: x.mode, UID: -1}, nil }

func (x *pathExecutable) Command(args []string) *exec.Cmd {
	cmd := exec.Command(x.path, args[1:]...)
	cmd.Args[0] = args[0]
	return cmd
}
