//go:build linux

package mounttest

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ts is a Timespec from seconds and nanoseconds.
func ts(sec, nsec int64) unix.Timespec { return unix.Timespec{Sec: sec, Nsec: nsec} }

// tsTime converts a Timespec.
func tsTime(t unix.Timespec) time.Time { return time.Unix(t.Sec, t.Nsec) }

// wantTime reports an error unless got is want, allowing a file system
// that stores whole seconds (or coarser sub-second units) to truncate.
func wantTime(t *testing.T, got, want unix.Timespec, what string) {
	t.Helper()
	if got == want {
		return
	}
	if got.Sec == want.Sec && got.Nsec <= want.Nsec && got.Nsec%1000 == 0 {
		return // stored with microsecond or coarser precision, truncated
	}
	t.Errorf("%s: %d.%09d, want %d.%09d", what, got.Sec, got.Nsec, want.Sec, want.Nsec)
}

// testUtimens: utimensat with explicit times, UTIME_NOW and UTIME_OMIT,
// on files, directories and symlinks; explicit atime survives other
// changes.
func testUtimens(t *testing.T, mnt string) {
	f := path(mnt, "file")
	put(t, f, "x")
	atime, mtime := ts(1_000_000_000, 123_456_789), ts(1_200_000_000, 987_654_321)
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{atime, mtime}, 0), "utimensat explicit")
	st := lstat(t, f)
	wantTime(t, st.Atim, atime, "atime")
	wantTime(t, st.Mtim, mtime, "mtime")
	if st.Atim.Nsec != atime.Nsec || st.Mtim.Nsec != mtime.Nsec {
		t.Logf("times are stored with less than nanosecond precision: %d.%09d", st.Mtim.Sec, st.Mtim.Nsec)
	}
	// a time after 2038 and one in the far future
	future := ts(4_102_444_800, 5) // 2100-01-01
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{future, future}, 0), "utimensat 2100")
	st = lstat(t, f)
	wantTime(t, st.Mtim, future, "mtime in 2100")
	wantTime(t, st.Atim, future, "atime in 2100")
	// UTIME_OMIT leaves one alone
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{{Nsec: unix.UTIME_OMIT}, mtime}, 0), "utimensat mtime only")
	st = lstat(t, f)
	wantTime(t, st.Atim, future, "atime after UTIME_OMIT")
	wantTime(t, st.Mtim, mtime, "mtime set with atime omitted")
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{atime, {Nsec: unix.UTIME_OMIT}}, 0), "utimensat atime only")
	st = lstat(t, f)
	wantTime(t, st.Atim, atime, "atime set with mtime omitted")
	wantTime(t, st.Mtim, mtime, "mtime after UTIME_OMIT")
	// UTIME_NOW is the current time
	before := time.Now().Add(-time.Second)
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}, 0), "utimensat UTIME_NOW")
	after := time.Now().Add(time.Second)
	st = lstat(t, f)
	for what, tm := range map[string]unix.Timespec{"atime": st.Atim, "mtime": st.Mtim, "ctime": st.Ctim} {
		if at := tsTime(tm); at.Before(before) || at.After(after) {
			t.Errorf("%s after UTIME_NOW is %v, want about %v", what, at, time.Now())
		}
	}
	// an explicit atime is preserved by writes, chmod and close
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, f, []unix.Timespec{atime, mtime}, 0), "utimensat again")
	fd, err := unix.Open(f, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	check(t, err, "open")
	pwriteAll(t, fd, []byte("more"), 1)
	check(t, unix.Fchmod(fd, 0o600), "fchmod")
	check(t, unix.Close(fd), "close")
	st = lstat(t, f)
	wantTime(t, st.Atim, atime, "explicit atime after write, chmod and close")
	if !tsTime(st.Mtim).After(tsTime(mtime)) {
		t.Errorf("mtime after a write is %v, not after the explicit %v", tsTime(st.Mtim), tsTime(mtime))
	}
	// directories
	d := path(mnt, "dir")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, d, []unix.Timespec{atime, mtime}, 0), "utimensat a directory")
	st = lstat(t, d)
	wantTime(t, st.Mtim, mtime, "directory mtime")
	wantTime(t, st.Atim, atime, "directory atime")
	// symlinks: AT_SYMLINK_NOFOLLOW sets the link's own times
	l := path(mnt, "link")
	check(t, unix.Symlink("file", l), "symlink")
	fst := lstat(t, f)
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, l, []unix.Timespec{future, future}, unix.AT_SYMLINK_NOFOLLOW), "utimensat AT_SYMLINK_NOFOLLOW")
	wantTime(t, lstat(t, l).Mtim, future, "link mtime")
	wantTime(t, lstat(t, f).Mtim, fst.Mtim, "target mtime after setting the link's")
	check(t, unix.UtimesNanoAt(unix.AT_FDCWD, l, []unix.Timespec{atime, atime}, 0), "utimensat through a link")
	wantTime(t, lstat(t, f).Mtim, atime, "target mtime set through a link")
	wantErrno(t, unix.UtimesNanoAt(unix.AT_FDCWD, path(mnt, "missing"), []unix.Timespec{atime, atime}, 0), unix.ENOENT, "utimensat a missing file")
}

