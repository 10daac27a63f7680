package pathfs

import (
	"context"
	"io/fs"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// Open opens the file at p and returns its handle.
func (f *FS) Open(ctx context.Context, p string, flags sdk.OpenFlags) (uint64, error) {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return 0, err
	}
	defer f.done(r)
	fh, err := f.v.Open(ctx, r.id, flags)
	if err != nil {
		return 0, err
	}
	f.addHandle(fh, r.id)
	return fh, nil
}

// Create creates and opens the file p and returns its handle and
// attributes.
func (f *FS) Create(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (uint64, vfs.Attr, error) {
	var fh uint64
	e, err := f.create(ctx, p, func(parent uint64, name string) (vfs.Entry, error) {
		e, h, err := f.v.Create(ctx, parent, name, flags, mode)
		fh = h
		return e, err
	})
	if err != nil {
		return 0, vfs.Attr{}, err
	}
	f.addHandle(fh, e.ID)
	return fh, e.Attr, nil
}

// Read reads from open handle fh at off.
func (f *FS) Read(ctx context.Context, fh uint64, dest []byte, off int64) (int, error) {
	return f.v.Read(ctx, fh, dest, off)
}

// Write writes to open handle fh at off.
func (f *FS) Write(ctx context.Context, fh uint64, data []byte, off int64) (int, error) {
	return f.v.Write(ctx, fh, data, off)
}

// Flush is called at each close of a descriptor of handle fh.
func (f *FS) Flush(ctx context.Context, fh uint64) error { return f.v.Flush(ctx, fh) }

// Fsync makes handle fh's data (and with !dataOnly its metadata) durable.
func (f *FS) Fsync(ctx context.Context, fh uint64, dataOnly bool) error {
	return f.v.Fsync(ctx, fh, dataOnly)
}

// Release closes handle fh, file or directory.
func (f *FS) Release(ctx context.Context, fh uint64) error {
	f.removeHandle(fh)
	return f.v.Release(ctx, fh)
}

// OpenDir opens the directory at p for listing and returns its handle.
func (f *FS) OpenDir(ctx context.Context, p string) (uint64, error) {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return 0, err
	}
	defer f.done(r)
	fh, err := f.v.OpenDir(ctx, r.id)
	if err != nil {
		return 0, err
	}
	f.addHandle(fh, r.id)
	return fh, nil
}

// ReadDir returns directory handle fh's entries from index from on ("."
// is 0, ".." is 1); an entry's index + 1 is the offset that continues
// after it. An empty result ends the listing.
func (f *FS) ReadDir(ctx context.Context, fh uint64, from int) ([]vfs.DirEntry, error) {
	return f.v.ReadDir(ctx, fh, from)
}
