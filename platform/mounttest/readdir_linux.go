//go:build linux

package mounttest

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// dirent is one linux_dirent64 record.
type dirent struct {
	ino  uint64
	off  int64 // the position after this entry, for lseek
	typ  uint8
	name string
}

// getdents makes one getdents64 call with a buffer of size bytes; an
// empty result means end of directory.
func getdents(fd, size int) ([]dirent, error) {
	buf := make([]byte, size)
	n, err := unix.Getdents(fd, buf)
	if err != nil {
		return nil, err
	}
	var out []dirent
	for b := buf[:n]; len(b) > 0; {
		if len(b) < 19 {
			return out, fmt.Errorf("getdents: %d trailing bytes", len(b))
		}
		reclen := int(binary.NativeEndian.Uint16(b[16:]))
		if reclen < 19 || reclen > len(b) {
			return out, fmt.Errorf("getdents: record length %d of %d bytes", reclen, len(b))
		}
		name := b[19:reclen]
		if i := slices.Index(name, 0); i >= 0 {
			name = name[:i]
		}
		out = append(out, dirent{
			ino:  binary.NativeEndian.Uint64(b),
			off:  int64(binary.NativeEndian.Uint64(b[8:])),
			typ:  b[18],
			name: string(name),
		})
		b = b[reclen:]
	}
	return out, nil
}

// listFD reads fd to its end with buffers of size bytes.
func listFD(t *testing.T, fd, size int) []dirent {
	t.Helper()
	var all []dirent
	for {
		ents, err := getdents(fd, size)
		check(t, err, "getdents")
		if len(ents) == 0 {
			return all
		}
		all = append(all, ents...)
	}
}

// countNames counts the names of ents.
func countNames(ents []dirent) map[string]int {
	m := map[string]int{}
	for _, e := range ents {
		m[e.name]++
	}
	return m
}

// wantListing reports an error unless ents name exactly want plus "."
// and "..", each once.
func wantListing(t *testing.T, ents []dirent, want []string, what string) {
	t.Helper()
	got := countNames(ents)
	want = append(slices.Clone(want), ".", "..")
	var missing, extra, twice []string
	for _, n := range want {
		switch got[n] {
		case 0:
			missing = append(missing, n)
		case 1:
		default:
			twice = append(twice, n)
		}
		delete(got, n)
	}
	for n := range got {
		extra = append(extra, n)
	}
	if len(missing)+len(extra)+len(twice) > 0 {
		t.Errorf("%s: %d entries; missing %v, unexpected %v, repeated %v", what, len(ents), clip(missing), clip(extra), clip(twice))
	}
}

// clip shortens a list of names for a message.
func clip(s []string) []string {
	slices.Sort(s)
	if len(s) > 10 {
		return append(s[:10:10], fmt.Sprintf("... %d more", len(s)-10))
	}
	return s
}

