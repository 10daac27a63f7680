//go:build linux

package mounttest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fsxHistory is how many recent operations a failure report shows.
const fsxHistory = 20

// fsxInode is the model of one file: its contents, its names and the
// descriptor the checker holds on it (-1 when closed). An inode with no
// name lives on while its descriptor is open.
type fsxInode struct {
	id     int
	data   []byte
	names  []string
	fd     int
	append bool // fd was opened with O_APPEND
}

// fsx is one RunFSX run.
type fsx struct {
	t      *testing.T
	dir    string
	cfg    FSXConfig
	rng    *rand.Rand
	byName map[string]*fsxInode
	live   []*fsxInode
	nextID int
	op     int
	what   string // the current operation, for the log
	log    []string
	falloc map[uint32]bool // fallocate modes still believed supported
	noCFR  bool            // copy_file_range found unsupported
	counts map[string]int
}

// RunFSX runs cfg.Ops random operations on a few files in dir and checks
// every result against an in-memory model: writes at random offsets and
// lengths, reads compared byte for byte, truncation up and down by path
// and by descriptor, writes past the end, fsync and fdatasync, close and
// reopen (sometimes O_TRUNC or O_APPEND), renames between names, hard
// links and unlinks (files stay open while unlinked), shared mmap reads
// and writes, fallocate (modes failing with EOPNOTSUPP are dropped),
// copy_file_range, and stat and readdir checks. On a mismatch it fails
// with the seed, the operation index and the last 20 operations, so
// PLUGFS_FSX_SEED and PLUGFS_FSX_OPS reproduce the run. It removes its
// files when done.
func RunFSX(t *testing.T, dir string, cfg FSXConfig) {
	t.Helper()
	cfg = fsxDefaults(t, cfg)
	x := &fsx{
		t: t, dir: dir, cfg: cfg,
		rng:    rand.New(rand.NewPCG(uint64(cfg.Seed), 0x706c7567)),
		byName: map[string]*fsxInode{},
		falloc: map[uint32]bool{},
		counts: map[string]int{},
	}
	if !cfg.NoFallocate {
		for _, m := range []uint32{0, unix.FALLOC_FL_KEEP_SIZE, unix.FALLOC_FL_PUNCH_HOLE | unix.FALLOC_FL_KEEP_SIZE,
			unix.FALLOC_FL_ZERO_RANGE, unix.FALLOC_FL_ZERO_RANGE | unix.FALLOC_FL_KEEP_SIZE} {
			x.falloc[m] = true
		}
	}
	t.Cleanup(x.cleanup)
	start := time.Now()
	x.what = "create the initial files"
	for i := 0; i < cfg.Files; i++ {
		x.create(x.name(i))
	}
	for x.op = 1; x.op <= cfg.Ops; x.op++ {
		x.step()
	}
	x.op, x.what = cfg.Ops+1, "final check"
	x.checkDir()
	for _, ino := range slices.Clone(x.live) {
		x.closeFD(ino)
	}
	for _, ino := range x.live {
		x.verifyByName(ino)
	}
	var ops []string
	for k, v := range x.counts {
		ops = append(ops, fmt.Sprintf("%s %d", k, v))
	}
	slices.Sort(ops)
	t.Logf("fsx: seed %d, %d operations in %v: %s", cfg.Seed, cfg.Ops, time.Since(start).Round(time.Millisecond), strings.Join(ops, ", "))
}

// fsxDefaults fills in cfg's zero fields and applies the environment.
func fsxDefaults(t *testing.T, cfg FSXConfig) FSXConfig {
	t.Helper()
	if v := os.Getenv("PLUGFS_FSX_OPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("fsx: PLUGFS_FSX_OPS=%q is not a positive number", v)
		}
		cfg.Ops = n
	}
	if v := os.Getenv("PLUGFS_FSX_SEED"); v == "random" {
		cfg.Seed = time.Now().UnixNano()
	} else if v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("fsx: PLUGFS_FSX_SEED=%q is not a number or \"random\"", v)
		}
		cfg.Seed = n
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Ops <= 0 {
		cfg.Ops = 5000
	}
	if cfg.Files <= 0 {
		cfg.Files = 4
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 256 << 10
	}
	if cfg.MaxIO <= 0 {
		cfg.MaxIO = 64 << 10
	}
	cfg.MaxIO = int(min(int64(cfg.MaxIO), cfg.MaxSize))
	return cfg
}

// name is the i-th name of the name pool.
func (x *fsx) name(i int) string { return "fsx" + strconv.Itoa(i) }

