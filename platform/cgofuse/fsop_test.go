//go:build (linux && cgo && cgofuse) || windows

package cgofuse

import (
	"sort"
	"testing"

	"github.com/winfsp/cgofuse/fuse"

	"github.com/plugfs/plugfs/core/pathfs"
	"github.com/plugfs/plugfs/sdk"
)

// newAdapter returns the adapter over a fresh memfs, called directly as
// the FUSE library would, with no mount: this runs on Windows under Wine,
// where WinFsp is absent, so the code WinFsp would call is executed.
func newAdapter(t *testing.T) *fileSystem {
	t.Helper()
	v := memVFS()
	pfs := pathfs.New(v)
	t.Cleanup(pfs.Close)
	return &fileSystem{fs: pfs, init: make(chan struct{}), caller: func() (uint32, uint32, int) { return 0, 0, 1 }}
}

func TestAdapterFiles(t *testing.T) {
	f := newAdapter(t)
	if e := f.Mkdir("/d", 0o755); e != 0 {
		t.Fatalf("mkdir: %d", e)
	}
	e, fh := f.Create("/d/f", fuse.O_RDWR, 0o640)
	if e != 0 {
		t.Fatalf("create: %d", e)
	}
	if n := f.Write("/d/f", []byte("hello world"), 0, fh); n != 11 {
		t.Fatalf("write: %d", n)
	}
	buf := make([]byte, 5)
	if n := f.Read("/d/f", buf, 6, fh); n != 5 || string(buf) != "world" {
		t.Fatalf("read: %d %q", n, buf)
	}
	var st fuse.Stat_t
	if e := f.Getattr("/d/f", &st, fh); e != 0 || st.Size != 11 || st.Mode != fuse.S_IFREG|0o640 || st.Nlink != 1 || st.Ino == 0 {
		t.Errorf("getattr: %d %+v", e, st)
	}
	if e := f.Truncate("/d/f", 5, fh); e != 0 {
		t.Errorf("truncate: %d", e)
	}
	if e := f.Utimens3("/d/f", []fuse.Timespec{{Sec: 1000}, {Sec: 2000}}, fh); e != 0 {
		t.Errorf("utimens: %d", e)
	}
	if e := f.Utimens("/d/f", []fuse.Timespec{{Nsec: fuse.UTIME_OMIT}, {Nsec: fuse.UTIME_OMIT}}); e != 0 {
		t.Errorf("utimens omitting both: %d", e)
	}
	if e := f.Chmod("/d/f", 0o600); e != 0 {
		t.Errorf("chmod: %d", e)
	}
	if e := f.Getattr("/d/f", &st, ^uint64(0)); e != 0 || st.Size != 5 || st.Mode&0o777 != 0o600 || st.Mtim.Sec != 2000 || st.Atim.Sec != 1000 {
		t.Errorf("after truncate, utimens, chmod: %d %+v", e, st)
	}
	if e := f.Release("/d/f", fh); e != 0 {
		t.Errorf("release: %d", e)
	}
	if e, _ := f.Open("/d/missing", fuse.O_RDONLY); e != -fuse.ENOENT {
		t.Errorf("open of a missing file: %d, want -ENOENT", e)
	}
	if e := f.Rmdir("/d"); e != -fuse.ENOTEMPTY {
		t.Errorf("rmdir of a non-empty directory: %d, want -ENOTEMPTY", e)
	}
	if e := f.Rename3("/d/f", "/d/g", fuse.RENAME_NOREPLACE); e != 0 {
		t.Errorf("rename: %d", e)
	}
	if e := f.Rename3("/d/g", "/d/h", fuse.RENAME_WHITEOUT); e != -fuse.EINVAL {
		t.Errorf("rename with whiteout: %d, want -EINVAL", e)
	}
	if e := f.Symlink("g", "/d/l"); e != 0 {
		t.Errorf("symlink: %d", e)
	}
	if e, target := f.Readlink("/d/l"); e != 0 || target != "g" {
		t.Errorf("readlink: %d %q", e, target)
	}
	if e := f.Setxattr("/d/g", "user.k", []byte("v"), xattrCreate); e != 0 {
		t.Errorf("setxattr: %d", e)
	}
	if e := f.Setxattr("/d/g", "user.k", []byte("w"), xattrCreate); e != -fuse.EEXIST {
		t.Errorf("setxattr create over an existing one: %d, want -EEXIST", e)
	}
	if e, v := f.Getxattr("/d/g", "user.k"); e != 0 || string(v) != "v" {
		t.Errorf("getxattr: %d %q", e, v)
	}
	var names []string
	if e := f.Listxattr("/d/g", func(n string) bool { names = append(names, n); return true }); e != 0 || len(names) != 1 {
		t.Errorf("listxattr: %d %q", e, names)
	}
	if e := f.Removexattr("/d/g", "user.k"); e != 0 {
		t.Errorf("removexattr: %d", e)
	}
	if e, _ := f.Getxattr("/d/g", "user.k"); e != -fuse.ENOATTR {
		t.Errorf("getxattr after removal: %d, want -ENOATTR", e)
	}
	var sfs fuse.Statfs_t
	if e := f.Statfs("/", &sfs); e != 0 || sfs.Bsize == 0 || sfs.Namemax == 0 {
		t.Errorf("statfs: %d %+v", e, sfs)
	}
	for _, p := range []string{"/d/g", "/d/l"} {
		if e := f.Unlink(p); e != 0 {
			t.Errorf("unlink %s: %d", p, e)
		}
	}
	if e := f.Rmdir("/d"); e != 0 {
		t.Errorf("rmdir: %d", e)
	}
}

// TestAdapterReaddir fills a small buffer repeatedly, as the FUSE library
// does, and must see every entry once, then the end.
func TestAdapterReaddir(t *testing.T) {
	f := newAdapter(t)
	want := []string{".", ".."}
	for i := 0; i < 1100; i++ { // more than two pages of the plugin's listing
		name := "f" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		e, fh := f.Create("/"+name, fuse.O_WRONLY, 0o644)
		if e != 0 {
			t.Fatalf("create %s: %d", name, e)
		}
		f.Release("/"+name, fh)
		want = append(want, name)
	}
	e, dh := f.Opendir("/")
	if e != 0 {
		t.Fatalf("opendir: %d", e)
	}
	defer f.Releasedir("/", dh)
	var got []string
	var ofst int64
	for calls := 0; ; calls++ {
		room, n := 7, 0
		e := f.Readdir("/", func(name string, st *fuse.Stat_t, next int64) bool {
			if n == room {
				return false
			}
			if st == nil || st.Mode&fuse.S_IFMT == 0 {
				t.Errorf("%s listed without its type", name)
			}
			got = append(got, name)
			ofst = next
			n++
			return true
		}, ofst, dh)
		if e != 0 {
			t.Fatalf("readdir: %d", e)
		}
		if n == 0 {
			break
		}
		if calls > 1000 {
			t.Fatal("the listing does not end")
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("listed %d names, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("listing differs at %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestErrorNumbers(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0}, {sdk.ErrNotExist, -fuse.ENOENT}, {sdk.ErrReadOnly, -fuse.EROFS},
		{sdk.ErrNoAttr, -fuse.ENOATTR}, {sdk.ErrUnavailable, -fuse.EIO}, {sdk.ErrNotSupported, -fuse.ENOTSUP},
	} {
		if got := errc(c.err); got != c.want {
			t.Errorf("errc(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
