//go:build linux

package posixtest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	register("RenameFile", testRenameFile)
	register("RenameDirRules", testRenameDirRules)
	register("RenameOpen", testRenameOpen)
	register("RenameFlags", testRenameFlags)
	register("UnlinkOpen", testUnlinkOpen)
	register("HardLinks", testHardLinks)
	register("Symlinks", testSymlinks)
	register("ReaddirWhileChanging", testReaddirWhileChanging)
	register("Mkfifo", testMkfifo)
}

func testRenameFile(t *testing.T, mnt string) {
	a, b := join(mnt, "a"), join(mnt, "b")
	write(t, a, "A")
	write(t, b, "B")
	must(t, os.Rename(a, b))
	content(t, b, "A")
	if exists(a) {
		t.Error("source still exists after rename")
	}
	must(t, os.Mkdir(join(mnt, "d"), 0o755))
	must(t, os.Rename(b, join(mnt, "d", "moved")))
	content(t, join(mnt, "d", "moved"), "A")
}

func testRenameDirRules(t *testing.T, mnt string) {
	d1, d2, d3, f := join(mnt, "d1"), join(mnt, "d2"), join(mnt, "d3"), join(mnt, "f")
	for _, d := range []string{d1, d2, d3} {
		must(t, os.Mkdir(d, 0o755))
	}
	write(t, join(d1, "x"), "1")
	write(t, join(d3, "y"), "3")
	write(t, f, "f")
	must(t, unix.Rename(d1, d2)) // over an empty dir (os.Rename refuses that)
	content(t, join(d2, "x"), "1")
	wantErr(t, "dir over non-empty dir", unix.Rename(d2, d3), unix.ENOTEMPTY)
	wantErr(t, "file over dir", unix.Rename(f, d3), unix.EISDIR)
	wantErr(t, "dir over file", unix.Rename(d3, f), unix.ENOTDIR)
	must(t, os.Mkdir(join(d2, "sub"), 0o755))
	wantErr(t, "dir into its own subtree", unix.Rename(d2, join(d2, "sub", "in")), unix.EINVAL)
	// renaming a directory moves everything beneath it
	must(t, os.Rename(d2, join(mnt, "renamed")))
	content(t, join(mnt, "renamed", "x"), "1")
}

func testRenameOpen(t *testing.T, mnt string) {
	p := join(mnt, "open")
	f, err := os.Create(p)
	must(t, err)
	defer f.Close()
	_, err = f.Write([]byte("before"))
	must(t, err)
	must(t, os.Rename(p, join(mnt, "renamed")))
	_, err = f.Write([]byte("+after"))
	must(t, err)
	var st unix.Stat_t
	must(t, unix.Fstat(int(f.Fd()), &st))
	if st.Size != 12 {
		t.Errorf("fstat size after rename %d", st.Size)
	}
	content(t, join(mnt, "renamed"), "before+after")
	// an open directory keeps working after its rename
	d := join(mnt, "dir")
	must(t, os.Mkdir(d, 0o755))
	dfd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(dfd)
	must(t, os.Rename(d, join(mnt, "dir2")))
	fd, err := unix.Openat(dfd, "inside", unix.O_CREAT|unix.O_WRONLY, 0o644)
	must(t, err)
	unix.Close(fd)
	if !exists(join(mnt, "dir2", "inside")) {
		t.Error("openat through a renamed directory's fd created nothing at the new path")
	}
}

func testRenameFlags(t *testing.T, mnt string) {
	a, b := join(mnt, "a"), join(mnt, "b")
	write(t, a, "A")
	write(t, b, "B")
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_NOREPLACE)
	wantErr(t, "RENAME_NOREPLACE over existing", err, unix.EEXIST)
	must(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE))
	content(t, a, "B")
	content(t, b, "A")
	must(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, join(mnt, "c"), unix.RENAME_NOREPLACE))
	content(t, join(mnt, "c"), "B")
}

func testUnlinkOpen(t *testing.T, mnt string) {
	p := join(mnt, "gone")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	must(t, err)
	defer f.Close()
	_, err = f.Write([]byte("still here"))
	must(t, err)
	must(t, os.Remove(p))
	_, err = f.Write([]byte(" and more"))
	must(t, err)
	buf := make([]byte, 64)
	n, err := f.ReadAt(buf, 0)
	if string(buf[:n]) != "still here and more" {
		t.Errorf("read through unlinked fd: %q %v", buf[:n], err)
	}
	var st unix.Stat_t
	must(t, unix.Fstat(int(f.Fd()), &st))
	if st.Nlink != 0 || st.Size != 19 {
		t.Errorf("fstat of unlinked file: nlink %d size %d", st.Nlink, st.Size)
	}
	if exists(p) {
		t.Error("unlinked name still visible")
	}
}

