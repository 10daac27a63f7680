//go:build !linux

package mounttest

import "testing"

// All is the suite; it holds no tests on this operating system yet.
var All = map[string]func(t *testing.T, mnt string){}

// RunFSX is not implemented on this operating system: it skips.
func RunFSX(t *testing.T, dir string, cfg FSXConfig) {
	t.Skip("mounttest: RunFSX needs Linux")
}

func openFDs() int { return -1 }
