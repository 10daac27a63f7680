//go:build linux

package posixtest

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// FSXConfig sizes a randomized integrity run.
type FSXConfig struct {
	Seed    int64 // 0: taken from $PLUGFS_FSX_SEED, else fixed
	Ops     int   // 0: $PLUGFS_FSX_OPS, else 5000
	Files   int   // 0: 4
	MaxSize int64 // 0: 1 MiB
}

func (c FSXConfig) withDefaults() FSXConfig {
	envInt := func(k string) int64 {
		v, _ := strconv.ParseInt(os.Getenv(k), 10, 64)
		return v
	}
	if c.Seed == 0 {
		c.Seed = envInt("PLUGFS_FSX_SEED")
	}
	if c.Seed == 0 {
		c.Seed = 20261122
	}
	if c.Ops == 0 {
		c.Ops = int(envInt("PLUGFS_FSX_OPS"))
	}
	if c.Ops == 0 {
		c.Ops = 5000
	}
	if c.Files == 0 {
		c.Files = 4
	}
	if c.MaxSize == 0 {
		c.MaxSize = 1 << 20
	}
	return c
}

// fsxFile is one file under test: its model contents and an open fd.
type fsxFile struct {
	name  string
	model []byte
	fd    int
}

// RunFSX runs random operations on a few files in dir (write, read, grow
// and shrink, writes past the end, fsync, close and reopen, rename, link
// and unlink, mmap reads), checking every read against an in-memory model.
// A mismatch reports the seed, the operation number and the last
// operations, so a failure can be replayed with PLUGFS_FSX_SEED.
func RunFSX(t *testing.T, dir string, cfg FSXConfig) {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewSource(cfg.Seed))
	var log []string
	fail := func(op int, format string, args ...any) {
		t.Helper()
		start := max(0, len(log)-20)
		t.Fatalf("fsx seed %d op %d: %s\nlast operations:\n  %s", cfg.Seed, op, fmt.Sprintf(format, args...), strings.Join(log[start:], "\n  "))
	}
	files := make([]*fsxFile, cfg.Files)
	for i := range files {
		f := &fsxFile{name: join(dir, fmt.Sprintf("fsx%d", i))}
		fd, err := unix.Open(f.name, unix.O_CREAT|unix.O_RDWR|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.fd = fd
		files[i] = f
	}
	defer func() {
		for _, f := range files {
			unix.Close(f.fd)
		}
	}()
	check := func(op int, f *fsxFile, off, n int64) {
		t.Helper()
		buf := make([]byte, n)
		got, err := unix.Pread(f.fd, buf, off)
		if err != nil {
			fail(op, "pread %s @%d+%d: %v", f.name, off, n, err)
		}
		want := int64(0)
		if off < int64(len(f.model)) {
			want = min(n, int64(len(f.model))-off)
		}
		if int64(got) != want {
			fail(op, "pread %s @%d+%d returned %d bytes, model says %d", f.name, off, n, got, want)
		}
		if !bytes.Equal(buf[:got], f.model[off:off+int64(got)]) {
			fail(op, "pread %s @%d+%d: contents differ from the model", f.name, off, n)
		}
	}
	for op := 0; op < cfg.Ops; op++ {
		f := files[rng.Intn(len(files))]
		size := int64(len(f.model))
		switch k := rng.Intn(100); {
		case k < 35: // write, sometimes past the end
			off := rng.Int63n(cfg.MaxSize)
			n := rng.Int63n(min(64<<10, cfg.MaxSize-off) + 1)
			data := make([]byte, n)
			rng.Read(data)
			log = append(log, fmt.Sprintf("write %s @%d+%d", f.name, off, n))
			if _, err := unix.Pwrite(f.fd, data, off); err != nil {
				fail(op, "pwrite: %v", err)
			}
			if end := off + n; end > size {
				f.model = append(f.model, make([]byte, end-size)...)
			}
			copy(f.model[off:], data)
		case k < 65: // read
			off := rng.Int63n(size + 1024)
			n := rng.Int63n(128<<10) + 1
			log = append(log, fmt.Sprintf("read %s @%d+%d", f.name, off, n))
			check(op, f, off, n)
		case k < 75: // truncate
			ns := rng.Int63n(cfg.MaxSize)
			log = append(log, fmt.Sprintf("truncate %s %d", f.name, ns))
			if err := unix.Ftruncate(f.fd, ns); err != nil {
				fail(op, "ftruncate: %v", err)
			}
			if ns < size {
				f.model = f.model[:ns]
			} else {
				f.model = append(f.model, make([]byte, ns-size)...)
			}
		case k < 80: // size check
			var st unix.Stat_t
			log = append(log, fmt.Sprintf("fstat %s", f.name))
			if err := unix.Fstat(f.fd, &st); err != nil {
				fail(op, "fstat: %v", err)
			}
			if st.Size != int64(len(f.model)) {
				fail(op, "fstat %s size %d, model %d", f.name, st.Size, len(f.model))
			}
			var lst unix.Stat_t
			if err := unix.Stat(f.name, &lst); err != nil || lst.Size != int64(len(f.model)) {
				fail(op, "stat %s size %d (%v), model %d", f.name, lst.Size, err, len(f.model))
			}
		case k < 84: // close and reopen
			log = append(log, fmt.Sprintf("reopen %s", f.name))
			unix.Close(f.fd)
			fd, err := unix.Open(f.name, unix.O_RDWR|unix.O_CLOEXEC, 0)
			if err != nil {
				fail(op, "reopen: %v", err)
			}
			f.fd = fd
		case k < 87: // fsync
			log = append(log, fmt.Sprintf("fsync %s", f.name))
			if err := unix.Fsync(f.fd); err != nil {
				fail(op, "fsync: %v", err)
			}
		case k < 91: // rename to a new name and back
			tmp := f.name + ".moved"
			log = append(log, fmt.Sprintf("rename %s there and back", f.name))
			if err := unix.Rename(f.name, tmp); err != nil {
				fail(op, "rename: %v", err)
			}
			check(op, f, 0, int64(len(f.model))+1)
			if err := unix.Rename(tmp, f.name); err != nil {
				fail(op, "rename back: %v", err)
			}
		case k < 95: // hard link, read through it, unlink it
			ln := f.name + ".link"
			log = append(log, fmt.Sprintf("link %s", f.name))
			if err := unix.Link(f.name, ln); err != nil {
				fail(op, "link: %v", err)
			}
			b, err := os.ReadFile(ln)
			if err != nil || !bytes.Equal(b, f.model) {
				fail(op, "read through link: %d bytes, model %d, %v", len(b), len(f.model), err)
			}
			if err := unix.Unlink(ln); err != nil {
				fail(op, "unlink link: %v", err)
			}
		default: // mmap read
			if size == 0 {
				continue
			}
			log = append(log, fmt.Sprintf("mmap read %s", f.name))
			m, err := unix.Mmap(f.fd, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
			if err != nil {
				fail(op, "mmap: %v", err)
			}
			same := bytes.Equal(m, f.model)
			unix.Munmap(m)
			if !same {
				fail(op, "mmap of %s differs from the model", f.name)
			}
		}
	}
	for _, f := range files {
		check(cfg.Ops, f, 0, int64(len(f.model))+1)
	}
}
