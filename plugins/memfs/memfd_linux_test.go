//go:build linux

package memfs_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/fstest"
)

// donatingAtOpen is memfs with every regular file moved to a memory file
// at its open, as a host taking donated files makes it: the suite then
// checks the memory-file storage through ordinary calls.
type donatingAtOpen struct{ *memfs.FS }

func (d donatingAtOpen) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode os.FileMode) (sdk.Handle, sdk.Attr, error) {
	h, a, err := d.FS.Open(ctx, p, flags, mode)
	if err == nil && a.Mode.IsRegular() {
		_, _ = d.DonateFile(ctx, h) // declined for appending opens
	}
	return h, a, err
}

func TestConformanceMemoryFiles(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return donatingAtOpen{memfs.New()} })
}

// TestDonatedFile: what the kernel writes to a donated file is the
// file's content, size and mtime for memfs; memfs's own changes reach the
// memory file; the memory file goes with the file's last name and handle.
func TestDonatedFile(t *testing.T) {
	ctx := context.Background()
	fs := memfs.New()
	h, _, err := fs.Open(ctx, "/f", sdk.Create|sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Write(ctx, h, []byte("before"), 0); err != nil {
		t.Fatal(err)
	}
	before, err := fs.Stat(ctx, "/f")
	if err != nil {
		t.Fatal(err)
	}
	df, err := fs.DonateFile(ctx, h)
	if err != nil {
		t.Fatalf("DonateFile: %v", err)
	}
	if after, err := fs.Stat(ctx, "/f"); err != nil || !after.Mtime.Equal(before.Mtime) || !after.Ctime.Equal(before.Ctime) {
		t.Errorf("donating changed the file's times: mtime %v -> %v, ctime %v -> %v (%v)", before.Mtime, after.Mtime, before.Ctime, after.Ctime, err)
	}
	buf := make([]byte, 6)
	if _, err := df.ReadAt(buf, 0); err != nil || string(buf) != "before" {
		t.Fatalf("donated file holds %q, %v: the content did not move", buf, err)
	}
	// The kernel writes through the donated descriptor.
	old := time.Now().Add(-time.Hour)
	if _, err := fs.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetMtime, Mtime: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := df.WriteAt([]byte("written by the kernel"), 100); err != nil {
		t.Fatal(err)
	}
	a, err := fs.Stat(ctx, "/f")
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != 121 || time.Since(a.Mtime) > time.Minute {
		t.Errorf("after a write to the donated file: size %d mtime %v, want 121 and now", a.Size, a.Mtime)
	}
	got := make([]byte, 21)
	if n, err := fs.Read(ctx, h, got, 100); err != nil || string(got[:n]) != "written by the kernel" {
		t.Errorf("Read after the kernel's write: %q, %v", got[:n], err)
	}
	// Changing atime alone keeps the kernel-written mtime.
	mtime := a.Mtime
	if a, err = fs.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetAtime, Atime: old}); err != nil || !a.Mtime.Equal(mtime) {
		t.Errorf("setattr atime: mtime %v (want %v kept), %v", a.Mtime, mtime, err)
	}
	// Truncation and an explicit mtime reach the memory file.
	if a, err = fs.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetSize | sdk.SetMtime, Size: 3, Mtime: old}); err != nil {
		t.Fatal(err)
	}
	st, err := df.Stat()
	if err != nil || st.Size() != 3 || !st.ModTime().Equal(old) || a.Size != 3 || !a.Mtime.Equal(old) {
		t.Errorf("after truncate to 3 with mtime %v: memory file %d %v, attr %d %v (%v)", old, st.Size(), st.ModTime(), a.Size, a.Mtime, err)
	}
	sf, err := fs.Statfs(ctx)
	if err != nil || sf.BlocksFree >= sf.Blocks {
		t.Errorf("statfs does not count the memory file: %d of %d blocks free (%v)", sf.BlocksFree, sf.Blocks, err)
	}
	// An appending open is not donated; its writes land at the end.
	ah, _, err := fs.Open(ctx, "/f", sdk.WriteOnly|sdk.Append, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.DonateFile(ctx, ah); err == nil {
		t.Error("an appending handle was donated")
	}
	if _, err := fs.Write(ctx, ah, []byte("+end"), 0); err != nil {
		t.Fatal(err)
	}
	if a, _ := fs.Stat(ctx, "/f"); a.Size != 7 {
		t.Errorf("size after an append: %d, want 7", a.Size)
	}
	fs.Release(ctx, ah)
	// Last name and last handle gone: the memory file is closed.
	if err := fs.Unlink(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
	if _, err := df.Stat(); err == nil {
		t.Error("the donated descriptor is still open after the last release")
	}
}

// TestDonateDeclinedWithSizeLimit: with a size limit, memfs keeps every
// byte where it can count it.
func TestDonateDeclinedWithSizeLimit(t *testing.T) {
	ctx := context.Background()
	fs := memfs.New(memfs.WithSize(1 << 20))
	h, _, err := fs.Open(ctx, "/f", sdk.Create|sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := fs.DonateFile(ctx, h); err == nil || f != nil {
		t.Errorf("DonateFile with a size limit: %v, %v; want a refusal", f, err)
	}
}
