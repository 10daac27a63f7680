//go:build !windows

package sdk_test

import (
	"os"
	"path/filepath"
	"testing"
)

// checkLanePrivate: the lane's socket is this user's alone, and not in
// the shared temporary directory (the tests give a private one).
func checkLanePrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lane socket mode %v, want 0600", fi.Mode().Perm())
	}
	if filepath.Dir(path) == os.TempDir() {
		t.Errorf("lane socket %s is in the shared temporary directory", path)
	}
}

// laneDir is a private directory for a lane's socket.
func laneDir(t *testing.T) string { return t.TempDir() }
