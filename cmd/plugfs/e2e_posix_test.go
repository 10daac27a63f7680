//go:build linux

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

// TestPOSIXDataPlanes runs the suite once more over each data-plane tier
// the default runs above do not take: donated files without kernel
// passthrough (the host splices and writes them), donation refused
// (shared memory), memfs with every byte in messages on the fast lane,
// and memfs with every call and byte in gRPC messages (the portable
// fallback), memfs with a size limit (it then donates nothing), and
// memfs with the kernel's writeback cache over donated files
// (writeback=on; auto already gives memfs the cache on shm, messages and
// grpc), and memfs over shared memory with the host's read-ahead
// (readahead=on: sequential reads served from prefetched chunks, which
// writes, truncations and seeks must invalidate). (The
// defaults: local and memfs donate their files, local the files of its
// directory and memfs memory files, and the kernel serves them with
// passthrough.)
func TestPOSIXDataPlanes(t *testing.T) {
	for _, tc := range []struct {
		name, plugin string
		opts         string
	}{
		{"local/donated-no-passthrough", "local", "passthrough=off"},
		{"local/shm", "local", "dataplane=shm"},
		{"memfs/donated-no-passthrough", "memfs", "passthrough=off"},
		{"memfs/shm", "memfs", "dataplane=shm"},
		{"memfs/size-limit", "memfs", ""},
		{"memfs/messages", "memfs", "dataplane=messages"},
		{"memfs/grpc", "memfs", "dataplane=grpc"},
		{"memfs/writeback", "memfs", "writeback=on"},
		{"memfs/readahead", "memfs", "dataplane=shm,readahead=on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-o", "allow_other," + tc.opts}
			if tc.plugin == "local" {
				args = append(args, "--opt", "root="+t.TempDir())
			}
			if tc.name == "memfs/size-limit" {
				args = append(args, "--opt", "size=1G")
			}
			mnt := mountBackground(t, tc.plugin, args...)
			mounttest.RunAll(t, mnt, nil)
			t.Run("FSX", func(t *testing.T) { mounttest.RunFSX(t, mnt, mounttest.FSXConfig{}) })
			if tc.name == "memfs/shm" || tc.name == "memfs/size-limit" {
				// Files past 1 MiB: memfs moves them from heap chunks
				// into memory files (not with a size limit).
				t.Run("FSX-large", func(t *testing.T) {
					mounttest.RunFSX(t, mnt, mounttest.FSXConfig{MaxSize: 3 << 20, MaxIO: 512 << 10, Ops: 1500})
				})
			}
		})
	}
}