// testTimesChange: write changes mtime and ctime, chmod/chown/link change
// ctime only, creating/removing/renaming entries changes the directory's
// mtime and ctime, and reads change neither.
func testTimesChange(t *testing.T, mnt string) {
	names := []string{"write", "trunc", "chmod", "chown", "link", "read", "otrunc"}
	for _, n := range names {
		put(t, path(mnt, n), "data")
	}
	dirs := []string{"dcreate", "dunlink", "drename", "dmkdir", "dquiet"}
	for _, d := range dirs {
		check(t, unix.Mkdir(path(mnt, d), 0o755), "mkdir")
	}
	put(t, path(mnt, "dunlink", "victim"), "")
	put(t, path(mnt, "drename", "from"), "")
	put(t, path(mnt, "dquiet", "f"), "")
	// the sleep must exceed the time stamp granularity: probe it
	probe := lstat(t, path(mnt, "write")).Mtim
	pause := 50 * time.Millisecond
	if probe.Nsec == 0 {
		pause = 1100 * time.Millisecond
		t.Logf("time stamps look like whole seconds; sleeping %v", pause)
	}
	before := map[string]unix.Stat_t{}
	for _, n := range append(names, dirs...) {
		before[n] = lstat(t, path(mnt, n))
	}
	time.Sleep(pause)

	fd := openFD(t, path(mnt, "write"), unix.O_WRONLY, 0)
	pwriteAll(t, fd, []byte("X"), 2)
	check(t, unix.Truncate(path(mnt, "trunc"), 1), "truncate")
	check(t, unix.Chmod(path(mnt, "chmod"), 0o600), "chmod")
	check(t, unix.Chown(path(mnt, "chown"), nobody, nobody), "chown")
	check(t, unix.Link(path(mnt, "link"), path(mnt, "link2")), "link")
	tfd, err := unix.Open(path(mnt, "otrunc"), unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC, 0)
	check(t, err, "open O_TRUNC")
	check(t, unix.Close(tfd), "close")
	rfd := openFD(t, path(mnt, "read"), unix.O_RDONLY, 0)
	preadFull(t, rfd, 10, 0)
	put(t, path(mnt, "dcreate", "new"), "")
	check(t, unix.Unlink(path(mnt, "dunlink", "victim")), "unlink")
	check(t, unix.Rename(path(mnt, "drename", "from"), path(mnt, "drename", "to")), "rename")
	check(t, unix.Mkdir(path(mnt, "dmkdir", "sub"), 0o755), "mkdir")
	put(t, path(mnt, "dquiet", "f"), "changed content only")

	later := func(a, b unix.Timespec) bool { return tsTime(b).After(tsTime(a)) }
	for _, n := range append(names, dirs...) {
		old, now := before[n], lstat(t, path(mnt, n))
		wantM := n == "write" || n == "trunc" || n == "otrunc" || n[0] == 'd' && n != "dquiet"
		wantC := n != "read" && n != "dquiet"
		if later(old.Mtim, now.Mtim) != wantM {
			t.Errorf("%s: mtime %v -> %v, want changed=%v", n, tsTime(old.Mtim), tsTime(now.Mtim), wantM)
		}
		if later(old.Ctim, now.Ctim) != wantC {
			t.Errorf("%s: ctime %v -> %v, want changed=%v", n, tsTime(old.Ctim), tsTime(now.Ctim), wantC)
		}
		if tsTime(now.Ctim).Before(tsTime(now.Mtim)) {
			t.Errorf("%s: ctime %v before mtime %v", n, tsTime(now.Ctim), tsTime(now.Mtim))
		}
	}
}
