//go:build linux

package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/fstest"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

func newFS(t *testing.T) *FS {
	t.Helper()
	f, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(context.Background()) })
	return f
}

// TestConformance is the backend suite, in process and over gRPC.
func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return newFS(t) })
}

func TestConformanceOverGRPC(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return sdktest.OverGRPC(t, newFS(t)) })
}

func TestNewRefusesBadRoots(t *testing.T) {
	if _, err := New(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := New(file); !errors.Is(err, sdk.ErrNotDir) {
		t.Errorf("file root: %v", err)
	}
}

// TestConfinement: nothing outside the root is read or written, however
// the path and the symlinks inside are arranged.
func TestConfinement(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	os.Symlink(secret, filepath.Join(root, "abs"))
	os.Symlink("../"+filepath.Base(outside)+"/secret", filepath.Join(root, "rel"))
	os.Symlink(outside, filepath.Join(root, "dirlink"))
	os.Symlink("/", filepath.Join(root, "slash"))
	ctx := context.Background()
	for _, p := range []string{"/abs", "/rel", "/dirlink/secret", "/slash" + secret, "/../" + filepath.Base(outside) + "/secret"} {
		if h, _, err := f.Open(ctx, p, sdk.ReadWrite, 0); err == nil {
			f.Release(ctx, h)
			t.Errorf("Open(%s) escaped the root", p)
		}
		if _, err := f.Setattr(ctx, p, 0, sdk.SetAttr{Valid: sdk.SetMode | sdk.SetSize, Mode: 0o777}); err == nil {
			t.Errorf("Setattr(%s) escaped the root", p)
		}
		if err := f.SetXattr(ctx, p, "user.x", []byte("1"), 0); err == nil {
			t.Errorf("SetXattr(%s) escaped the root", p)
		}
		if _, err := f.Mkdir(ctx, p+"/sub", 0o755); err == nil {
			t.Errorf("Mkdir under %s escaped the root", p)
		}
	}
	if _, _, err := f.Open(ctx, "/dirlink/new", sdk.ReadWrite|sdk.Create, 0o644); err == nil {
		t.Error("created a file through a symlinked directory")
	}
	// The stat of a symlink is the link itself.
	if a, err := f.Stat(ctx, "/abs"); err != nil || a.Mode&os.ModeSymlink == 0 {
		t.Errorf("Stat(/abs) = %v, %v; want the symlink", a.Mode, err)
	}
	checkUntouched(t, outside, secret)
}

// TestSymlinkSwapRace swaps a directory for a symlink to the outside while
// another goroutine writes through the path: no write may land outside.
func TestSymlinkSwapRace(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "f")
	os.WriteFile(secret, []byte("outside"), 0o600)
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	d := filepath.Join(root, "d")
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			os.RemoveAll(d)
			os.Mkdir(d, 0o755)
			os.Remove(d)
			os.Symlink(outside, d)
			os.Remove(d)
		}
	}()
	ctx := context.Background()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if h, _, err := f.Open(ctx, "/d/f", sdk.WriteOnly|sdk.Create|sdk.Truncate, 0o644); err == nil {
			f.Write(ctx, h, []byte("inside"), 0)
			f.Release(ctx, h)
		}
		f.Setattr(ctx, "/d/f", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o777})
		f.Unlink(ctx, "/d/f")
	}
	stop.Store(true)
	wg.Wait()
	checkUntouched(t, outside, secret)
}

func checkUntouched(t *testing.T, outside, secret string) {
	t.Helper()
	b, err := os.ReadFile(secret)
	if err != nil || string(b) != "outside" {
		t.Errorf("the file outside the root changed: %q %v", b, err)
	}
	if st, _ := os.Stat(secret); st.Mode().Perm() != 0o600 {
		t.Errorf("the file outside the root changed mode: %v", st.Mode())
	}
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 {
		t.Errorf("something was created outside the root: %v", ents)
	}
}
