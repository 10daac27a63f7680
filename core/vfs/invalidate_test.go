package vfs_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// invalRecorder is an Invalidator that writes down what it was asked to drop.
type invalRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *invalRecorder) InvalidateEntry(parent uint64, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("entry %d/%s", parent, name))
}

func (r *invalRecorder) InvalidateNode(id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("node %d", id))
}

func (r *invalRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	slices.Sort(out)
	return out
}

// TestChangedInvalidates: each kind of change drops exactly the kernel
// entries and nodes it affects among those the kernel knows, nothing is
// asked of unknown paths, and a removed invalidator is not called.
func TestChangedInvalidates(t *testing.T) {
	v, _ := newVFS(t)
	d, err := v.Mkdir(ctx, 1, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f, fh, err := v.Create(ctx, d.ID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = v.Release(ctx, fh)
	rec := &invalRecorder{}
	remove := v.SetInvalidator(rec)

	check := func(c sdk.Change, want ...string) {
		t.Helper()
		v.Changed(c)
		got := rec.take()
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%v %s: invalidated %q, want %q", c.Kind, c.Path, got, want)
		}
	}
	check(sdk.Change{Kind: sdk.ChangeModified, Path: "/d/f"}, fmt.Sprintf("entry %d/f", d.ID), fmt.Sprintf("node %d", f.ID))
	check(sdk.Change{Kind: sdk.ChangeCreated, Path: "/d/new"}, fmt.Sprintf("entry %d/new", d.ID), fmt.Sprintf("node %d", d.ID))
	check(sdk.Change{Kind: sdk.ChangeRemoved, Path: "/d/f"}, fmt.Sprintf("entry %d/f", d.ID), fmt.Sprintf("node %d", d.ID), fmt.Sprintf("node %d", f.ID))
	check(sdk.Change{Kind: sdk.ChangeModified, Path: "/"}, "node 1")
	// Under a directory the kernel does not know: nothing to drop.
	check(sdk.Change{Kind: sdk.ChangeCreated, Path: "/unknown/x"})
	all := []string{"node 1", fmt.Sprintf("node %d", d.ID), fmt.Sprintf("node %d", f.ID), "entry 1/d", fmt.Sprintf("entry %d/f", d.ID)}
	check(sdk.Change{Kind: sdk.ChangeAll}, all...)
	remove()
	check(sdk.Change{Kind: sdk.ChangeAll})
}
