package host

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Backend is the supervised plugin as an sdk.FileSystem. Every call waits
// for a live plugin (up to RestartWait), runs under OpTimeout, and maps
// handles across plugin generations (see the package comment).
type Backend struct {
	h *Host
}

// OpenHandles returns how many handles are open through the Backend.
func (b *Backend) OpenHandles() int { return b.h.handles.len() }

// call runs fn against the live plugin under the operation deadline. A
// call that could not even reach a plugin that has just died (it failed to
// connect, so the plugin never saw it) runs once more on its successor;
// calls the plugin may have seen fail.
func call[T any](b *Backend, ctx context.Context, op string, fn func(context.Context, *sdk.Client) (T, error)) (out T, err error) {
	if obs := b.h.cfg.Observe; obs != nil {
		start := time.Now()
		defer func() { obs(op, time.Since(start), byteCount(op, out), err) }()
	}
	var zero T
	for attempt := 0; ; attempt++ {
		in, err := b.h.instance(ctx)
		if err != nil {
			return zero, err
		}
		cctx := withOpTimeout(ctx, b.h.cfg.OpTimeout)
		out, err := fn(cctx, in.fs)
		cctx.release()
		b.h.release()
		if err == nil {
			return out, nil
		}
		if attempt == 0 && neverSent(err) && b.h.diedUnder(in, err) {
			continue
		}
		return zero, b.annotate(op, err)
	}
}

// callHandle is call for operations on an open handle: it fails with
// sdk.ErrStale when h was issued by an earlier plugin process.
func callHandle[T any](b *Backend, ctx context.Context, op string, h sdk.Handle, fn func(context.Context, *sdk.Client, sdk.Handle) (T, error)) (out T, err error) {
	if obs := b.h.cfg.Observe; obs != nil {
		start := time.Now()
		defer func() { obs(op, time.Since(start), byteCount(op, out), err) }()
	}
	var zero T
	e, ok := b.h.handles.get(h)
	if !ok {
		return zero, fmt.Errorf("%s: host handle %d: %w", op, h, sdk.ErrBadHandle)
	}
	in, err := b.h.instance(ctx)
	if err != nil {
		return zero, err
	}
	defer b.h.release()
	if in.gen != e.gen {
		return zero, stale(op, e.gen, in.gen)
	}
	cctx := withOpTimeout(ctx, b.h.cfg.OpTimeout)
	defer cctx.release()
	out, err = fn(cctx, in.fs, e.ph)
	if err != nil {
		if b.h.diedUnder(in, err) {
			// The handle died with its plugin: say so, so the VFS
			// reopens the file on the successor and retries.
			return zero, stale(op, e.gen, 0)
		}
		return zero, b.annotate(op, err)
	}
	return out, nil
}

// observe reports an operation served without a plugin call (a donated
// file's bytes moved by the host).
func (b *Backend) observe(op string, start time.Time, n int, err error) {
	if obs := b.h.cfg.Observe; obs != nil {
		obs(op, time.Since(start), n, err)
	}
}

// byteCount is the number of bytes a Read or Write moved, 0 for others.
func byteCount[T any](op string, out T) int {
	if op != "Read" && op != "Write" {
		return 0
	}
	if n, ok := any(out).(int); ok {
		return n
	}
	return 0
}

func stale(op string, gen, now uint64) error {
	return fmt.Errorf("%s: handle from plugin generation %d, which has exited (now %d): %w", op, gen, now, sdk.ErrStale)
}

// annotate names the plugin and operation in timeouts, which otherwise
// say nothing of where the time went.
func (b *Backend) annotate(op string, err error) error {
	if sdk.CodeOf(err) == sdk.CodeTimeout {
		return sdk.NewError(sdk.CodeTimeout, fmt.Sprintf("plugin %s: %s took longer than %v", b.h.cfg.Name, op, b.h.cfg.OpTimeout))
	}
	return err
}

type none struct{}

// neverSent reports whether err says the call failed to connect, so the
// plugin cannot have acted on it.
func neverSent(err error) bool {
	msg := err.Error()
	// gRPC reports a connection that failed while being set up (dial,
	// client or server preface) as "connection error: ..."; calls that
	// were already sent fail with "error reading from server" or
	// "transport is closing" instead.
	return strings.Contains(msg, "connection error:") || strings.Contains(msg, "error while dialing") ||
		strings.Contains(msg, "connection refused")
}

// Stat implements sdk.FileSystem.
func (b *Backend) Stat(ctx context.Context, path string) (sdk.Attr, error) {
	return call(b, ctx, "Stat", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Stat(ctx, path) })
}

// StatHandle implements sdk.HandleStater.
func (b *Backend) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	return callHandle(b, ctx, "StatHandle", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (sdk.Attr, error) {
		return c.StatHandle(ctx, ph)
	})
}

