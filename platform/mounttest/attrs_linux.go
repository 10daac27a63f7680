//go:build linux

package mounttest

import (
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// testChmod: modes including the special bits, through paths, symlinks
// and descriptors; fstat on an open fd sees a chmod by path.
func testChmod(t *testing.T, mnt string) {
	f, d := path(mnt, "file"), path(mnt, "dir")
	put(t, f, "x")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	fd := openFD(t, f, unix.O_RDONLY, 0)
	for _, mode := range []uint32{0o600, 0o4755, 0o2750, 0o1644, 0, 0o777, 0o7777} {
		check(t, unix.Chmod(f, mode), "chmod %o", mode)
		if got := lstat(t, f).Mode & 0o7777; got != mode {
			t.Errorf("stat after chmod %o: %o", mode, got)
		}
		if got := fstat(t, fd).Mode & 0o7777; got != mode {
			t.Errorf("fstat of an open fd after chmod %o: %o", mode, got)
		}
	}
	check(t, unix.Chmod(d, 0o1777), "chmod a directory")
	if st := lstat(t, d); st.Mode != unix.S_IFDIR|0o1777 {
		t.Errorf("directory mode %o, want %o", st.Mode, unix.S_IFDIR|0o1777)
	}
	check(t, unix.Fchmod(fd, 0o640), "fchmod of a read-only fd")
	if got := lstat(t, f).Mode & 0o7777; got != 0o640 {
		t.Errorf("stat after fchmod 640: %o", got)
	}
	// chmod follows symlinks; the link itself keeps 0777
	l := path(mnt, "link")
	check(t, unix.Symlink("file", l), "symlink")
	check(t, unix.Chmod(l, 0o604), "chmod through a symlink")
	if got := lstat(t, f).Mode & 0o7777; got != 0o604 {
		t.Errorf("target after chmod through a link: %o, want 604", got)
	}
	if got := lstat(t, l).Mode; got != unix.S_IFLNK|0o777 {
		t.Errorf("the link's own mode: %o, want %o", got, unix.S_IFLNK|0o777)
	}
	wantErrno(t, unix.Chmod(path(mnt, "missing"), 0o644), unix.ENOENT, "chmod a missing file")
	// root reads and writes a mode 0 file
	check(t, unix.Chmod(f, 0), "chmod 0")
	wantContent(t, f, "x")
}

// testChown: root gives files away; chown kills set-user-ID and
// executable set-group-ID bits of files; lchown changes the link only.
func testChown(t *testing.T, mnt string) {
	f := path(mnt, "file")
	put(t, f, "x")
	check(t, unix.Chown(f, nobody, nobody), "chown")
	if st := lstat(t, f); st.Uid != nobody || st.Gid != nobody {
		t.Errorf("owner after chown: %d:%d, want %d:%d", st.Uid, st.Gid, nobody, nobody)
	}
	check(t, unix.Chown(f, -1, 0), "chown the group only")
	if st := lstat(t, f); st.Uid != nobody || st.Gid != 0 {
		t.Errorf("owner after chown -1:0: %d:%d, want %d:0", st.Uid, st.Gid, nobody)
	}
	fd := openFD(t, f, unix.O_RDONLY, 0)
	check(t, unix.Fchown(fd, 1234, 5678), "fchown")
	if st := fstat(t, fd); st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner after fchown: %d:%d, want 1234:5678", st.Uid, st.Gid)
	}
	check(t, unix.Chown(f, -1, -1), "chown -1:-1")
	if st := lstat(t, f); st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("chown -1:-1 changed the owner to %d:%d", st.Uid, st.Gid)
	}
	check(t, unix.Chmod(f, 0o6755), "chmod 6755")
	check(t, unix.Chown(f, 0, 0), "chown a set-id file")
	if st := lstat(t, f); st.Mode&0o7777 != 0o755 || st.Uid != 0 {
		t.Errorf("after chown of a 6755 file: mode %o uid %d, want 755 and 0 (set-id bits cleared)", st.Mode&0o7777, st.Uid)
	}
	d := path(mnt, "dir")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	check(t, unix.Chmod(d, 0o2775), "chmod a directory 2775")
	check(t, unix.Chown(d, nobody, nobody), "chown a directory")
	if st := lstat(t, d); st.Uid != nobody || st.Mode&0o7777 != 0o2775 {
		t.Errorf("directory after chown: uid %d mode %o, want %d and 2775", st.Uid, st.Mode&0o7777, nobody)
	}
	l := path(mnt, "link")
	check(t, unix.Symlink("file", l), "symlink")
	check(t, unix.Lchown(l, nobody, nobody), "lchown")
	if st := lstat(t, l); st.Uid != nobody || st.Gid != nobody {
		t.Errorf("link owner after lchown: %d:%d", st.Uid, st.Gid)
	}
	if st := lstat(t, f); st.Uid != 0 {
		t.Errorf("lchown changed the target's owner to %d", st.Uid)
	}
	wantErrno(t, unix.Chown(path(mnt, "missing"), 0, 0), unix.ENOENT, "chown a missing file")
}

