//go:build linux

package mounttest

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// The fsx operations. Each returns false when it does not apply to the
// current state, and step picks another.

func (x *fsx) opWrite() bool {
	ino := x.pick()
	off, n := x.randRange(x.cfg.MaxSize - 1)
	n = int(min(int64(n), x.cfg.MaxSize-off))
	data := x.randData(n)
	if ino.append {
		off = int64(len(ino.data))
		if off+int64(n) > x.cfg.MaxSize {
			return false
		}
		x.record("write", fmt.Sprintf("append %s %d bytes (at %d)", x.label(ino), n, off))
		for b := data; len(b) > 0; {
			m, err := unix.Write(ino.fd, b)
			x.must(err, "write O_APPEND")
			b = b[m:]
		}
	} else {
		x.record("write", fmt.Sprintf("pwrite %s [%d, %d) size %d", x.label(ino), off, off+int64(n), len(ino.data)))
		x.pwrite(ino.fd, data, off)
	}
	setModel(ino, off, data)
	return true
}

func (x *fsx) opWritePastEOF() bool {
	ino := x.pick()
	size := int64(len(ino.data))
	if ino.append || size >= x.cfg.MaxSize-1 {
		return false
	}
	off := size + 1 + x.rng.Int64N(x.cfg.MaxSize-size-1)
	n := int(min(int64(1+x.rng.IntN(4096)), x.cfg.MaxSize-off))
	data := x.randData(n)
	x.record("writepast", fmt.Sprintf("pwrite past EOF %s [%d, %d) size %d", x.label(ino), off, off+int64(n), size))
	x.pwrite(ino.fd, data, off)
	setModel(ino, off, data)
	return true
}

func (x *fsx) opRead() bool {
	ino := x.pick()
	off, n := x.randRange(int64(len(ino.data)) + 100)
	x.record("read", fmt.Sprintf("pread %s [%d, %d) size %d", x.label(ino), off, off+int64(n), len(ino.data)))
	var want []byte
	if off < int64(len(ino.data)) {
		want = ino.data[off:min(off+int64(n), int64(len(ino.data)))]
	}
	x.compare(ino, off, x.pread(ino.fd, n, off), want, "pread")
	return true
}

// newSize picks a truncation size: often small changes, sometimes zero
// or anything up to MaxSize.
func (x *fsx) newSize(ino *fsxInode) int64 {
	size := int64(len(ino.data))
	switch x.rng.IntN(4) {
	case 0:
		return 0
	case 1:
		return max(0, min(x.cfg.MaxSize, size+x.rng.Int64N(8193)-4096))
	}
	return x.rng.Int64N(x.cfg.MaxSize + 1)
}

func (x *fsx) opTruncate() bool {
	ino := x.pick()
	if len(ino.names) == 0 {
		return false
	}
	size, name := x.newSize(ino), ino.names[x.rng.IntN(len(ino.names))]
	x.record("truncate", fmt.Sprintf("truncate %s %d -> %d", name, len(ino.data), size))
	x.must(unix.Truncate(path(x.dir, name), size), "truncate")
	ino.data = resize(ino.data, size)
	return true
}

func (x *fsx) opFtruncate() bool {
	ino := x.pick()
	size := x.newSize(ino)
	x.record("ftruncate", fmt.Sprintf("ftruncate %s %d -> %d", x.label(ino), len(ino.data), size))
	x.must(unix.Ftruncate(ino.fd, size), "ftruncate")
	ino.data = resize(ino.data, size)
	return true
}

func (x *fsx) opSync() bool {
	ino := x.pick()
	if x.rng.IntN(2) == 0 {
		x.record("fsync", "fsync "+x.label(ino))
		x.must(unix.Fsync(ino.fd), "fsync")
	} else {
		x.record("fsync", "fdatasync "+x.label(ino))
		x.must(unix.Fdatasync(ino.fd), "fdatasync")
	}
	return true
}

func (x *fsx) opReopen() bool {
	ino := x.pick()
	extra, how := 0, ""
	switch x.rng.IntN(8) {
	case 0:
		extra, how = unix.O_TRUNC, " O_TRUNC"
	case 1:
		extra, how = unix.O_APPEND, " O_APPEND"
	}
	if len(ino.names) == 0 {
		x.record("reopen", "read all and close unlinked "+x.label(ino))
		x.verifyFD(ino)
		x.closeFD(ino)
		return true
	}
	name := ino.names[x.rng.IntN(len(ino.names))]
	x.record("reopen", fmt.Sprintf("read all, close %s, reopen by %s%s, read all", x.label(ino), name, how))
	x.verifyFD(ino)
	x.closeFD(ino)
	x.open(ino, name, extra)
	x.verifyFD(ino)
	return true
}