func testHardLinks(t *testing.T, mnt string) {
	a, b := join(mnt, "a"), join(mnt, "b")
	write(t, a, "shared")
	must(t, os.Link(a, b))
	sa, sb := lstat(t, a), lstat(t, b)
	if sa.Ino != sb.Ino || sa.Nlink != 2 || sb.Nlink != 2 {
		t.Errorf("links: ino %d/%d nlink %d/%d", sa.Ino, sb.Ino, sa.Nlink, sb.Nlink)
	}
	f, err := os.OpenFile(b, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	_, err = f.Write([]byte("+b"))
	must(t, err)
	f.Close()
	content(t, a, "shared+b")
	must(t, os.Remove(a))
	if st := lstat(t, b); st.Nlink != 1 {
		t.Errorf("nlink after unlink of one name: %d", st.Nlink)
	}
	content(t, b, "shared+b")
	must(t, os.Mkdir(join(mnt, "d"), 0o755))
	wantErr(t, "link to a directory", unix.Link(join(mnt, "d"), join(mnt, "dl")), unix.EPERM)
	wantErr(t, "link over existing", unix.Link(b, join(mnt, "d")), unix.EEXIST)
}

func testSymlinks(t *testing.T, mnt string) {
	target := join(mnt, "target")
	write(t, target, "via link")
	l := join(mnt, "link")
	must(t, os.Symlink("target", l))
	got, err := os.Readlink(l)
	if err != nil || got != "target" {
		t.Errorf("readlink: %q %v", got, err)
	}
	content(t, l, "via link")
	if st := lstat(t, l); st.Mode&unix.S_IFMT != unix.S_IFLNK || st.Size != int64(len("target")) {
		t.Errorf("lstat of link: mode %o size %d", st.Mode, st.Size)
	}
	var st unix.Stat_t
	must(t, unix.Stat(l, &st))
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("stat through link: mode %o", st.Mode)
	}
	dangling := join(mnt, "dangling")
	must(t, os.Symlink("nowhere", dangling))
	wantErr(t, "stat of dangling link", unix.Stat(dangling, &st), unix.ENOENT)
	must(t, os.Symlink("loop2", join(mnt, "loop1")))
	must(t, os.Symlink("loop1", join(mnt, "loop2")))
	_, err = unix.Open(join(mnt, "loop1"), unix.O_RDONLY, 0)
	wantErr(t, "open of a symlink loop", err, unix.ELOOP)
	_, err = unix.Open(l, unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	wantErr(t, "O_NOFOLLOW on a link", err, unix.ELOOP)
	_, err = unix.Readlink(target, make([]byte, 10))
	wantErr(t, "readlink of a file", err, unix.EINVAL)
}

// testReaddirWhileChanging lists a large directory in small chunks while
// other entries come and go: every entry present throughout must appear
// exactly once.
func testReaddirWhileChanging(t *testing.T, mnt string) {
	const n = 1200
	for i := 0; i < n; i++ {
		write(t, join(mnt, fmt.Sprintf("keep%04d", i)), "")
	}
	for i := 0; i < 200; i++ {
		write(t, join(mnt, fmt.Sprintf("churn%04d", i)), "")
	}
	d, err := os.Open(mnt)
	must(t, err)
	defer d.Close()
	seen := map[string]int{}
	for i := 0; ; i++ {
		batch, err := d.Readdirnames(37)
		for _, name := range batch {
			seen[name]++
		}
		if err != nil || len(batch) == 0 {
			break
		}
		if i < 200 {
			os.Remove(join(mnt, fmt.Sprintf("churn%04d", i)))
			write(t, join(mnt, fmt.Sprintf("new%04d", i)), "")
		}
	}
	for i := 0; i < n; i++ {
		if c := seen[fmt.Sprintf("keep%04d", i)]; c != 1 {
			t.Errorf("keep%04d listed %d times", i, c)
		}
	}
	for name, c := range seen {
		if c > 1 {
			t.Errorf("%s listed %d times", name, c)
		}
	}
	// a fresh listing sees the new state
	if _, err := d.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	all, err := d.Readdirnames(-1)
	must(t, err)
	if len(all) != n+200 {
		t.Errorf("after rewind: %d entries, want %d", len(all), n+200)
	}
}

func testMkfifo(t *testing.T, mnt string) {
	p := join(mnt, "fifo")
	must(t, unix.Mkfifo(p, 0o644))
	if st := lstat(t, p); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("mode %o, want a fifo", st.Mode)
	}
}
