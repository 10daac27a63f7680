//go:build linux

package posixtest

import (
	"bytes"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	register("Permissions", testPermissions)
	register("Chown", testChown)
	register("Times", testTimes)
	register("Xattrs", testXattrs)
	register("Statfs", testStatfs)
	register("Mmap", testMmap)
}

// asUser runs fn on one OS thread whose file-system identity is uid/gid;
// setfsuid away from 0 also drops the file capabilities (DAC override).
func asUser(t *testing.T, uid, gid int, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// The thread is left locked: the goroutine ends and the runtime
		// retires the thread with its changed identity.
		unix.Setfsgid(gid)
		unix.Setfsuid(uid)
		fn()
	}()
	<-done
}

func testPermissions(t *testing.T, mnt string) {
	if os.Geteuid() != 0 {
		t.Fatal("the permission tests need root (they switch users)")
	}
	secret := join(mnt, "secret")
	write(t, secret, "root only")
	must(t, os.Chmod(secret, 0o600))
	must(t, os.Chmod(mnt, 0o755))
	// Work relative to descriptors opened as root: the directories above
	// the mount need not be searchable by the other user.
	dfd, err := unix.Open(mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(dfd)
	var readErr, createErr, chmodErr error
	var ownErr error
	asUser(t, 65534, 65534, func() {
		_, readErr = unix.Openat(dfd, "secret", unix.O_RDONLY, 0)
		_, createErr = unix.Openat(dfd, "new", unix.O_CREAT|unix.O_WRONLY, 0o644)
		chmodErr = unix.Fchmodat(dfd, "secret", 0o666, 0)
	})
	wantErr(t, "nobody reads a 0600 root file", readErr, unix.EACCES)
	wantErr(t, "nobody creates in a 0755 root dir", createErr, unix.EACCES)
	wantErr(t, "nobody chmods a root file", chmodErr, unix.EPERM)
	// in a directory nobody may write to, nobody's file is nobody's
	pub := join(mnt, "pub")
	must(t, os.Mkdir(pub, 0o777))
	must(t, os.Chmod(pub, 0o777))
	pfd, err := unix.Open(pub, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(pfd)
	asUser(t, 65534, 65534, func() {
		fd, err := unix.Openat(pfd, "mine", unix.O_CREAT|unix.O_WRONLY, 0o600)
		if err != nil {
			ownErr = err
			return
		}
		unix.Close(fd)
	})
	must(t, ownErr)
	if st := lstat(t, join(pub, "mine")); st.Uid != 65534 || st.Gid != 65534 {
		t.Errorf("file created by nobody is owned by %d:%d", st.Uid, st.Gid)
	}
	must(t, os.Chmod(secret, 0o640))
	if st := lstat(t, secret); st.Mode&0o7777 != 0o640 {
		t.Errorf("mode after chmod %o", st.Mode&0o7777)
	}
}

func testChown(t *testing.T, mnt string) {
	p := join(mnt, "owned")
	write(t, p, "x")
	must(t, os.Chown(p, 1234, 5678))
	if st := lstat(t, p); st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner after chown %d:%d", st.Uid, st.Gid)
	}
	l := join(mnt, "l")
	must(t, os.Symlink("owned", l))
	must(t, os.Lchown(l, 42, 43))
	if st := lstat(t, l); st.Uid != 42 || st.Gid != 43 {
		t.Errorf("lchown: %d:%d", st.Uid, st.Gid)
	}
	if st := lstat(t, p); st.Uid != 1234 {
		t.Errorf("lchown changed the target's owner to %d", st.Uid)
	}
}

func testTimes(t *testing.T, mnt string) {
	p := join(mnt, "f")
	write(t, p, "x")
	at := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	mt := time.Date(2002, 3, 4, 5, 6, 7, 0, time.UTC)
	must(t, os.Chtimes(p, at, mt))
	st := lstat(t, p)
	if st.Atim.Sec != at.Unix() || st.Mtim.Sec != mt.Unix() {
		t.Errorf("times after utimes: atime %d mtime %d", st.Atim.Sec, st.Mtim.Sec)
	}
	// epoch is a time like any other
	must(t, os.Chtimes(p, time.Unix(0, 0), time.Unix(0, 0)))
	if st := lstat(t, p); st.Mtim.Sec != 0 || st.Atim.Sec != 0 {
		t.Errorf("epoch times came back as %d/%d", st.Atim.Sec, st.Mtim.Sec)
	}
	before := time.Now().Add(-2 * time.Second)
	must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}, 0))
	if st := lstat(t, p); time.Unix(st.Mtim.Unix()).Before(before) {
		t.Errorf("UTIME_NOW set mtime to %v", time.Unix(st.Mtim.Unix()))
	}
	must(t, os.Chtimes(p, at, mt))
	ctime0 := lstat(t, p).Ctim
	time.Sleep(20 * time.Millisecond)
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.Write([]byte("y"))
	must(t, err)
	f.Close()
	st = lstat(t, p)
	if st.Mtim.Sec == mt.Unix() {
		t.Error("mtime did not change on write")
	}
	if st.Ctim == ctime0 {
		t.Error("ctime did not change on write")
	}
	ctime1 := st.Ctim
	time.Sleep(20 * time.Millisecond)
	must(t, os.Chmod(p, 0o600))
	if st := lstat(t, p); st.Ctim == ctime1 {
		t.Error("ctime did not change on chmod")
	}
	dm := lstat(t, mnt).Mtim
	time.Sleep(20 * time.Millisecond)
	write(t, join(mnt, "new"), "")
	if lstat(t, mnt).Mtim == dm {
		t.Error("directory mtime did not change on create")
	}
	dm = lstat(t, mnt).Mtim
	time.Sleep(20 * time.Millisecond)
	must(t, os.Remove(join(mnt, "new")))
	if lstat(t, mnt).Mtim == dm {
		t.Error("directory mtime did not change on unlink")
	}
}

