//go:build linux

package bazil

import (
	"context"
	"sync"

	"bazil.org/fuse"
)

// dirStream is the kernel's view of one directory listing: entries encoded
// as dirents back to back, whose byte offsets are the kernel's offsets.
type dirStream struct {
	mu      sync.Mutex // one read at a time: the kernel may send two on a shared fd
	buf     []byte
	entries int // how many VFS entries buf holds
	done    bool
}

// readDir answers a directory read at a byte offset, encoding entries from
// the VFS listing as far as the kernel's buffer reaches.
func (m *mount) readDir(ctx context.Context, r *fuse.ReadRequest) error {
	fh := uint64(r.Handle)
	m.mu.Lock()
	ds := m.dirs[r.Handle]
	if ds == nil || r.Offset == 0 {
		ds = &dirStream{}
		m.dirs[r.Handle] = ds
	}
	m.mu.Unlock()
	ds.mu.Lock()
	defer ds.mu.Unlock()
	want := int(r.Offset) + int(r.Size)
	for len(ds.buf) < want && !ds.done {
		ents, err := m.fs.ReadDir(ctx, fh, ds.entries)
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			ds.done = true
			break
		}
		for _, e := range ents {
			ino := e.Ino
			if ino == 0 {
				ino = unknownIno // unknown until looked up; never 0, which hides the entry
			}
			ds.buf = fuse.AppendDirent(ds.buf, fuse.Dirent{Inode: ino, Type: direntType(e.Mode), Name: e.Name})
			ds.entries++
			if len(ds.buf) >= want {
				break
			}
		}
	}
	var data []byte
	if int(r.Offset) < len(ds.buf) {
		end := min(want, len(ds.buf))
		data = ds.buf[r.Offset:end]
	}
	r.Respond(&fuse.ReadResponse{Data: data})
	return nil
}

// unknownIno is d_ino for an entry whose inode number is not known yet,
// as libfuse and go-fuse report it.
const unknownIno = 0xffffffff
