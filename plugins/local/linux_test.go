//go:build linux && !localportable

package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

func newFSAt(t *testing.T) (*FS, string) {
	t.Helper()
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(context.Background()) })
	return f, root
}

func lstatSys(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

// TestOwnershipForCaller: running as root for another caller, new objects
// belong to the caller, or to the setgid parent's group; setuid survives.
func TestOwnershipForCaller(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: chown to another user is what is tested")
	}
	f, root := newFSAt(t)
	ctx := sdk.WithCaller(context.Background(), sdk.Caller{Uid: 1234, Gid: 5678, Pid: 1})
	h, _, err := f.Open(ctx, "/file", sdk.WriteOnly|sdk.Create, fs.ModeSetuid|0o755)
	if err != nil {
		t.Fatal(err)
	}
	f.Release(ctx, h)
	mustNo(t, ctx, f)
	for _, n := range []string{"file", "dir", "link", "fifo"} {
		st := lstatSys(t, filepath.Join(root, n))
		if st.Uid != 1234 || st.Gid != 5678 {
			t.Errorf("%s owned by %d:%d, want 1234:5678", n, st.Uid, st.Gid)
		}
	}
	if st := lstatSys(t, filepath.Join(root, "file")); st.Mode&0o7777 != 0o4755 {
		t.Errorf("file mode %o, want 4755 (setuid kept across chown)", st.Mode&0o7777)
	}
	// Under a setgid directory, the group is the directory's.
	sg := filepath.Join(root, "sg")
	os.Mkdir(sg, 0o777)
	os.Chown(sg, 0, 4242)
	os.Chmod(sg, fs.ModeSetgid|0o777)
	h, _, err = f.Open(ctx, "/sg/file", sdk.WriteOnly|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Release(ctx, h)
	if _, err := f.Mkdir(ctx, "/sg/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	if st := lstatSys(t, filepath.Join(sg, "file")); st.Uid != 1234 || st.Gid != 4242 {
		t.Errorf("file in setgid dir owned by %d:%d, want 1234:4242", st.Uid, st.Gid)
	}
	if st := lstatSys(t, filepath.Join(sg, "dir")); st.Uid != 1234 || st.Gid != 4242 || st.Mode&0o7777 != 0o2755 {
		t.Errorf("dir in setgid dir: %d:%d mode %o, want 1234:4242 2755", st.Uid, st.Gid, st.Mode&0o7777)
	}
	// Opening an existing file does not take it over.
	os.WriteFile(filepath.Join(root, "theirs"), nil, 0o666)
	h, _, err = f.Open(ctx, "/theirs", sdk.WriteOnly|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Release(ctx, h)
	if st := lstatSys(t, filepath.Join(root, "theirs")); st.Uid != 0 {
		t.Errorf("an existing file was given to the caller (uid %d)", st.Uid)
	}
}

func mustNo(t *testing.T, ctx context.Context, f *FS) {
	t.Helper()
	if _, err := f.Mkdir(ctx, "/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Symlink(ctx, "file", "/link"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Mknod(ctx, "/fifo", fs.ModeNamedPipe|0o644, 0); err != nil {
		t.Fatal(err)
	}
}

// TestModeIgnoresPluginUmask: the host applied the caller's umask; the
// plugin process's own must not take more bits away.
func TestModeIgnoresPluginUmask(t *testing.T) {
	f, root := newFSAt(t)
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	ctx := context.Background()
	h, a, err := f.Open(ctx, "/f", sdk.WriteOnly|sdk.Create, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	f.Release(ctx, h)
	d, err := f.Mkdir(ctx, "/d", fs.ModeSticky|0o777)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.Mknod(ctx, "/p", fs.ModeNamedPipe|0o664, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  fs.FileMode
		want uint32
	}{{"f", a.Mode, 0o666}, {"d", d.Mode, 0o1777}, {"p", n.Mode, 0o664}} {
		if st := lstatSys(t, filepath.Join(root, c.name)); st.Mode&0o7777 != c.want || sdk.ModeToPOSIX(c.got)&0o7777 != c.want {
			t.Errorf("%s: mode %o on disk, %v returned; want %o", c.name, st.Mode&0o7777, c.got, c.want)
		}
	}
}

// TestUnlinkedOpenFile: a handle keeps working after its name is gone.
func TestUnlinkedOpenFile(t *testing.T) {
	f, _ := newFSAt(t)
	ctx := context.Background()
	h, _, err := f.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release(ctx, h)
	f.Write(ctx, h, []byte("hello world"), 0)
	if err := f.Unlink(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	a, err := f.Setattr(ctx, "/f", h, sdk.SetAttr{Valid: sdk.SetSize | sdk.SetMode | sdk.SetMtime, Size: 5, Mode: 0o600, Mtime: time.Unix(5, 6)})
	if err != nil || a.Size != 5 || a.Mode.Perm() != 0o600 || !a.Mtime.Equal(time.Unix(5, 6)) || a.Nlink != 0 {
		t.Errorf("Setattr through handle of unlinked file = %+v, %v", a, err)
	}
	if a, err := f.StatHandle(ctx, h); err != nil || a.Size != 5 {
		t.Errorf("StatHandle = %+v, %v", a, err)
	}
	buf := make([]byte, 10)
	if n, err := f.Read(ctx, h, buf, 0); err != nil || string(buf[:n]) != "hello" {
		t.Errorf("Read = %q, %v", buf[:n], err)
	}
	if _, err := f.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetSize}); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("Setattr by the gone name = %v; want ErrNotExist", err)
	}
}

// TestReadDirCookiesAndIno: pages continue the stream, any other cookie
// rewinds and skips, and entries carry the backing inode numbers.
func TestReadDirCookiesAndIno(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	for i := range 300 {
		os.WriteFile(filepath.Join(root, fmt.Sprintf("f%03d", i)), nil, 0o644)
	}
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	os.Symlink("x", filepath.Join(root, "sl"))
	h, err := f.OpenDir(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release(ctx, h)
	var all []sdk.DirEntry
	for cookie := uint64(0); ; {
		page, err := f.ReadDir(ctx, h, cookie, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		cookie = page[len(page)-1].Cookie
	}
	if len(all) != 302 {
		t.Fatalf("listed %d entries, want 302", len(all))
	}
	seen := map[string]bool{}
	for i, e := range all {
		if seen[e.Name] {
			t.Errorf("%s listed twice", e.Name)
		}
		seen[e.Name] = true
		if e.Cookie != uint64(i+1) {
			t.Errorf("entry %d cookie %d", i, e.Cookie)
		}
		st := lstatSys(t, filepath.Join(root, e.Name))
		if e.Ino != st.Ino || e.Mode.Type() != sdk.ModeFromPOSIX(st.Mode).Type() {
			t.Errorf("%s: ino %d type %v; on disk %d %v", e.Name, e.Ino, e.Mode, st.Ino, sdk.ModeFromPOSIX(st.Mode).Type())
		}
	}
	for _, cookie := range []uint64{0, 150, 3, 301} {
		page, err := f.ReadDir(ctx, h, cookie, 5)
		if err != nil || len(page) == 0 || page[0].Name != all[cookie].Name || page[0].Cookie != cookie+1 {
			t.Errorf("ReadDir(cookie %d) = %v, %v; want to start at %s", cookie, page, err, all[cookie].Name)
		}
	}
	if page, err := f.ReadDir(ctx, h, 5000, 5); err != nil || len(page) != 0 {
		t.Errorf("ReadDir past the end = %v, %v", page, err)
	}
}

func TestRenameFlags(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	os.WriteFile(filepath.Join(root, "a"), []byte("A"), 0o644)
	os.WriteFile(filepath.Join(root, "b"), []byte("B"), 0o644)
	if err := f.Rename(ctx, "/a", "/b", sdk.RenameNoReplace); !errors.Is(err, sdk.ErrExist) {
		t.Errorf("NoReplace onto existing = %v; want ErrExist", err)
	}
	if err := f.Rename(ctx, "/a", "/b", sdk.RenameExchange); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(root, "a"))
	b, _ := os.ReadFile(filepath.Join(root, "b"))
	if string(a) != "B" || string(b) != "A" {
		t.Errorf("after exchange a=%q b=%q", a, b)
	}
	if err := f.Rename(ctx, "/a", "/c", sdk.RenameExchange); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("Exchange with a missing target = %v; want ErrNotExist", err)
	}
	d := f.Describe()
	if !d.RenameNoReplace || !d.RenameExchange || !d.StableIno {
		t.Errorf("Describe = %+v", d)
	}
}

// TestErrnos: the errors programs test for come out with their codes.
func TestErrnos(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	os.MkdirAll(filepath.Join(root, "full/x"), 0o755)
	os.WriteFile(filepath.Join(root, "file"), nil, 0o644)
	os.Symlink("file", filepath.Join(root, "sl"))
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"rmdir non-empty", f.Rmdir(ctx, "/full"), sdk.ErrNotEmpty},
		{"unlink dir", f.Unlink(ctx, "/full"), sdk.ErrIsDir},
		{"rmdir file", f.Rmdir(ctx, "/file"), sdk.ErrNotDir},
		{"stat under file", second(f.Stat(ctx, "/file/x")), sdk.ErrNotDir},
		{"opendir symlink", second(f.OpenDir(ctx, "/sl")), sdk.ErrNotDir}, // O_DIRECTORY|O_NOFOLLOW
		{"open symlink", second3(f.Open(ctx, "/sl", sdk.ReadOnly, 0)), sdk.ErrLoop},
		{"opendir file", second(f.OpenDir(ctx, "/file")), sdk.ErrNotDir},
		{"readlink file", second(f.Readlink(ctx, "/file")), sdk.ErrInvalid},
		{"mkdir existing", second(f.Mkdir(ctx, "/file", 0o755)), sdk.ErrExist},
		{"rename root", f.Rename(ctx, "/", "/y", 0), sdk.ErrBusy},
		{"read bad handle", second(f.Read(ctx, 999, nil, 0)), sdk.ErrBadHandle},
	} {
		if !errors.Is(c.err, c.want) || sdk.CodeOf(c.err) != sdk.CodeOf(c.want) {
			t.Errorf("%s: %v (code %v); want %v", c.name, c.err, sdk.CodeOf(c.err), c.want)
		}
	}
	// EXDEV: a rename across a mount inside the root.
	mnt := filepath.Join(root, "mnt")
	os.Mkdir(mnt, 0o755)
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Logf("no tmpfs mount (%v): EXDEV across mounts not checked", err)
		return
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	if err := f.Rename(ctx, "/file", "/mnt/file", 0); !errors.Is(err, sdk.ErrCrossDevice) {
		t.Errorf("rename across mounts = %v; want ErrCrossDevice", err)
	}
}