func testXattrs(t *testing.T, mnt string) {
	p := join(mnt, "x")
	write(t, p, "")
	must(t, unix.Setxattr(p, "user.color", []byte("blue"), 0))
	buf := make([]byte, 64)
	n, err := unix.Getxattr(p, "user.color", buf)
	if err != nil || string(buf[:n]) != "blue" {
		t.Errorf("getxattr: %q %v", buf[:n], err)
	}
	n, err = unix.Getxattr(p, "user.color", nil)
	if err != nil || n != 4 {
		t.Errorf("size probe: %d %v", n, err)
	}
	_, err = unix.Getxattr(p, "user.color", make([]byte, 2))
	wantErr(t, "small buffer", err, unix.ERANGE)
	wantErr(t, "XATTR_CREATE existing", unix.Setxattr(p, "user.color", []byte("red"), unix.XATTR_CREATE), unix.EEXIST)
	wantErr(t, "XATTR_REPLACE missing", unix.Setxattr(p, "user.size", []byte("1"), unix.XATTR_REPLACE), unix.ENODATA)
	must(t, unix.Setxattr(p, "user.size", []byte("big"), 0))
	n, err = unix.Listxattr(p, buf)
	must(t, err)
	list := bytes.Split(bytes.TrimRight(buf[:n], "\x00"), []byte{0})
	if len(list) != 2 {
		t.Errorf("listxattr: %q", buf[:n])
	}
	must(t, unix.Removexattr(p, "user.color"))
	_, err = unix.Getxattr(p, "user.color", buf)
	wantErr(t, "getxattr after remove", err, unix.ENODATA)
	wantErr(t, "remove missing", unix.Removexattr(p, "user.color"), unix.ENODATA)
}

func testStatfs(t *testing.T, mnt string) {
	var st unix.Statfs_t
	must(t, unix.Statfs(mnt, &st))
	if st.Bsize == 0 || st.Namelen == 0 {
		t.Errorf("statfs: bsize %d namelen %d", st.Bsize, st.Namelen)
	}
}

func testMmap(t *testing.T, mnt string) {
	p := join(mnt, "m")
	write(t, p, string(bytes.Repeat([]byte("a"), 8192)))
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	m, err := unix.Mmap(int(f.Fd()), 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	must(t, err)
	if m[100] != 'a' {
		t.Errorf("mmap read %q", m[100])
	}
	copy(m[4096:], "mapped")
	must(t, unix.Msync(m, unix.MS_SYNC))
	must(t, unix.Munmap(m))
	got := make([]byte, 6)
	_, err = f.ReadAt(got, 4096)
	if err != nil || string(got) != "mapped" {
		t.Errorf("read after msync: %q %v", got, err)
	}
}