// testPermissions: an unprivileged process (uid/gid 65534, a child
// process) is held to the permission bits, owner rules and sticky bit.
func testPermissions(t *testing.T, mnt string) {
	if unix.Geteuid() != 0 {
		t.Fatal("the permission test must run as root (it starts a child as uid 65534)")
	}
	check(t, unix.Chmod(mnt, 0o755), "chmod the test directory")
	file := func(name string, mode uint32, uid int) {
		put(t, path(mnt, name), "data")
		check(t, unix.Chown(path(mnt, name), uid, uid), "chown %s", name)
		check(t, unix.Chmod(path(mnt, name), mode), "chmod %s", name)
	}
	dir := func(name string, mode uint32) {
		check(t, unix.Mkdir(path(mnt, name), 0o700), "mkdir %s", name)
		check(t, unix.Chmod(path(mnt, name), mode), "chmod %s", name)
	}
	file("priv", 0o600, 0)
	file("pub", 0o644, 0)
	file("rw", 0o666, 0)
	file("mine", 0o600, nobody)
	file("wonly", 0o200, nobody)
	file("grp", 0o060, 0)
	check(t, unix.Chown(path(mnt, "grp"), 0, nobody), "chown grp")
	dir("closed", 0o700)
	file("closed/inside", 0o644, 0)
	dir("xonly", 0o711)
	file("xonly/f", 0o644, 0)
	dir("ro", 0o755)
	file("ro/f", 0o666, 0)
	dir("open", 0o777)
	dir("sticky", 0o1777)
	file("sticky/roots", 0o666, 0)

	const ok = "ok"
	eacces, eperm := strconv.Itoa(int(unix.EACCES)), strconv.Itoa(int(unix.EPERM))
	cases := []struct{ op, want string }{
		{"read:priv", eacces},
		{"write:priv", eacces},
		{"read:pub", ok},
		{"write:pub", eacces},
		{"truncate:pub", eacces},
		{"write:rw", ok},
		{"read:mine", ok},
		{"write:mine", ok},
		{"read:wonly", eacces}, // the owner is held to the owner bits
		{"write:wonly", ok},
		{"read:grp", ok}, // group bits through the file's group
		{"write:grp", ok},
		{"stat:closed/inside", eacces},
		{"list:closed", eacces},
		{"read:closed/inside", eacces},
		{"stat:xonly/f", ok},
		{"read:xonly/f", ok},
		{"list:xonly", eacces},
		{"create:ro/new", eacces},
		{"mkdir:ro/newdir", eacces},
		{"unlink:ro/f", eacces},
		{"rename:ro/f>ro/g", eacces},
		{"write:ro/f", ok},
		{"create:open/new", ok},
		{"mkdir:open/newdir", ok},
		{"rename:open/new>open/renamed", ok},
		{"unlink:sticky/roots", eperm},
		{"create:sticky/own", ok},
		{"unlink:sticky/own", ok},
		{"create:new", eacces}, // the test directory is root's 0755
		{"chmod:pub", eperm},
		{"chmod:mine", ok},
		{"chown:mine", eperm},
		{"utimeset:pub", eperm},
		{"utimenow:pub", eacces},
		{"utimenow:rw", ok},
		{"utimeset:mine", ok},
	}
	ops := make([]string, len(cases))
	for i, c := range cases {
		ops[i] = c.op
	}
	got := runAsNobody(t, mnt, ops...)
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("uid %d %s: got %s, want %s", nobody, c.op, childErrno(got[i]), childErrno(c.want))
		}
	}
	// what the child created is its own, what it was denied did not happen
	for _, p := range []string{"open/renamed", "open/newdir"} {
		if st := lstat(t, path(mnt, p)); st.Uid != nobody || st.Gid != nobody {
			t.Errorf("%s created by uid %d is owned by %d:%d", p, nobody, st.Uid, st.Gid)
		}
	}
	if st := lstat(t, path(mnt, "mine")); st.Mode&0o7777 != 0o777 || st.Mtim.Sec != 1e9 {
		t.Errorf("mine after the owner's chmod and utimes: mode %o mtime %d", st.Mode&0o7777, st.Mtim.Sec)
	}
	for _, p := range []string{"new", "ro/new", "ro/newdir", "ro/g", "sticky/own"} {
		if exists(path(mnt, p)) {
			t.Errorf("%s exists after a denied or undone operation", p)
		}
	}
	wantContent(t, path(mnt, "pub"), "data")
	wantContent(t, path(mnt, "sticky/roots"), "data")
}

