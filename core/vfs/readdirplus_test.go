package vfs_test

import (
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// writeFile makes file p in the plugin itself, behind the VFS's back (as
// if it held the data before the mount), with content.
func writeFile(t *testing.T, be *restartable, p, content string) {
	t.Helper()
	h, _, err := be.FS.Open(ctx, p, sdk.ReadWrite|sdk.Create, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := be.FS.Write(ctx, h, []byte(content), 0); err != nil {
		t.Fatal(err)
	}
	if err := be.FS.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
}

// byName returns the entry called name of a listing.
func byName(t *testing.T, ents []vfs.DirEntry, name string) vfs.DirEntry {
	t.Helper()
	for _, e := range ents {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("%s not listed in %v", name, ents)
	return vfs.DirEntry{}
}

// A listed entry bound with BindEntry is a kernel entry like a Lookup's:
// one reference per bind, the node Lookup finds, hard links joined; an
// entry listed but not bound leaves no node behind.
func TestBindEntry(t *testing.T) {
	v, be := newVFS(t)
	writeFile(t, be, "/a", "hello")
	writeFile(t, be, "/b", "")
	if _, err := be.FS.Link(ctx, "/a", "/h"); err != nil {
		t.Fatal(err)
	}
	dh, err := v.OpenDir(ctx, vfs.RootID)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, dh)
	ents := listAll(t, v, dh)
	if n := v.Nodes(); n != 1 {
		t.Fatalf("a listing made %d nodes, want the root only", n)
	}
	for _, dot := range ents[:2] {
		if dot.Attr != nil {
			t.Errorf("%q carries attributes", dot.Name)
		}
		if _, ok := v.BindEntry(dh, dot); ok {
			t.Errorf("%q was bound", dot.Name)
		}
	}
	a := byName(t, ents, "a")
	if a.Attr == nil || a.Attr.Size != 5 {
		t.Fatalf("a listed with attributes %+v, want memfs's (size 5)", a.Attr)
	}
	e, ok := v.BindEntry(dh, a)
	if !ok {
		t.Fatal("a fresh listed entry was not bound")
	}
	if e.Attr.Size != 5 || e.Attr.Mode.Perm() != 0o640 || e.Attr.Nlink != 2 || e.EntryTimeout <= 0 || e.Attr.Timeout <= 0 {
		t.Errorf("bound entry %+v", e)
	}
	l, err := v.Lookup(ctx, vfs.RootID, "a")
	if err != nil || l.ID != e.ID {
		t.Fatalf("lookup after bind: node %d (%v), want %d", l.ID, err, e.ID)
	}
	h, ok := v.BindEntry(dh, byName(t, ents, "h"))
	if !ok || h.ID != e.ID {
		t.Errorf("hard link h bound to node %d (%v), want a's %d", h.ID, ok, e.ID)
	}
	if n := v.Nodes(); n != 2 {
		t.Errorf("%d nodes after binding a and h, want 2 (b was not bound)", n)
	}
	// Three references: bind a, lookup a, bind h. Two forgets keep it.
	v.Forget(e.ID, 2)
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Errorf("node gone with a reference left: %v", err)
	}
	v.Forget(e.ID, 1)
	if n := v.Nodes(); n != 1 {
		t.Errorf("%d nodes after every reference was forgotten, want 1", n)
	}
}

// Listed attributes are not handed out once something changed after they
// were read, nor after a plugin restart; a fresh listing has them again.
func TestBindEntryStale(t *testing.T) {
	v, be := newVFS(t)
	writeFile(t, be, "/a", "hello")
	dh, err := v.OpenDir(ctx, vfs.RootID)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, dh)
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"write", func() {
			c := create(t, v, vfs.RootID, "c", "grow") // create, write, release
			v.Forget(c.ID, 1)
		}},
		{"reported change", func() { v.Changed(sdk.Change{Kind: sdk.ChangeModified, Path: "/a"}) }},
		{"plugin restart", be.Restart},
		{"unlink", func() {
			if err := v.Unlink(ctx, vfs.RootID, "c"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		a := byName(t, listAll(t, v, dh), "a") // from 0: a fresh snapshot
		tc.change()
		if e, ok := v.BindEntry(dh, a); ok {
			t.Errorf("%s: listed before it, a was bound (node %d)", tc.name, e.ID)
			v.Forget(e.ID, 1)
		}
		a = byName(t, listAll(t, v, dh), "a")
		e, ok := v.BindEntry(dh, a)
		if !ok {
			t.Errorf("%s: listed after it, a was not bound", tc.name)
			continue
		}
		v.Forget(e.ID, 1)
	}
	if n := v.Nodes(); n != 1 {
		t.Errorf("%d nodes left, want the root only", n)
	}
}
