package local

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/plugfs/plugfs/sdk"
)

// Read implements sdk.FileSystem with pread: short only at end of file.
func (f *FS) Read(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return 0, err
	}
	n, err := of.f.ReadAt(b, off)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, pathErr("read", of.path, err)
}

// Write implements sdk.Writer with pwrite; a handle opened with Append
// writes at end of file whatever off says.
func (f *FS) Write(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return 0, err
	}
	var n int
	if of.append {
		n, err = of.f.Write(b)
	} else {
		n, err = of.f.WriteAt(b, off)
	}
	return n, pathErr("write", of.path, err)
}

// Release implements sdk.FileSystem: it closes the handle's descriptor.
func (f *FS) Release(ctx context.Context, h sdk.Handle) error {
	of, err := f.handles.remove(h)
	if err != nil {
		return err
	}
	return pathErr("close", of.path, of.f.Close())
}

// local does not implement sdk.Flusher: writes go straight to the
// backing file, so a close has nothing to push (and costs no call; the
// kernel stops sending FLUSH).

// Describe implements sdk.Describer.
func (f *FS) Describe() sdk.Declared { return f.declared }

// DonateFile implements sdk.FileDonor: the host (or the kernel, through
// FUSE passthrough) then reads and writes the very file this handle has
// open, and Stat, which asks the file system, stays true. Appending
// handles are kept: the host writes at explicit offsets.
func (f *FS) DonateFile(ctx context.Context, h sdk.Handle) (*os.File, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return nil, err
	}
	if of.append || of.dir != nil {
		return nil, sdk.ErrNotSupported
	}
	return of.f, nil
}