// testReaddirDots: "." and ".." are listed once each, with the right
// inode numbers, and a buffer too small for one entry is EINVAL.
func testReaddirDots(t *testing.T, mnt string) {
	put(t, path(mnt, "f"), "")
	fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	ents := listFD(t, fd, 4096)
	wantListing(t, ents, []string{"f"}, "listing")
	for _, e := range ents {
		switch e.name {
		case ".":
			if e.ino != lstat(t, mnt).Ino {
				t.Errorf(". has inode %d, want %d", e.ino, lstat(t, mnt).Ino)
			}
		case "..":
			if e.ino != lstat(t, path(mnt, "..")).Ino {
				t.Errorf(".. has inode %d, want %d", e.ino, lstat(t, path(mnt, "..")).Ino)
			}
		}
	}
	// an empty directory still has both
	check(t, unix.Mkdir(path(mnt, "empty"), 0o755), "mkdir")
	efd := openFD(t, path(mnt, "empty"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	wantListing(t, listFD(t, efd, 4096), nil, "empty directory")
	_, err := unix.Seek(efd, 0, unix.SEEK_SET)
	check(t, err, "rewind")
	_, err = getdents(efd, 8)
	wantErrno(t, err, unix.EINVAL, "getdents with an 8-byte buffer")
}

// testReaddirTypes: d_type and d_ino agree with lstat for each kind of
// entry (DT_UNKNOWN is allowed for d_type).
func testReaddirTypes(t *testing.T, mnt string) {
	put(t, path(mnt, "file"), "x")
	check(t, unix.Mkdir(path(mnt, "dir"), 0o755), "mkdir")
	check(t, unix.Symlink("file", path(mnt, "link")), "symlink")
	check(t, unix.Mkfifo(path(mnt, "fifo"), 0o644), "mkfifo")
	want := map[string]uint8{"file": unix.DT_REG, "dir": unix.DT_DIR, "link": unix.DT_LNK, "fifo": unix.DT_FIFO, ".": unix.DT_DIR, "..": unix.DT_DIR}
	fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	ents := listFD(t, fd, 4096)
	wantListing(t, ents, []string{"file", "dir", "link", "fifo"}, "listing")
	for _, e := range ents {
		if e.typ != want[e.name] && e.typ != unix.DT_UNKNOWN {
			t.Errorf("%s has d_type %d, want %d", e.name, e.typ, want[e.name])
		}
		if e.name == "." || e.name == ".." {
			continue
		}
		if ino := lstat(t, path(mnt, e.name)).Ino; e.ino != ino {
			t.Errorf("%s has d_ino %d, lstat says %d", e.name, e.ino, ino)
		}
	}
}

// makeEntries creates n empty files named prefix%04d and returns their
// names; every tenth is a directory.
func makeEntries(t *testing.T, dir, prefix string, n int) []string {
	t.Helper()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%04d", prefix, i)
		p := path(dir, names[i])
		if i%10 == 9 {
			check(t, unix.Mkdir(p, 0o755), "mkdir %s", p)
			continue
		}
		fd, err := unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		check(t, err, "create %s", p)
		unix.Close(fd)
	}
	return names
}

// testReaddirLarge: a directory of 1500 entries lists each exactly once
// with small and large buffers, and after removals lists the rest.
func testReaddirLarge(t *testing.T, mnt string) {
	names := makeEntries(t, mnt, "entry-with-a-longish-name-", 1500)
	for _, size := range []int{300, 4096, 1 << 16} {
		fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
		wantListing(t, listFD(t, fd, size), names, fmt.Sprintf("%d-byte buffer", size))
	}
	var kept []string
	for i, n := range names {
		if i%3 == 0 {
			if i%10 == 9 {
				check(t, unix.Rmdir(path(mnt, n)), "rmdir")
			} else {
				check(t, unix.Unlink(path(mnt, n)), "unlink")
			}
			continue
		}
		kept = append(kept, n)
	}
	fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	wantListing(t, listFD(t, fd, 1000), kept, "after removing a third")
	got, err := dirNames(mnt)
	check(t, err, "os.ReadDir")
	if !slices.Equal(got, kept) {
		t.Errorf("os.ReadDir lists %d names, want %d", len(got), len(kept))
	}
}

// testReaddirWhileChanging: while a big directory is listed in small
// steps, other entries are created and removed; every unchanged entry
// appears exactly once, no entry twice, and a rewind sees the new state.
func testReaddirWhileChanging(t *testing.T, mnt string) {
	stable := makeEntries(t, mnt, "s", 1200)
	volatile := makeEntries(t, mnt, "v", 300)
	fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	var seen []dirent
	removed, created := 0, 0
	for {
		ents, err := getdents(fd, 400)
		check(t, err, "getdents while changing")
		if len(ents) == 0 {
			break
		}
		seen = append(seen, ents...)
		// each step: two new entries, one removed; a rename of a volatile
		// entry to a new name is both at once
		for range 2 {
			put(t, path(mnt, fmt.Sprintf("n%04d", created)), "")
			created++
		}
		if removed < len(volatile) {
			v := path(mnt, volatile[removed])
			if removed%10 == 9 {
				check(t, unix.Rmdir(v), "rmdir %s", v)
			} else if removed%4 == 0 {
				check(t, unix.Rename(v, path(mnt, fmt.Sprintf("r%04d", removed))), "rename %s", v)
			} else {
				check(t, unix.Unlink(v), "unlink %s", v)
			}
			removed++
		}
	}
	counts := countNames(seen)
	for _, n := range append(stable, ".", "..") {
		if counts[n] != 1 {
			t.Errorf("unchanged entry %s listed %d times while the directory changed", n, counts[n])
		}
	}
	for n, c := range counts {
		if c > 1 {
			t.Errorf("entry %s listed %d times", n, c)
		}
	}
	if created < 50 {
		t.Fatalf("only %d listing steps: the buffer is too large to exercise anything", created/2)
	}
	// rewinddir: the listing now is exactly the current state
	_, err := unix.Seek(fd, 0, unix.SEEK_SET)
	check(t, err, "rewind")
	want := append(slices.Clone(stable), volatile[removed:]...)
	for i := range created {
		want = append(want, fmt.Sprintf("n%04d", i))
	}
	for i := 0; i < removed; i += 4 {
		if i%10 != 9 {
			want = append(want, fmt.Sprintf("r%04d", i))
		}
	}
	wantListing(t, listFD(t, fd, 400), want, "listing after rewind")
}

// testReaddirSeek: positions from d_off and lseek(SEEK_CUR) resume a
// listing where it was (seekdir/telldir), and rewind sees a new entry.
func testReaddirSeek(t *testing.T, mnt string) {
	names := makeEntries(t, mnt, "e", 300)
	fd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	first := listFD(t, fd, 200)
	wantListing(t, first, names, "first listing")
	for _, k := range []int{1, 37, 150, len(first) - 1} {
		_, err := unix.Seek(fd, first[k-1].off, unix.SEEK_SET)
		check(t, err, "seek to the d_off of entry %d", k-1)
		rest := listFD(t, fd, 200)
		if !sameNames(rest, first[k:]) {
			t.Errorf("after seeking to entry %d: %d entries, want the %d that followed it", k, len(rest), len(first)-k)
		}
	}
	// telldir after a partial read, then seekdir back to it
	_, err := unix.Seek(fd, 0, unix.SEEK_SET)
	check(t, err, "rewind")
	head, err := getdents(fd, 500)
	check(t, err, "getdents")
	pos, err := unix.Seek(fd, 0, unix.SEEK_CUR)
	check(t, err, "telldir")
	tail := listFD(t, fd, 500)
	_, err = unix.Seek(fd, pos, unix.SEEK_SET)
	check(t, err, "seekdir")
	again := listFD(t, fd, 500)
	if !sameNames(tail, again) || len(head)+len(tail) != len(first) {
		t.Errorf("seekdir to a telldir position: %d entries then %d again, after %d of %d", len(tail), len(again), len(head), len(first))
	}
	put(t, path(mnt, "late"), "")
	_, err = unix.Seek(fd, 0, unix.SEEK_SET)
	check(t, err, "rewind")
	wantListing(t, listFD(t, fd, 200), append(names, "late"), "after rewind")
}

// sameNames reports whether a and b list the same names in order.
func sameNames(a, b []dirent) bool {
	return slices.EqualFunc(a, b, func(x, y dirent) bool { return x.name == y.name })
}
