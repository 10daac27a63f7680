package memfs_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

var ctx = context.Background()

func mustOpen(t *testing.T, f *memfs.FS, p string, flags sdk.OpenFlags) sdk.Handle {
	t.Helper()
	h, _, err := f.Open(ctx, p, flags, 0o644)
	if err != nil {
		t.Fatalf("Open(%s): %v", p, err)
	}
	return h
}

func statfs(t *testing.T, f *memfs.FS) sdk.Statfs {
	t.Helper()
	st, err := f.Statfs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSizeLimit: writes beyond the limit fail with ErrNoSpace, overwrites
// within stored bytes still work, and freed bytes can be used again.
func TestSizeLimit(t *testing.T) {
	f := memfs.New(memfs.WithSize(100 << 10))
	st := statfs(t, f)
	if st.Blocks != 25 || st.BlocksFree != 25 {
		t.Errorf("Statfs of an empty 100K volume = %+v, want 25 blocks of 4K, all free", st)
	}
	h := mustOpen(t, f, "/a", sdk.Create|sdk.ReadWrite)
	if _, err := f.Write(ctx, h, make([]byte, 80<<10), 0); err != nil {
		t.Fatal(err)
	}
	if st := statfs(t, f); st.BlocksFree != 5 {
		t.Errorf("BlocksFree after storing 80K of 100K = %d, want 5", st.BlocksFree)
	}
	h2 := mustOpen(t, f, "/b", sdk.Create|sdk.ReadWrite)
	if _, err := f.Write(ctx, h2, make([]byte, 30<<10), 0); !errors.Is(err, sdk.ErrNoSpace) {
		t.Errorf("writing past the limit = %v, want ErrNoSpace", err)
	}
	if _, err := f.Write(ctx, h, []byte("overwrite"), 1000); err != nil {
		t.Errorf("overwriting stored bytes at the limit: %v", err)
	}
	// A hole costs nothing, even far away.
	if _, err := f.Setattr(ctx, "/b", 0, sdk.SetAttr{Valid: sdk.SetSize, Size: 1 << 40}); err != nil {
		t.Errorf("sparse truncate on a full volume: %v", err)
	}
	if err := f.Unlink(ctx, "/a"); err != nil {
		t.Fatal(err)
	}
	if st := statfs(t, f); st.BlocksFree != 5 {
		t.Errorf("an unlinked but open file must keep its bytes: BlocksFree = %d, want 5", st.BlocksFree)
	}
	if err := f.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
	if st := statfs(t, f); st.BlocksFree != 25 {
		t.Errorf("BlocksFree after the last handle of an unlinked file is released = %d, want 25", st.BlocksFree)
	}
	if _, err := f.Write(ctx, h2, make([]byte, 30<<10), 0); err != nil {
		t.Errorf("writing into freed space: %v", err)
	}
	// Truncation frees too.
	if _, err := f.Setattr(ctx, "", h2, sdk.SetAttr{Valid: sdk.SetSize, Size: 10}); err != nil {
		t.Fatal(err)
	}
	if st := statfs(t, f); st.BlocksFree != 24 {
		t.Errorf("BlocksFree after truncating to 10 bytes = %d, want 24", st.BlocksFree)
	}
	_ = f.Release(ctx, h2)
}

// TestSparseTiB: a 1 TiB file costs only what was written.
func TestSparseTiB(t *testing.T) {
	f := memfs.New(memfs.WithSize(1 << 20))
	h := mustOpen(t, f, "/big", sdk.Create|sdk.ReadWrite)
	defer f.Release(ctx, h)
	const tib = 1 << 40
	a, err := f.Setattr(ctx, "", h, sdk.SetAttr{Valid: sdk.SetSize, Size: tib})
	if err != nil || a.Size != tib {
		t.Fatalf("truncate to 1 TiB = %+v, %v", a, err)
	}
	if _, err := f.Write(ctx, h, []byte("end"), tib-3); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, err := f.Read(ctx, h, buf, tib-8)
	if err != nil || n != 8 || string(buf) != "\x00\x00\x00\x00\x00end" {
		t.Errorf("Read at the end of 1 TiB = %d, %q, %v", n, buf, err)
	}
	n, err = f.Read(ctx, h, buf, tib/2)
	if err != nil || n != 8 || string(buf) != "\x00\x00\x00\x00\x00\x00\x00\x00" {
		t.Errorf("Read in the middle of a 1 TiB hole = %d, %q, %v", n, buf, err)
	}
	st, _ := f.StatHandle(ctx, h)
	if st.Blocks != 1 {
		t.Errorf("1 TiB sparse file with 3 bytes stored uses %d blocks, want 1", st.Blocks)
	}
	if fs := statfs(t, f); fs.BlocksFree != 255 {
		t.Errorf("BlocksFree = %d, want 255: the hole must not count", fs.BlocksFree)
	}
}

// TestOptions: the plugin's options are validated with messages that name
// the option and the fix.
func TestOptions(t *testing.T) {
	p := memfs.Plugin()
	if p.Name != "memfs" || p.Description == "" || p.New == nil {
		t.Fatalf("Plugin() = %+v", p)
	}
	for _, c := range []struct {
		opts map[string]string
		want string // "" for success; else a substring of the error
	}{
		{nil, ""},
		{map[string]string{"size": "64M", "mode": "1777"}, ""},
		{map[string]string{"size": "lots"}, "size"},
		{map[string]string{"size": "-5"}, "size"},
		{map[string]string{"mode": "0999"}, "mode"},
		{map[string]string{"mode": "17777"}, "mode"},
		{map[string]string{"mode": "rwx"}, "mode"},
		{map[string]string{"colour": "blue"}, "colour"},
	} {
		o, err := p.Validate(c.opts)
		var fsys sdk.FileSystem
		if err == nil {
			fsys, err = p.New(ctx, o)
		}
		switch {
		case c.want == "" && err != nil:
			t.Errorf("options %v: %v", c.opts, err)
		case c.want != "" && (!errors.Is(err, sdk.ErrInvalid) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("options %v: error %v, want ErrInvalid naming %q", c.opts, err, c.want)
		case c.want == "" && c.opts["mode"] == "1777":
			a, _ := fsys.Stat(ctx, "/")
			if sdk.PermMode(a.Mode) != fs.ModeSticky|0o777 || !a.Mode.IsDir() {
				t.Errorf("mode=1777: root mode %v", a.Mode)
			}
			st, _ := fsys.(sdk.Statfser).Statfs(ctx)
			if st.Blocks*uint64(st.BlockSize) != 64<<20 {
				t.Errorf("size=64M: Statfs %+v", st)
			}
		case c.want == "" && c.opts == nil:
			if a, _ := fsys.Stat(ctx, "/"); a.Mode.Perm() != 0o755 {
				t.Errorf("default root mode %v, want 0755", a.Mode)
			}
		}
	}
}

// TestOptionsOverGRPC: a bad option fails the capability exchange with
// ErrInvalid on the host side.
func TestOptionsOverGRPC(t *testing.T) {
	_, res := sdktest.TestClient(t, memfs.Plugin(), map[string]string{"size": "1G"})
	f := res.Features
	if !f.Write || !f.Xattr || !f.RenameExchange || !f.RenameNoReplace || !f.StableIno || f.ReadOnly {
		t.Errorf("features announced over the wire = %+v", f)
	}
}

// TestNames: names longer than 255 bytes are ErrNameTooLong; a path
// through a file is ErrNotDir.
func TestNames(t *testing.T) {
	f := memfs.New()
	long := "/" + strings.Repeat("n", 256)
	if _, _, err := f.Open(ctx, long, sdk.Create|sdk.ReadWrite, 0o644); !errors.Is(err, sdk.ErrNameTooLong) {
		t.Errorf("create with a 256-byte name = %v, want ErrNameTooLong", err)
	}
	if _, err := f.Mkdir(ctx, long, 0o755); !errors.Is(err, sdk.ErrNameTooLong) {
		t.Errorf("mkdir with a 256-byte name = %v, want ErrNameTooLong", err)
	}
	if _, err := f.Stat(ctx, long); !errors.Is(err, sdk.ErrNameTooLong) {
		t.Errorf("stat with a 256-byte name = %v, want ErrNameTooLong", err)
	}
	ok := "/" + strings.Repeat("n", 255)
	h, _, err := f.Open(ctx, ok, sdk.Create|sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatalf("create with a 255-byte name: %v", err)
	}
	_ = f.Release(ctx, h)
	if _, err := f.Mkdir(ctx, ok+"/x", 0o755); !errors.Is(err, sdk.ErrNotDir) {
		t.Errorf("mkdir below a file = %v, want ErrNotDir", err)
	}
}