func second[T any](_ T, err error) error { return err }

func second3[T, U any](_ T, _ U, err error) error { return err }

// TestSymlinkAttrs: times and owner of a symlink change the link; its mode
// cannot change; its target is untouched; xattrs act on the link.
func TestSymlinkAttrs(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	target := filepath.Join(root, "t")
	os.WriteFile(target, nil, 0o644)
	old := time.Unix(1_000_000_000, 0)
	os.Chtimes(target, old, old)
	os.Symlink("t", filepath.Join(root, "sl"))
	mt := time.Unix(1_234_567_890, 123)
	a, err := f.Setattr(ctx, "/sl", 0, sdk.SetAttr{Valid: sdk.SetMtime | sdk.SetAtimeNow, Mtime: mt})
	if err != nil || !a.Mtime.Equal(mt) || a.Mode&fs.ModeSymlink == 0 || time.Since(a.Atime) > time.Minute {
		t.Errorf("Setattr(symlink times) = %+v, %v", a, err)
	}
	if _, err := f.Setattr(ctx, "/sl", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o600}); !errors.Is(err, sdk.ErrNotSupported) {
		t.Errorf("chmod of a symlink = %v; want ErrNotSupported", err)
	}
	if _, err := f.Setattr(ctx, "/sl", 0, sdk.SetAttr{Valid: sdk.SetSize}); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("truncate of a symlink = %v; want ErrInvalid", err)
	}
	if fi, _ := os.Stat(target); !fi.ModTime().Equal(old) || fi.Mode().Perm() != 0o644 {
		t.Errorf("the target changed: %v %v", fi.ModTime(), fi.Mode())
	}
	if err := f.SetXattr(ctx, "/sl", "user.x", []byte("1"), 0); !errors.Is(err, sdk.ErrNotPermitted) {
		t.Errorf("user xattr on a symlink = %v; want ErrNotPermitted (EPERM, as Linux)", err)
	}
	if _, err := f.GetXattr(ctx, "/sl", "user.x"); !errors.Is(err, sdk.ErrNoAttr) {
		t.Errorf("GetXattr(symlink) = %v; want ErrNoAttr", err)
	}
	if err := f.SetXattr(ctx, "/t", "user.x", []byte("v"), sdk.XattrCreate); err != nil {
		t.Skipf("no user xattrs here: %v", err)
	}
	if err := f.SetXattr(ctx, "/t", "user.x", []byte("w"), sdk.XattrCreate); !errors.Is(err, sdk.ErrExist) {
		t.Errorf("XattrCreate on existing = %v", err)
	}
	if v, err := f.GetXattr(ctx, "/t", "user.x"); err != nil || string(v) != "v" {
		t.Errorf("GetXattr = %q, %v", v, err)
	}
	if names, err := f.ListXattr(ctx, "/t"); err != nil || len(names) != 1 || names[0] != "user.x" {
		t.Errorf("ListXattr = %v, %v", names, err)
	}
	if err := f.RemoveXattr(ctx, "/t", "user.x"); err != nil {
		t.Error(err)
	}
}

