package main

import (
	"testing"

	"github.com/plugfs/plugfs/platform/posixtest"
)

// bazilGaps are the suite's tests the bazil driver cannot pass, and why.
var bazilGaps = map[string]string{
	"RenameFlags": "bazil.org/fuse does not decode FUSE_RENAME2: renameat2 flags get EINVAL (the go-fuse driver will carry them)",
}

// TestPOSIXMemfs runs the mount-level suite and the integrity checker
// through a real mount of memfs, served by its own plugin process.
func TestPOSIXMemfs(t *testing.T) {
	mnt := mountBackground(t, "memfs")
	posixtest.RunAll(t, mnt, bazilGaps)
	t.Run("FSX", func(t *testing.T) { posixtest.RunFSX(t, mnt, posixtest.FSXConfig{}) })
}

// TestPOSIXLocal does the same through the local plugin.
func TestPOSIXLocal(t *testing.T) {
	mnt := mountBackground(t, "local", "--opt", "root="+t.TempDir())
	posixtest.RunAll(t, mnt, bazilGaps)
	t.Run("FSX", func(t *testing.T) { posixtest.RunFSX(t, mnt, posixtest.FSXConfig{}) })
}