// fail stops the run with everything needed to reproduce it.
func (x *fsx) fail(format string, args ...any) {
	x.t.Helper()
	x.t.Fatalf("fsx: %s\n  at operation %d of %d (%s), seed %d; reproduce with PLUGFS_FSX_SEED=%d PLUGFS_FSX_OPS=%d\n  last operations:\n    %s",
		fmt.Sprintf(format, args...), x.op, x.cfg.Ops, x.what, x.cfg.Seed, x.cfg.Seed, x.cfg.Ops, strings.Join(x.log, "\n    "))
}

// must fails the run if err is not nil.
func (x *fsx) must(err error, what string) {
	x.t.Helper()
	if err != nil {
		x.fail("%s: %s", what, errStr(err))
	}
}

// record starts operation x.op described by what.
func (x *fsx) record(kind, what string) {
	x.counts[kind]++
	x.what = what
	x.log = append(x.log, fmt.Sprintf("%6d %s", x.op, what))
	if len(x.log) > fsxHistory {
		x.log = x.log[1:]
	}
}

// cleanup closes the descriptors and removes the files, pass or fail.
func (x *fsx) cleanup() {
	for _, ino := range x.live {
		if ino.fd >= 0 {
			unix.Close(ino.fd)
			ino.fd = -1
		}
	}
	for name := range x.byName {
		unix.Unlink(path(x.dir, name))
	}
}

