package testplugin

import (
	"context"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// hangPath blocks every operation on it, ignoring cancellation: a plugin
// stuck in a system call.
const hangPath = "/hang"

// memFS is a flat in-memory file system: regular files in the root only.
type memFS struct {
	mu      sync.Mutex
	files   map[string][]byte
	handles map[sdk.Handle]string
	next    atomic.Uint64
	start   time.Time
}

func newFS() *memFS {
	return &memFS{files: map[string][]byte{}, handles: map[sdk.Handle]string{}, start: time.Now()}
}

func hang(path string) {
	if path == hangPath {
		select {}
	}
}

func (m *memFS) attr(path string) (sdk.Attr, error) {
	if path == "/" {
		return sdk.Attr{Mode: fs.ModeDir | 0o755, Nlink: 2, Mtime: m.start, Ctime: m.start, Atime: m.start}, nil
	}
	d, ok := m.files[path]
	if !ok {
		return sdk.Attr{}, sdk.ErrNotExist
	}
	return sdk.Attr{Mode: 0o644, Nlink: 1, Size: uint64(len(d)), Mtime: m.start, Ctime: m.start, Atime: m.start}, nil
}

func (m *memFS) Stat(ctx context.Context, path string) (sdk.Attr, error) {
	hang(path)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.attr(path)
}

func (m *memFS) OpenDir(ctx context.Context, path string) (sdk.Handle, error) {
	if path != "/" {
		return 0, sdk.ErrNotDir
	}
	return sdk.Handle(m.next.Add(1)), nil
}

func (m *memFS) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.files))
	for n := range m.files {
		names = append(names, strings.TrimPrefix(n, "/"))
	}
	sort.Strings(names)
	var out []sdk.DirEntry
	for i := int(cookie); i < len(names) && len(out) < max; i++ {
		out = append(out, sdk.DirEntry{Name: names[i], Cookie: uint64(i + 1)})
	}
	return out, nil
}

func (m *memFS) Open(ctx context.Context, path string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	hang(path)
	m.mu.Lock()
	defer m.mu.Unlock()
	if path == "/" {
		if flags.Writable() {
			return 0, sdk.Attr{}, sdk.ErrIsDir
		}
	} else if _, ok := m.files[path]; !ok {
		if flags&sdk.Create == 0 {
			return 0, sdk.Attr{}, sdk.ErrNotExist
		}
		m.files[path] = nil
	} else if flags&(sdk.Create|sdk.Exclusive) == sdk.Create|sdk.Exclusive {
		return 0, sdk.Attr{}, sdk.ErrExist
	}
	if flags&sdk.Truncate != 0 {
		m.files[path] = nil
	}
	h := sdk.Handle(m.next.Add(1))
	m.handles[h] = path
	a, err := m.attr(path)
	return h, a, err
}

func (m *memFS) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.files[m.handles[h]]
	if off >= int64(len(d)) {
		return 0, nil
	}
	return copy(p, d[off:]), nil
}

func (m *memFS) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	path, ok := m.handles[h]
	if !ok {
		return 0, sdk.ErrBadHandle
	}
	d := m.files[path]
	if end := off + int64(len(p)); end > int64(len(d)) {
		d = append(d, make([]byte, end-int64(len(d)))...)
	}
	copy(d[off:], p)
	m.files[path] = d
	return len(p), nil
}

func (m *memFS) Setattr(ctx context.Context, path string, h sdk.Handle, a sdk.SetAttr) (sdk.Attr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a.Has(sdk.SetSize) {
		d, ok := m.files[path]
		if !ok {
			return sdk.Attr{}, sdk.ErrNotExist
		}
		if a.Size < uint64(len(d)) {
			d = d[:a.Size]
		} else {
			d = append(d, make([]byte, a.Size-uint64(len(d)))...)
		}
		m.files[path] = d
	}
	return m.attr(path)
}

func (m *memFS) Unlink(ctx context.Context, path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[path]; !ok {
		return sdk.ErrNotExist
	}
	delete(m.files, path)
	return nil
}

func (m *memFS) Rmdir(ctx context.Context, path string) error { return sdk.ErrNotDir }

func (m *memFS) Release(ctx context.Context, h sdk.Handle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.handles, h)
	return nil
}

var (
	_ sdk.Writer    = (*memFS)(nil)
	_ sdk.Setattrer = (*memFS)(nil)
	_ sdk.Remover   = (*memFS)(nil)
)

// slowReadsFS is memFS declaring that its reads are slow.
type slowReadsFS struct{ *memFS }

// Describe implements sdk.Describer.
func (slowReadsFS) Describe() sdk.Declared { return sdk.Declared{ReadAhead: true} }
