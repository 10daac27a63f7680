//go:build linux && !localportable

package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// dirStream is the listing state of a directory handle: the entries read
// from the kernel (getdents64) but not returned yet, and how many were
// returned. A cookie is the index of the next entry in this stream.
type dirStream struct {
	mu      sync.Mutex
	pos     uint64         // index of the next entry to return
	pending []sdk.DirEntry // read from the kernel, not yet returned
	eof     bool
	buf     []byte
}

// OpenDir implements sdk.FileSystem. The handle keeps the directory's
// descriptor open; its listing is read with getdents64.
func (f *FS) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	r, err := rel(p)
	if err != nil {
		return 0, err
	}
	fd, err := f.openat(r, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return 0, pathErr("opendir", p, err)
	}
	return f.handles.add(&openFile{f: os.NewFile(uintptr(fd), p), path: p, dir: &dirStream{}}), nil
}

// ReadDir implements sdk.FileSystem. Entries carry the backing inode
// number and type; Attr is left nil (it would cost a stat per entry). A
// cookie other than the stream's position (0 included) rewinds the
// directory and skips that many entries.
func (f *FS) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return nil, err
	}
	d := of.dir
	if d == nil {
		return nil, pathErr("readdir", of.path, unix.ENOTDIR)
	}
	if max <= 0 {
		max = 1024
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	err = withFd(of.f, func(fd int) error {
		if cookie != d.pos {
			if _, err := unix.Seek(fd, 0, 0); err != nil {
				return err
			}
			d.pos, d.pending, d.eof = 0, nil, false
			for d.pos < cookie {
				if len(d.pending) == 0 {
					if d.eof {
						return nil
					}
					if err := d.fill(fd); err != nil {
						return err
					}
					continue
				}
				skip := min(uint64(len(d.pending)), cookie-d.pos)
				d.pending = d.pending[skip:]
				d.pos += skip
			}
		}
		for len(d.pending) < max && !d.eof {
			if err := d.fill(fd); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, pathErr("readdir", of.path, err)
	}
	if d.pos != cookie { // the cookie was past the end
		return nil, nil
	}
	n := min(max, len(d.pending))
	out := make([]sdk.DirEntry, n)
	copy(out, d.pending[:n])
	d.pending = d.pending[n:]
	for i := range out {
		d.pos++
		out[i].Cookie = d.pos
	}
	return out, nil
}

// fill reads one getdents64 batch into pending.
func (d *dirStream) fill(fd int) error {
	if d.buf == nil {
		d.buf = make([]byte, 32<<10)
	}
	n, err := unix.Getdents(fd, d.buf)
	for err == unix.EINTR {
		n, err = unix.Getdents(fd, d.buf)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		d.eof = true
		return nil
	}
	// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
	for b := d.buf[:n]; len(b) >= 19; {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < 19 || reclen > len(b) {
			break
		}
		name := b[19:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if s := string(name); s != "." && s != ".." {
			e := sdk.DirEntry{Name: s, Ino: binary.NativeEndian.Uint64(b[0:8])}
			e.Mode = direntType(fd, s, b[18])
			d.pending = append(d.pending, e)
		}
		b = b[reclen:]
	}
	return nil
}

// direntType maps a d_type to io/fs type bits, asking fstatat (never
// following) when the file system does not fill d_type in.
func direntType(dfd int, name string, t uint8) fs.FileMode {
	switch t {
	case unix.DT_REG:
		return 0
	case unix.DT_DIR:
		return fs.ModeDir
	case unix.DT_LNK:
		return fs.ModeSymlink
	case unix.DT_FIFO:
		return fs.ModeNamedPipe
	case unix.DT_SOCK:
		return fs.ModeSocket
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_BLK:
		return fs.ModeDevice
	}
	var st unix.Stat_t
	if unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
		return 0
	}
	return sdk.ModeFromPOSIX(st.Mode).Type()
}