// OpenDir implements sdk.FileSystem.
func (b *Backend) OpenDir(ctx context.Context, path string) (sdk.Handle, error) {
	return call(b, ctx, "OpenDir", func(ctx context.Context, c *sdk.Client) (sdk.Handle, error) {
		ph, err := c.OpenDir(ctx, path)
		if err != nil {
			return 0, err
		}
		return b.h.handles.add(b.h.genOf(c), ph, nil), nil
	})
}

// ReadDir implements sdk.FileSystem.
func (b *Backend) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	return callHandle(b, ctx, "ReadDir", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) ([]sdk.DirEntry, error) {
		return c.ReadDir(ctx, ph, cookie, max)
	})
}

// Open implements sdk.FileSystem.
func (b *Backend) Open(ctx context.Context, path string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	type opened struct {
		h sdk.Handle
		a sdk.Attr
	}
	o, err := call(b, ctx, "Open", func(ctx context.Context, c *sdk.Client) (opened, error) {
		var (
			ph   sdk.Handle
			a    sdk.Attr
			file *os.File
			err  error
		)
		if b.h.donates(c) {
			ph, a, file, err = c.OpenFile(ctx, path, flags, mode)
		} else {
			ph, a, err = c.Open(ctx, path, flags, mode)
		}
		if err != nil {
			return opened{}, err
		}
		return opened{b.h.handles.add(b.h.genOf(c), ph, file), a}, nil
	})
	return o.h, o.a, err
}

// File returns the OS file the plugin donated for h, or nil. The Backend
// keeps owning it (Release closes it); a driver may hand it to the kernel
// (FUSE passthrough) while h is open.
func (b *Backend) File(h sdk.Handle) *os.File {
	e, _ := b.h.handles.get(h)
	return e.file
}

// DonatedFiles returns how many open handles hold a donated file.
func (b *Backend) DonatedFiles() int { return b.h.handles.files() }

// Read implements sdk.FileSystem. A handle with a donated file is read
// from the file, without a plugin call.
func (b *Backend) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	if f := b.File(h); f != nil {
		start := time.Now()
		n, err := f.ReadAt(p, off)
		if err == io.EOF {
			err = nil
		}
		b.observe("Read", start, n, err)
		return n, err
	}
	return callHandle(b, ctx, "Read", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (int, error) {
		return c.Read(ctx, ph, p, off)
	})
}

// Write implements sdk.Writer. A handle with a donated file is written to
// the file, without a plugin call.
func (b *Backend) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	if f := b.File(h); f != nil {
		start := time.Now()
		n, err := f.WriteAt(p, off)
		b.observe("Write", start, n, err)
		return n, err
	}
	return callHandle(b, ctx, "Write", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (int, error) {
		return c.Write(ctx, ph, p, off)
	})
}

// Release implements sdk.FileSystem. A handle of a dead plugin generation
// is forgotten without a call; Release ignores the caller's cancellation.
func (b *Backend) Release(ctx context.Context, h sdk.Handle) error {
	e, ok := b.h.handles.remove(h)
	if !ok {
		return fmt.Errorf("Release: host handle %d: %w", h, sdk.ErrBadHandle)
	}
	if e.file != nil {
		e.file.Close()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.h.cfg.OpTimeout)
	defer cancel()
	b.h.mu.Lock()
	in := b.h.cur
	b.h.mu.Unlock()
	if in == nil || in.gen != e.gen || in.exited() {
		return nil
	}
	return b.annotate("Release", in.fs.Release(ctx, e.ph))
}

// Flush implements sdk.Flusher.
func (b *Backend) Flush(ctx context.Context, h sdk.Handle) error {
	_, err := callHandle(b, ctx, "Flush", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (none, error) {
		return none{}, c.Flush(ctx, ph)
	})
	return err
}

// Fsync implements sdk.Fsyncer.
func (b *Backend) Fsync(ctx context.Context, h sdk.Handle, dataOnly bool) error {
	_, err := callHandle(b, ctx, "Fsync", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (none, error) {
		return none{}, c.Fsync(ctx, ph, dataOnly)
	})
	return err
}

// Setattr implements sdk.Setattrer. With a handle, the handle must be of
// the live plugin generation (sdk.ErrStale otherwise).
func (b *Backend) Setattr(ctx context.Context, path string, h sdk.Handle, a sdk.SetAttr) (sdk.Attr, error) {
	if h != 0 {
		return callHandle(b, ctx, "Setattr", h, func(ctx context.Context, c *sdk.Client, ph sdk.Handle) (sdk.Attr, error) {
			return c.Setattr(ctx, path, ph, a)
		})
	}
	return call(b, ctx, "Setattr", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Setattr(ctx, path, 0, a) })
}

// Mkdir implements sdk.Mkdirer.
func (b *Backend) Mkdir(ctx context.Context, path string, mode fs.FileMode) (sdk.Attr, error) {
	return call(b, ctx, "Mkdir", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Mkdir(ctx, path, mode) })
}

