package main

import (
	"testing"

	"github.com/plugfs/plugfs/platform/bazil"
	"github.com/plugfs/plugfs/platform/mounttest"
)

// driverGaps are the suite's tests a driver cannot pass, and why.
var driverGaps = map[string]mounttest.Skip{
	"bazil": mounttest.Skip(bazil.KnownGaps),
}

// TestPOSIX runs the mount-level suite and the integrity checker through
// real mounts of memfs and local, each plugin in its own process, on every
// Linux driver.
func TestPOSIX(t *testing.T) {
	for _, driver := range []string{"gofuse", "bazil"} {
		for _, plugin := range []struct {
			name string
			args []string
		}{
			{"memfs", nil},
			{"local", []string{"--opt", "root=" + t.TempDir()}},
		} {
			t.Run(driver+"/"+plugin.name, func(t *testing.T) {
				args := append([]string{"--driver", driver, "-o", "allow_other"}, plugin.args...)
				mnt := mountBackground(t, plugin.name, args...)
				mounttest.RunAll(t, mnt, driverGaps[driver])
				t.Run("FSX", func(t *testing.T) { mounttest.RunFSX(t, mnt, mounttest.FSXConfig{}) })
			})
		}
	}
}