// TestSpecialFilesNotOpened: a FIFO is refused at once (no blocking), and
// truncate of one fails without opening it.
func TestSpecialFilesNotOpened(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	if err := unix.Mkfifo(filepath.Join(root, "p"), 0o666); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, fl := range []sdk.OpenFlags{sdk.ReadOnly, sdk.WriteOnly, sdk.ReadWrite} {
			if h, _, err := f.Open(ctx, "/p", fl, 0); err == nil {
				f.Release(ctx, h)
				t.Errorf("Open(fifo, %v) succeeded", fl)
			}
		}
		if _, err := f.Setattr(ctx, "/p", 0, sdk.SetAttr{Valid: sdk.SetSize}); !errors.Is(err, sdk.ErrInvalid) {
			t.Errorf("truncate of a fifo = %v; want ErrInvalid", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
}

// TestAppendAndTimes: Append handles write at end of file whatever the
// offset; explicit and current times are applied.
func TestAppendAndTimes(t *testing.T) {
	f, root := newFSAt(t)
	ctx := context.Background()
	os.WriteFile(filepath.Join(root, "f"), []byte("abc"), 0o644)
	h, _, err := f.Open(ctx, "/f", sdk.WriteOnly|sdk.Append, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(ctx, h, []byte("de"), 0)
	f.Write(ctx, h, []byte("f"), 1)
	if err := f.Fsync(ctx, h, true); err != nil {
		t.Error(err)
	}
	f.Release(ctx, h)
	if b, _ := os.ReadFile(filepath.Join(root, "f")); string(b) != "abcdef" {
		t.Errorf("content %q; want abcdef", b)
	}
	at, mt := time.Unix(100, 1), time.Unix(-100, 999999999)
	a, err := f.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetAtime | sdk.SetMtime, Atime: at, Mtime: mt})
	if err != nil || !a.Atime.Equal(at) || !a.Mtime.Equal(mt) {
		t.Errorf("explicit times: %v %v, %v", a.Atime, a.Mtime, err)
	}
	a, err = f.Setattr(ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetMtimeNow})
	if err != nil || time.Since(a.Mtime) > time.Minute || !a.Atime.Equal(at) {
		t.Errorf("mtime now: %v (atime %v), %v", a.Mtime, a.Atime, err)
	}
	if s, err := f.Statfs(ctx); err != nil || s.BlockSize == 0 || s.NameMax == 0 {
		t.Errorf("Statfs = %+v, %v", s, err)
	}
}