func (x *fsx) opRename() bool {
	from, to := x.usedName(), x.anyName()
	if from == "" {
		return false
	}
	src, dst := x.byName[from], x.byName[to]
	if x.cfg.KeepOpenNamed && dst != nil && dst.fd >= 0 {
		if to = x.freeName(); to == "" {
			return false
		}
		dst = nil
	}
	x.record("rename", fmt.Sprintf("rename %s %s -> %s (%s)", x.label(src), from, to, map[bool]string{true: "replacing", false: "free"}[dst != nil]))
	x.must(unix.Rename(path(x.dir, from), path(x.dir, to)), "rename")
	if from == to || src == dst {
		return true // the same file: rename does nothing
	}
	if dst != nil {
		dst.names = slices.DeleteFunc(dst.names, func(n string) bool { return n == to })
		x.forgetIfGone(dst)
	}
	src.names[slices.Index(src.names, from)] = to
	delete(x.byName, from)
	x.byName[to] = src
	return true
}

func (x *fsx) opLink() bool {
	from, to := x.usedName(), x.anyName()
	if from == "" {
		return false
	}
	ino := x.byName[from]
	if x.byName[to] != nil {
		x.record("link", fmt.Sprintf("link %s -> existing %s: want EEXIST", from, to))
		if err := unix.Link(path(x.dir, from), path(x.dir, to)); !errors.Is(err, unix.EEXIST) {
			x.fail("link over an existing name: got %s, want EEXIST", errStr(err))
		}
		return true
	}
	x.record("link", fmt.Sprintf("link %s %s -> %s", x.label(ino), from, to))
	x.must(unix.Link(path(x.dir, from), path(x.dir, to)), "link")
	ino.names = append(ino.names, to)
	x.byName[to] = ino
	return true
}

func (x *fsx) opUnlink() bool {
	name := x.usedName()
	if name == "" {
		return false
	}
	ino := x.byName[name]
	if x.cfg.KeepOpenNamed && ino.fd >= 0 {
		return false
	}
	x.record("unlink", fmt.Sprintf("unlink %s of %s (open: %v)", name, x.label(ino), ino.fd >= 0))
	x.must(unix.Unlink(path(x.dir, name)), "unlink")
	ino.names = slices.DeleteFunc(ino.names, func(n string) bool { return n == name })
	delete(x.byName, name)
	x.forgetIfGone(ino)
	return true
}