// Mknod implements sdk.Mknoder.
func (b *Backend) Mknod(ctx context.Context, path string, mode fs.FileMode, rdev uint32) (sdk.Attr, error) {
	return call(b, ctx, "Mknod", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Mknod(ctx, path, mode, rdev) })
}

// Unlink implements sdk.Remover.
func (b *Backend) Unlink(ctx context.Context, path string) error {
	_, err := call(b, ctx, "Unlink", func(ctx context.Context, c *sdk.Client) (none, error) { return none{}, c.Unlink(ctx, path) })
	return err
}

// Rmdir implements sdk.Remover.
func (b *Backend) Rmdir(ctx context.Context, path string) error {
	_, err := call(b, ctx, "Rmdir", func(ctx context.Context, c *sdk.Client) (none, error) { return none{}, c.Rmdir(ctx, path) })
	return err
}

// Rename implements sdk.Renamer.
func (b *Backend) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	_, err := call(b, ctx, "Rename", func(ctx context.Context, c *sdk.Client) (none, error) { return none{}, c.Rename(ctx, from, to, flags) })
	return err
}

// Symlink implements sdk.Symlinker.
func (b *Backend) Symlink(ctx context.Context, target, path string) (sdk.Attr, error) {
	return call(b, ctx, "Symlink", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Symlink(ctx, target, path) })
}

// Readlink implements sdk.Readlinker.
func (b *Backend) Readlink(ctx context.Context, path string) (string, error) {
	return call(b, ctx, "Readlink", func(ctx context.Context, c *sdk.Client) (string, error) { return c.Readlink(ctx, path) })
}

// Link implements sdk.Linker.
func (b *Backend) Link(ctx context.Context, oldpath, newpath string) (sdk.Attr, error) {
	return call(b, ctx, "Link", func(ctx context.Context, c *sdk.Client) (sdk.Attr, error) { return c.Link(ctx, oldpath, newpath) })
}

// Statfs implements sdk.Statfser.
func (b *Backend) Statfs(ctx context.Context) (sdk.Statfs, error) {
	return call(b, ctx, "Statfs", func(ctx context.Context, c *sdk.Client) (sdk.Statfs, error) { return c.Statfs(ctx) })
}

// GetXattr implements sdk.Xattrer.
func (b *Backend) GetXattr(ctx context.Context, path, name string) ([]byte, error) {
	return call(b, ctx, "GetXattr", func(ctx context.Context, c *sdk.Client) ([]byte, error) { return c.GetXattr(ctx, path, name) })
}

// SetXattr implements sdk.Xattrer.
func (b *Backend) SetXattr(ctx context.Context, path, name string, value []byte, flags sdk.XattrFlags) error {
	_, err := call(b, ctx, "SetXattr", func(ctx context.Context, c *sdk.Client) (none, error) {
		return none{}, c.SetXattr(ctx, path, name, value, flags)
	})
	return err
}

// ListXattr implements sdk.Xattrer.
func (b *Backend) ListXattr(ctx context.Context, path string) ([]string, error) {
	return call(b, ctx, "ListXattr", func(ctx context.Context, c *sdk.Client) ([]string, error) { return c.ListXattr(ctx, path) })
}

// RemoveXattr implements sdk.Xattrer.
func (b *Backend) RemoveXattr(ctx context.Context, path, name string) error {
	_, err := call(b, ctx, "RemoveXattr", func(ctx context.Context, c *sdk.Client) (none, error) { return none{}, c.RemoveXattr(ctx, path, name) })
	return err
}

// The Backend forwards every optional operation.
var (
	_ sdk.FileSystem   = (*Backend)(nil)
	_ sdk.Writer       = (*Backend)(nil)
	_ sdk.Setattrer    = (*Backend)(nil)
	_ sdk.Mkdirer      = (*Backend)(nil)
	_ sdk.Remover      = (*Backend)(nil)
	_ sdk.Renamer      = (*Backend)(nil)
	_ sdk.Symlinker    = (*Backend)(nil)
	_ sdk.Readlinker   = (*Backend)(nil)
	_ sdk.Linker       = (*Backend)(nil)
	_ sdk.Mknoder      = (*Backend)(nil)
	_ sdk.Flusher      = (*Backend)(nil)
	_ sdk.Fsyncer      = (*Backend)(nil)
	_ sdk.Statfser     = (*Backend)(nil)
	_ sdk.Xattrer      = (*Backend)(nil)
	_ sdk.HandleStater = (*Backend)(nil)
)

// Features implements sdk.FeatureReporter: what the plugin announced.
func (b *Backend) Features() sdk.Features { return b.h.Features() }

// Generation implements vfs.Generationer: it changes with every plugin
// restart (0 while none is running).
func (b *Backend) Generation() uint64 {
	b.h.mu.Lock()
	defer b.h.mu.Unlock()
	if b.h.cur == nil {
		return 0
	}
	return b.h.cur.gen
}
