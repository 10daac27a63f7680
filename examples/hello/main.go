// Command hello is the smallest useful plugfs plugin: a read-only file
// system with one directory of greeting files, generated from its options.
// Copy it to start your own plugin; README.md walks through it.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

func main() {
	sdk.Serve(&sdk.Plugin{
		Name:        "hello",
		Version:     "1.0.0",
		Description: "read-only greetings: /hello.txt and one file per --opt names=a,b",
		Options: []sdk.Option{
			{Name: "names", Help: "comma-separated names to greet", Default: "world"},
		},
		New: func(ctx context.Context, opts sdk.Options) (sdk.FileSystem, error) {
			files := map[string]string{"hello.txt": "Hello from a plugfs plugin!\n"}
			for _, n := range strings.Split(opts.String("names"), ",") {
				if n = strings.TrimSpace(n); n != "" {
					if strings.ContainsRune(n, '/') {
						return nil, fmt.Errorf("option names: %q contains '/': give plain names: %w", n, sdk.ErrInvalid)
					}
					files["greetings/"+n] = "Hello, " + n + "!\n"
				}
			}
			return &helloFS{files: files, born: time.Now(), handles: map[string]sdk.Handle{}}, nil
		},
	})
}

// helloFS serves a fixed set of files. It implements only the required
// sdk.FileSystem methods, so plugfs mounts it read-only.
type helloFS struct {
	files map[string]string // path without leading slash → content
	born  time.Time

	// Handles name paths. A real plugin keeps an open object per handle
	// and frees it in Release; hello's files never change, so numbering
	// each path once is enough.
	mu      sync.Mutex
	handles map[string]sdk.Handle
	paths   []string // paths[h-1] is the path of handle h
}

func (h *helloFS) handle(path string) sdk.Handle {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hd, ok := h.handles[path]; ok {
		return hd
	}
	h.paths = append(h.paths, path)
	h.handles[path] = sdk.Handle(len(h.paths))
	return h.handles[path]
}

func (h *helloFS) path(hd sdk.Handle) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hd == 0 || int(hd) > len(h.paths) {
		return ""
	}
	return h.paths[hd-1]
}

func (h *helloFS) isDir(p string) bool {
	if p == "" {
		return true
	}
	for name := range h.files {
		if strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// Stat implements sdk.FileSystem.
func (h *helloFS) Stat(ctx context.Context, path string) (sdk.Attr, error) {
	p := strings.TrimPrefix(path, "/")
	a := sdk.Attr{Nlink: 1, Atime: h.born, Mtime: h.born, Ctime: h.born}
	if content, ok := h.files[p]; ok {
		a.Mode, a.Size = 0o444, uint64(len(content))
		return a, nil
	}
	if h.isDir(p) {
		a.Mode, a.Nlink = fs.ModeDir|0o555, 2
		return a, nil
	}
	return sdk.Attr{}, fmt.Errorf("%s: %w", path, sdk.ErrNotExist)
}

// OpenDir implements sdk.FileSystem. The handle names the directory.
func (h *helloFS) OpenDir(ctx context.Context, path string) (sdk.Handle, error) {
	if _, err := h.Stat(ctx, path); err != nil {
		return 0, err
	}
	if !h.isDir(strings.TrimPrefix(path, "/")) {
		return 0, sdk.ErrNotDir
	}
	return h.handle(path), nil
}

// ReadDir implements sdk.FileSystem: the cookie is the index of the next
// entry in the sorted listing.
func (h *helloFS) ReadDir(ctx context.Context, hd sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	dir := h.path(hd)
	prefix := strings.TrimPrefix(dir, "/")
	if prefix != "" {
		prefix += "/"
	}
	seen := map[string]fs.FileMode{}
	for name := range h.files {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			child, _, nested := strings.Cut(rest, "/")
			if nested {
				seen[child] = fs.ModeDir
			} else {
				seen[child] = 0
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []sdk.DirEntry
	for i := int(cookie); i < len(names) && len(out) < max; i++ {
		out = append(out, sdk.DirEntry{Name: names[i], Mode: seen[names[i]], Cookie: uint64(i + 1)})
	}
	return out, nil
}

// Open implements sdk.FileSystem. Files are read-only; the handle names
// the file so Read can find it.
func (h *helloFS) Open(ctx context.Context, path string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	a, err := h.Stat(ctx, path)
	if err != nil {
		return 0, a, err
	}
	if flags.Writable() {
		return 0, a, sdk.ErrReadOnly
	}
	return h.handle(path), a, nil
}

// Read implements sdk.FileSystem.
func (h *helloFS) Read(ctx context.Context, hd sdk.Handle, p []byte, off int64) (int, error) {
	content, ok := h.files[strings.TrimPrefix(h.path(hd), "/")]
	if !ok {
		return 0, sdk.ErrIsDir
	}
	if off >= int64(len(content)) {
		return 0, nil
	}
	return copy(p, content[off:]), nil
}

// Release implements sdk.FileSystem: handles hold no resources.
func (h *helloFS) Release(ctx context.Context, hd sdk.Handle) error { return nil }

var _ sdk.FileSystem = (*helloFS)(nil)