func (x *fsx) opCreate() bool {
	if x.rng.IntN(4) == 0 {
		if name := x.usedName(); name != "" {
			x.record("create", "O_EXCL create of existing "+name+": want EEXIST")
			_, err := unix.Open(path(x.dir, name), unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
			if !errors.Is(err, unix.EEXIST) {
				x.fail("O_EXCL create over an existing file: got %s, want EEXIST", errStr(err))
			}
			return true
		}
	}
	name := x.freeName()
	if name == "" || len(x.live) >= x.cfg.Files {
		return false
	}
	x.record("create", "create "+name)
	x.create(name)
	return true
}

func (x *fsx) opStat() bool {
	ino := x.pick()
	x.record("stat", "stat "+x.label(ino))
	var fst unix.Stat_t
	x.must(unix.Fstat(ino.fd, &fst), "fstat")
	if fst.Size != int64(len(ino.data)) || fst.Nlink != uint64(len(ino.names)) {
		x.fail("fstat of %s: size %d nlink %d, model says %d and %d", x.label(ino), fst.Size, fst.Nlink, len(ino.data), len(ino.names))
	}
	for _, name := range ino.names {
		var st unix.Stat_t
		x.must(unix.Lstat(path(x.dir, name), &st), "lstat "+name)
		if st.Ino != fst.Ino || st.Size != fst.Size || st.Nlink != fst.Nlink {
			x.fail("lstat %s: ino %d size %d nlink %d; fstat of the open file: %d %d %d", name, st.Ino, st.Size, st.Nlink, fst.Ino, fst.Size, fst.Nlink)
		}
	}
	return true
}

func (x *fsx) opReaddir() bool {
	x.record("readdir", "readdir")
	x.checkDir()
	return true
}

// checkDir compares the directory listing with the model's names.
func (x *fsx) checkDir() {
	x.t.Helper()
	got, err := dirNames(x.dir)
	x.must(err, "readdir")
	got = slices.DeleteFunc(got, func(n string) bool { return n[:min(3, len(n))] != "fsx" })
	var want []string
	for n := range x.byName {
		want = append(want, n)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		x.fail("directory lists %q, model says %q", got, want)
	}
}

func (x *fsx) opMmapRead() bool {
	ino := x.pick()
	if len(ino.data) == 0 {
		return false
	}
	x.record("mmapread", fmt.Sprintf("mmap read %s size %d", x.label(ino), len(ino.data)))
	m, err := unix.Mmap(ino.fd, 0, len(ino.data), unix.PROT_READ, unix.MAP_SHARED)
	x.must(err, "mmap")
	defer unix.Munmap(m)
	x.compare(ino, 0, m, ino.data, "mmap read")
	return true
}

func (x *fsx) opMmapWrite() bool {
	ino := x.pick()
	size := int64(len(ino.data))
	if size == 0 {
		return false
	}
	off, n := x.randRange(size - 1)
	n = int(min(int64(n), size-off))
	data := x.randData(n)
	sync := x.rng.IntN(2) == 0
	x.record("mmapwrite", fmt.Sprintf("mmap write %s [%d, %d) size %d msync %v", x.label(ino), off, off+int64(n), size, sync))
	m, err := unix.Mmap(ino.fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	x.must(err, "mmap")
	copy(m[off:], data)
	if sync {
		x.must(unix.Msync(m, unix.MS_SYNC), "msync")
	}
	x.must(unix.Munmap(m), "munmap")
	setModel(ino, off, data)
	return true
}

func (x *fsx) opFallocate() bool {
	var modes []uint32
	for m := range x.falloc {
		modes = append(modes, m)
	}
	slices.Sort(modes)
	mode := modes[x.rng.IntN(len(modes))]
	ino := x.pick()
	off, n := x.randRange(x.cfg.MaxSize - 1)
	n = int(min(int64(n), x.cfg.MaxSize-off))
	end, size := off+int64(n), int64(len(ino.data))
	x.record("fallocate", fmt.Sprintf("fallocate %s mode %#x [%d, %d) size %d", x.label(ino), mode, off, end, size))
	err := unix.Fallocate(ino.fd, mode, off, int64(n))
	if errors.Is(err, unix.EOPNOTSUPP) {
		delete(x.falloc, mode)
		x.t.Logf("fsx: fallocate mode %#x is not supported here (EOPNOTSUPP); not using it", mode)
		return true
	}
	x.must(err, "fallocate")
	keep := mode&unix.FALLOC_FL_KEEP_SIZE != 0
	if mode&(unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_ZERO_RANGE) != 0 {
		if lo, hi := off, min(end, size); lo < hi {
			clear(ino.data[lo:hi])
		}
	}
	if !keep && end > size {
		ino.data = resize(ino.data, end)
	}
	return true
}

func (x *fsx) opCopyRange() bool {
	if len(x.live) < 2 {
		return false
	}
	src, dst := x.pick(), x.pick()
	if src == dst || dst.append {
		return false
	}
	ssize := int64(len(src.data))
	soff, n := x.randRange(ssize)
	doff := x.rng.Int64N(x.cfg.MaxSize - int64(n) + 1)
	want := min(int64(n), ssize-soff)
	x.record("copyrange", fmt.Sprintf("copy_file_range %s [%d, %d) -> %s at %d", x.label(src), soff, soff+want, x.label(dst), doff))
	var done int64
	for done < int64(n) {
		so, do := soff+done, doff+done
		c, err := unix.CopyFileRange(src.fd, &so, dst.fd, &do, n-int(done), 0)
		if done == 0 && (errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS)) {
			x.noCFR = true
			x.t.Logf("fsx: copy_file_range is not supported here (%v); not using it", err)
			return true
		}
		x.must(err, "copy_file_range")
		if c == 0 {
			break
		}
		done += int64(c)
	}
	if done != want {
		x.fail("copy_file_range copied %d bytes, want %d", done, want)
	}
	if want > 0 {
		setModel(dst, doff, slices.Clone(src.data[soff:soff+want]))
	}
	return true
}
