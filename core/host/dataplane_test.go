//go:build linux

package host_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestFileDonation: a real plugin process (local) donates the files it
// opens; the host reads and writes them without plugin calls, keeps them
// working when the plugin is killed, and leaks no descriptor over
// thousands of opens.
func TestFileDonation(t *testing.T) {
	root := t.TempDir()
	h := start(t, config(testplugin.ModeLocal, map[string]string{"root": root}))
	dp, donates := h.DataPlane()
	if !dp.FileChannel || !dp.SharedMemory || !donates {
		t.Fatalf("data plane %+v, donates %v: want the file channel, shared memory and donation", dp, donates)
	}
	be := h.FileSystem()
	ctx := context.Background()
	fh, _, err := be.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if be.File(fh) == nil || be.DonatedFiles() != 1 {
		t.Fatalf("File %v, %d donated: want the plugin's file", be.File(fh), be.DonatedFiles())
	}
	if _, err := be.Write(ctx, fh, []byte("written by the host"), 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "f")); string(got) != "written by the host" {
		t.Fatalf("backing file holds %q", got)
	}
	// The plugin dies: the donated file still reads.
	if err := syscall.Kill(h.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	buf := make([]byte, 64)
	n, err := be.Read(ctx, fh, buf, 0)
	if err != nil || string(buf[:n]) != "written by the host" {
		t.Fatalf("read after the plugin died: %q, %v", buf[:n], err)
	}
	_ = be.Release(ctx, fh)

	// Wait for the successor, then check for leaks.
	deadline := time.Now().Add(5 * time.Second)
	for h.Restarts() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := be.Stat(ctx, "/f"); err != nil {
		t.Fatalf("stat on the restarted plugin: %v", err)
	}
	before := openFDs(t)
	for i := 0; i < 2000; i++ {
		fh, _, err := be.Open(ctx, "/f", sdk.ReadOnly, 0)
		if err != nil {
			t.Fatal(err)
		}
		if be.File(fh) == nil {
			t.Fatalf("open %d after restart: no donated file", i)
		}
		if err := be.Release(ctx, fh); err != nil {
			t.Fatal(err)
		}
	}
	if after := openFDs(t); after > before+2 {
		t.Errorf("descriptors: %d before 2000 donated opens, %d after", before, after)
	}
	if be.DonatedFiles() != 0 {
		t.Errorf("%d donated files held after every release", be.DonatedFiles())
	}
}

// TestDataPlaneChoice: shm refuses donation but shares memory; messages
// uses neither but keeps the fast lane; grpc uses nothing but gRPC; bytes
// arrive intact every way.
func TestDataPlaneChoice(t *testing.T) {
	for _, tc := range []struct {
		dp                core.DataPlane
		shm, donate, lane bool
	}{
		{core.DataPlaneAuto, true, true, true},
		{core.DataPlaneSharedMemory, true, false, true},
		{core.DataPlaneMessages, false, false, true},
		{core.DataPlaneGRPC, false, false, false},
	} {
		root := t.TempDir()
		cfg := config(testplugin.ModeLocal, map[string]string{"root": root})
		cfg.DataPlane = tc.dp
		h := start(t, cfg)
		dp, donates := h.DataPlane()
		if dp.SharedMemory != tc.shm || donates != tc.donate || dp.FastLane != tc.lane {
			t.Fatalf("%v: data plane %+v, donates %v", tc.dp, dp, donates)
		}
		be := h.FileSystem()
		ctx := context.Background()
		fh, _, err := be.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if (be.File(fh) != nil) != tc.donate {
			t.Errorf("%v: donated file taken: %v", tc.dp, be.File(fh) != nil)
		}
		data := bytes.Repeat([]byte{0xa5, 0x5a}, 300_000)
		if n, err := be.Write(ctx, fh, data, 10); err != nil || n != len(data) {
			t.Fatalf("%v: write %d, %v", tc.dp, n, err)
		}
		got := make([]byte, len(data))
		if n, err := be.Read(ctx, fh, got, 10); err != nil || n != len(data) || !bytes.Equal(got, data) {
			t.Fatalf("%v: read %d, %v", tc.dp, n, err)
		}
		_ = be.Release(ctx, fh)
	}
}
