package vfs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// xattrCounting is memfs counting GetXattr calls.
type xattrCounting struct {
	*memfs.FS
	gets atomic.Int64
}

func (x *xattrCounting) GetXattr(ctx context.Context, p, name string) ([]byte, error) {
	x.gets.Add(1)
	return x.FS.GetXattr(ctx, p, name)
}

// TestCapabilityAbsenceCached: the kernel's security.capability question
// before writes costs one plugin call per attribute timeout, not one per
// written file; a change through the VFS or reported by the plugin asks
// again, and without attribute caching every question reaches the plugin.
func TestCapabilityAbsenceCached(t *testing.T) {
	const capName = "security.capability"
	setup := func(attr time.Duration) (*vfs.VFS, *xattrCounting, uint64) {
		be := &xattrCounting{FS: memfs.New()}
		v := vfs.New(be, sdk.DetectFeatures(be), vfs.Options{AttrTimeout: attr})
		e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Release(ctx, fh)
		return v, be, e.ID
	}
	noCap := func(v *vfs.VFS, id uint64) {
		t.Helper()
		if _, err := v.Getxattr(ctx, id, capName); !errors.Is(err, sdk.ErrNoAttr) {
			t.Fatalf("getxattr %s: %v, want ErrNoAttr", capName, err)
		}
	}

	v, be, id := setup(time.Hour)
	for range 5 {
		noCap(v, id)
	}
	if n := be.gets.Load(); n != 1 {
		t.Errorf("5 questions made %d plugin calls, want 1", n)
	}
	// Other names are never cached.
	for range 2 {
		_, _ = v.Getxattr(ctx, id, "user.x")
	}
	if n := be.gets.Load(); n != 3 {
		t.Errorf("user.x asked %d times in all, want 3 plugin calls", n)
	}
	// Set through the VFS: seen at once.
	if err := v.Setxattr(ctx, id, capName, []byte{1, 2, 3}, 0); err != nil {
		t.Fatal(err)
	}
	if val, err := v.Getxattr(ctx, id, capName); err != nil || len(val) != 3 {
		t.Errorf("after setxattr: %v, %v", val, err)
	}
	// Set behind the VFS and reported by the plugin: seen at once.
	v2, be2, id2 := setup(time.Hour)
	noCap(v2, id2)
	if err := be2.FS.SetXattr(ctx, "/f", capName, []byte{9}, 0); err != nil {
		t.Fatal(err)
	}
	v2.Changed(sdk.Change{Kind: sdk.ChangeModified, Path: "/f"})
	if val, err := v2.Getxattr(ctx, id2, capName); err != nil || len(val) != 1 {
		t.Errorf("after a reported change: %v, %v", val, err)
	}
	// No attribute caching: every question is a call.
	v3, be3, id3 := setup(-1)
	noCap(v3, id3)
	noCap(v3, id3)
	if n := be3.gets.Load(); n != 2 {
		t.Errorf("without caching 2 questions made %d calls", n)
	}
}
