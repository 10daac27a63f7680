//go:build !linux

package posixtest

import "testing"

// FSXConfig sizes a randomized integrity run (Linux only for now).
type FSXConfig struct {
	Seed    int64
	Ops     int
	Files   int
	MaxSize int64
}

// RunFSX fails: the checker uses Linux system calls.
func RunFSX(t *testing.T, dir string, cfg FSXConfig) {
	t.Fatal("posixtest.RunFSX runs on Linux only")
}