// testKillSuid: a write, a truncation and an O_TRUNC open by an
// unprivileged process clear the set-user-ID bit, and the set-group-ID
// bit where group execution is allowed; a chown clears both even by root.
// (Without group execution the set-group-ID bit is file-system specific:
// tmpfs clears it for a writer outside the file's group, FUSE keeps it;
// for a writer in the group it stays everywhere.)
// (The kernel does it, or, where it leaves it to the server
// (FUSE_HANDLE_KILLPRIV_V2), the driver.)
func testKillSuid(t *testing.T, mnt string) {
	if unix.Geteuid() != 0 {
		t.Fatal("the test must run as root (it starts a child as uid 65534)")
	}
	check(t, unix.Chmod(mnt, 0o755), "chmod the test directory")
	for _, f := range []struct {
		name string
		mode uint32
	}{{"w", 0o6777}, {"t", 0o6777}, {"o", 0o6777}, {"grp", 0o2666}, {"c", 0o6755}} {
		put(t, path(mnt, f.name), "data")
		if f.name == "grp" {
			check(t, unix.Chown(path(mnt, f.name), 0, nobody), "chown grp")
		}
		check(t, unix.Chmod(path(mnt, f.name), f.mode), "chmod %s", f.name)
	}
	ops := []string{"append:w", "ftruncate:t", "truncate:o", "append:grp"}
	got := runAsNobody(t, mnt, ops...)
	for i, op := range ops {
		if got[i] != "ok" {
			t.Fatalf("uid %d %s: %s", nobody, op, childErrno(got[i]))
		}
	}
	check(t, unix.Chown(path(mnt, "c"), nobody, nobody), "chown c")
	for _, f := range []struct {
		name string
		want uint32
	}{{"w", 0o777}, {"t", 0o777}, {"o", 0o777}, {"grp", 0o2666}, {"c", 0o755}} {
		if st := lstat(t, path(mnt, f.name)); st.Mode&0o7777 != f.want {
			t.Errorf("%s: mode %o after the change, want %o", f.name, st.Mode&0o7777, f.want)
		}
	}
}