// step runs one random operation.
func (x *fsx) step() {
	type op struct {
		weight int
		run    func() bool // false: not applicable now, pick again
	}
	ops := []op{
		{20, x.opWrite}, {20, x.opRead}, {5, x.opWritePastEOF},
		{4, x.opTruncate}, {4, x.opFtruncate}, {3, x.opSync},
		{5, x.opReopen}, {5, x.opRename}, {4, x.opUnlink}, {4, x.opCreate},
		{4, x.opStat}, {1, x.opReaddir},
	}
	if !x.cfg.NoLinks {
		ops = append(ops, op{4, x.opLink})
	}
	if !x.cfg.NoMmap {
		ops = append(ops, op{3, x.opMmapRead}, op{3, x.opMmapWrite})
	}
	if len(x.falloc) > 0 {
		ops = append(ops, op{3, x.opFallocate})
	}
	if !x.noCFR {
		ops = append(ops, op{3, x.opCopyRange})
	}
	// an unlinked open file is interesting, several crowd out the rest
	for _, ino := range x.live {
		if len(ino.names) == 0 && x.orphans() > 1 {
			x.record("reopen", "read all and close unlinked "+x.label(ino))
			x.verifyFD(ino)
			x.closeFD(ino)
			return
		}
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	for {
		n := x.rng.IntN(total)
		for _, o := range ops {
			if n < o.weight {
				if o.run() {
					return
				}
				break
			}
			n -= o.weight
		}
	}
}

// orphans counts the open inodes without a name.
func (x *fsx) orphans() int {
	n := 0
	for _, ino := range x.live {
		if len(ino.names) == 0 {
			n++
		}
	}
	return n
}

// pick returns a random live inode with an open descriptor, opening one
// through a name if needed.
func (x *fsx) pick() *fsxInode {
	if len(x.live) == 0 {
		x.create(x.freeName())
	}
	ino := x.live[x.rng.IntN(len(x.live))]
	if ino.fd < 0 {
		x.open(ino, ino.names[x.rng.IntN(len(ino.names))], 0)
	}
	return ino
}

// freeName returns an unused name of the pool, or "".
func (x *fsx) freeName() string {
	var free []string
	for i := 0; i < 2*x.cfg.Files; i++ {
		if x.byName[x.name(i)] == nil {
			free = append(free, x.name(i))
		}
	}
	if len(free) == 0 {
		return ""
	}
	return free[x.rng.IntN(len(free))]
}

// anyName returns a random name of the pool, used or not.
func (x *fsx) anyName() string { return x.name(x.rng.IntN(2 * x.cfg.Files)) }

// usedName returns a random name in use, or "".
func (x *fsx) usedName() string {
	var used []string
	for i := 0; i < 2*x.cfg.Files; i++ {
		if x.byName[x.name(i)] != nil {
			used = append(used, x.name(i))
		}
	}
	if len(used) == 0 {
		return ""
	}
	return used[x.rng.IntN(len(used))]
}

// create makes a new empty file called name and opens it.
func (x *fsx) create(name string) {
	fd, err := unix.Open(path(x.dir, name), unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
	x.must(err, "create "+name)
	x.nextID++
	ino := &fsxInode{id: x.nextID, names: []string{name}, fd: fd}
	x.byName[name] = ino
	x.live = append(x.live, ino)
}

// open opens ino by name with extra flags (O_TRUNC, O_APPEND).
func (x *fsx) open(ino *fsxInode, name string, extra int) {
	x.t.Helper()
	fd, err := unix.Open(path(x.dir, name), unix.O_RDWR|unix.O_CLOEXEC|extra, 0)
	x.must(err, "open "+name)
	ino.fd, ino.append = fd, extra&unix.O_APPEND != 0
	if extra&unix.O_TRUNC != 0 {
		ino.data = ino.data[:0]
	}
	var st unix.Stat_t
	x.must(unix.Fstat(fd, &st), "fstat after open")
	if st.Size != int64(len(ino.data)) {
		x.fail("%s opened with size %d, model says %d", name, st.Size, len(ino.data))
	}
}

// closeFD closes ino's descriptor; an inode without names is then gone.
func (x *fsx) closeFD(ino *fsxInode) {
	if ino.fd < 0 {
		return
	}
	x.must(unix.Close(ino.fd), "close")
	ino.fd = -1
	x.forgetIfGone(ino)
}

// forgetIfGone drops ino from the model once it has no name and no fd.
func (x *fsx) forgetIfGone(ino *fsxInode) {
	if len(ino.names) == 0 && ino.fd < 0 {
		x.live = slices.DeleteFunc(x.live, func(i *fsxInode) bool { return i == ino })
	}
}

// label names ino for the log.
func (x *fsx) label(ino *fsxInode) string {
	if len(ino.names) == 0 {
		return fmt.Sprintf("#%d(unlinked)", ino.id)
	}
	return fmt.Sprintf("#%d(%s)", ino.id, strings.Join(ino.names, ","))
}

// randRange returns an offset and a length of 1..MaxIO bytes.
func (x *fsx) randRange(maxOff int64) (int64, int) {
	off := x.rng.Int64N(maxOff + 1)
	n := 1 + x.rng.IntN(x.cfg.MaxIO)
	return off, n
}

// randData returns n random bytes.
func (x *fsx) randData(n int) []byte {
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		v := x.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b[:n]
}

// setModel writes b into ino's model at off, growing it with zeros.
func setModel(ino *fsxInode, off int64, b []byte) {
	end := off + int64(len(b))
	if end > int64(len(ino.data)) {
		ino.data = resize(ino.data, end)
	}
	copy(ino.data[off:], b)
}

// resize returns data cut or zero-extended to size.
func resize(data []byte, size int64) []byte {
	if size <= int64(len(data)) {
		return data[:size]
	}
	if size <= int64(cap(data)) {
		old := len(data)
		data = data[:size]
		clear(data[old:])
		return data
	}
	return append(data, make([]byte, size-int64(len(data)))...)
}

// compare fails unless got equals the model of ino at off.
func (x *fsx) compare(ino *fsxInode, off int64, got []byte, want []byte, how string) {
	x.t.Helper()
	if string(got) == string(want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	show := func(b []byte) string {
		lo, hi := max(0, i-8), min(len(b), i+16)
		return fmt.Sprintf("% x", b[lo:hi])
	}
	x.fail("%s of %s at %d: got %d bytes, want %d; first difference at file offset %d\n  got  ...%s\n  want ...%s",
		how, x.label(ino), off, len(got), len(want), off+int64(i), show(got), show(want))
}

// pread reads n bytes at off through fd, until n or end of file.
func (x *fsx) pread(fd int, n int, off int64) []byte {
	x.t.Helper()
	b := make([]byte, n)
	got := 0
	for got < n {
		m, err := unix.Pread(fd, b[got:], off+int64(got))
		x.must(err, "pread")
		if m == 0 {
			break
		}
		got += m
	}
	return b[:got]
}

// pwrite writes all of b at off through fd.
func (x *fsx) pwrite(fd int, b []byte, off int64) {
	x.t.Helper()
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		x.must(err, "pwrite")
		if n == 0 {
			x.fail("pwrite wrote nothing")
		}
		b, off = b[n:], off+int64(n)
	}
}

// verifyFD reads the whole file through its descriptor and compares.
func (x *fsx) verifyFD(ino *fsxInode) {
	x.t.Helper()
	x.compare(ino, 0, x.pread(ino.fd, len(ino.data)+1, 0), ino.data, "full read")
}

// verifyByName opens ino by one of its names and compares everything.
func (x *fsx) verifyByName(ino *fsxInode) {
	x.t.Helper()
	if len(ino.names) == 0 {
		return
	}
	fd, err := unix.Open(path(x.dir, ino.names[0]), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	x.must(err, "open "+ino.names[0]+" to verify")
	defer unix.Close(fd)
	x.compare(ino, 0, x.pread(fd, len(ino.data)+1, 0), ino.data, "full read by name")
}
