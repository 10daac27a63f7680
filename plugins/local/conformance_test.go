package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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

// TestConformance is the backend suite, in process.
func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return newFS(t) })
}

// TestConformanceOverGRPC is the backend suite across the real transport.
func TestConformanceOverGRPC(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return sdktest.OverGRPC(t, newFS(t)) })
}

func TestNewRefusesBadRoots(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := New(missing)
	if !errors.Is(err, sdk.ErrNotExist) || !strings.Contains(err.Error(), "--opt root=") {
		t.Errorf("missing root: %v; want ErrNotExist naming --opt root=", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(file); !errors.Is(err, sdk.ErrNotDir) || !strings.Contains(err.Error(), "--opt root=") {
		t.Errorf("file root: %v; want ErrNotDir naming --opt root=", err)
	}
	if _, err := New(""); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("empty root: %v; want ErrInvalid", err)
	}
}

func TestPluginOptions(t *testing.T) {
	p := Plugin()
	if p.Name != "local" {
		t.Errorf("Name = %q", p.Name)
	}
	if _, err := p.Validate(map[string]string{}); err == nil {
		t.Error("root is not required")
	}
	if _, err := p.Validate(map[string]string{"root": "/", "follow_symlinks": "1"}); err == nil {
		t.Error("unknown option accepted")
	}
	dir := t.TempDir()
	o, err := p.Validate(map[string]string{"root": dir})
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := p.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.(sdk.Closer).Close(context.Background())
	if err := os.WriteFile(filepath.Join(dir, "x"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	if a, err := fsys.Stat(context.Background(), "/x"); err != nil || a.Size != 2 {
		t.Errorf("Stat(/x) = %+v, %v", a, err)
	}
	feat := sdk.DetectFeatures(fsys)
	if !feat.StableIno && runtime.GOOS != "windows" || !feat.Write || !feat.Rename {
		t.Errorf("features %+v", feat)
	}
}

// TestDotDotRefused: paths that are not clean never reach the file system.
func TestDotDotRefused(t *testing.T) {
	f := newFS(t)
	ctx := context.Background()
	for _, p := range []string{"/..", "/a/..", "/../x", "//x", "/./x", "x", "/x/", "/a\x00b"} {
		if _, err := f.Stat(ctx, p); !errors.Is(err, sdk.ErrInvalid) {
			t.Errorf("Stat(%q) = %v; want ErrInvalid", p, err)
		}
		if err := f.Rename(ctx, p, "/y", 0); !errors.Is(err, sdk.ErrInvalid) {
			t.Errorf("Rename(%q) = %v; want ErrInvalid", p, err)
		}
		if _, err := f.Mkdir(ctx, p, 0o755); !errors.Is(err, sdk.ErrInvalid) {
			t.Errorf("Mkdir(%q) = %v; want ErrInvalid", p, err)
		}
		if err := f.Rmdir(ctx, p); !errors.Is(err, sdk.ErrInvalid) {
			t.Errorf("Rmdir(%q) = %v; want ErrInvalid", p, err)
		}
	}
}
