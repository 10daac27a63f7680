//go:build (linux && cgo && cgofuse) || windows || (darwin && cgo)

package cgofuse

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/winfsp/cgofuse/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/core/pathfs"
	"github.com/plugfs/plugfs/core/vfs"
)

// Name is the driver's name, as given to --driver.
const Name = "cgofuse"

// Driver mounts volumes through cgofuse.
type Driver struct{}

var (
	_ mountpoint.SpecDriver    = Driver{}
	_ mountpoint.ResolvedMount = (*mount)(nil)
)

func init() { core.RegisterDriver(Driver{}, rank) }

// Name implements core.Driver.
func (Driver) Name() string { return Name }

// Available implements core.Driver: the FUSE library (WinFsp, macFUSE,
// libfuse3) is installed.
func (Driver) Available() error { return available() }

// Mount implements core.Driver.
func (d Driver) Mount(ctx context.Context, fsys *vfs.VFS, point string, opts core.MountOptions) (core.Mounted, error) {
	if err := d.Available(); err != nil {
		return nil, err
	}
	target, err := prepare(point)
	if err != nil {
		return nil, err
	}
	return d.mount(ctx, fsys, target, opts)
}

// MountSpec implements mountpoint.SpecDriver: the kinds this OS's FUSE
// library serves (on Windows drive letters, automatic letters and network
// points; elsewhere directories).
func (d Driver) MountSpec(ctx context.Context, fsys *vfs.VFS, s mountpoint.Spec, opts core.MountOptions) (core.Mounted, error) {
	if err := d.Available(); err != nil {
		return nil, err
	}
	target, err := prepareSpec(s)
	if err != nil {
		return nil, err
	}
	return d.mount(ctx, fsys, target, opts)
}

// mount serves fsys at a prepared target and returns once the FUSE
// library has initialised the file system.
func (d Driver) mount(ctx context.Context, fsys *vfs.VFS, target target, opts core.MountOptions) (core.Mounted, error) {
	if target.setup != nil {
		if err := target.setup(); err != nil {
			return nil, err
		}
	}
	pfs := pathfs.New(fsys)
	fsop := &fileSystem{fs: pfs, debug: opts.Debug, init: make(chan struct{}), caller: fuse.Getcontext}
	host := fuse.NewFileSystemHost(fsop)
	host.SetUseIno(true)
	host.SetCapReaddirPlus(false)
	m := &mount{point: target.point, spec: target.spec, host: host, pfs: pfs, done: make(chan struct{})}
	removeInvalidator := fsys.SetInvalidator(pfs)
	ok := make(chan bool, 1)
	go func() {
		defer close(m.done)
		defer pfs.Close()
		defer removeInvalidator()
		defer func() {
			if err := target.cleanup(); err != nil {
				m.addErr(err)
			}
		}()
		r := m.serve(target, append(options(opts, fsys), target.opts...))
		ok <- r
	}()
	select {
	case <-fsop.init:
		if err := confirm(target.point); err != nil {
			_ = m.Unmount(context.WithoutCancel(ctx), true)
			return nil, err
		}
		if target.ready != nil {
			if err := target.ready(ctx, m.done); err != nil {
				_ = m.Unmount(context.WithoutCancel(ctx), true)
				return nil, err
			}
		}
		return m, nil
	case r := <-ok:
		ok <- r
		return nil, fmt.Errorf("%w: %s: the FUSE library refused the mount (its message is on standard error)", core.ErrMountPointInvalid, target.point)
	case <-ctx.Done():
		go func() { // a mount that comes up after all is taken down again
			select {
			case <-fsop.init:
				_ = m.Unmount(context.WithoutCancel(ctx), true)
			case <-m.done:
			}
		}()
		return nil, fmt.Errorf("mount %s: %w", target.point, ctx.Err())
	}
}

// serve runs cgofuse's loop until the file system is unmounted and
// reports whether the mount succeeded. A panic from cgofuse (the FUSE
// library could not be loaded) becomes a failed mount.
func (m *mount) serve(target target, args []string) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			m.setErr(fmt.Errorf("%w: %v", core.ErrDriverUnavailable, r))
			ok = false
		}
	}()
	return m.host.Mount(target.arg, args)
}

// mount is one live cgofuse mount.
type mount struct {
	point string
	spec  mountpoint.Spec
	host  *fuse.FileSystemHost
	pfs   *pathfs.FS
	done  chan struct{}

	mu  sync.Mutex
	err error
}

func (m *mount) setErr(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
}

// addErr joins err to the mount's error (an undo step that failed after
// the loop ended).
func (m *mount) addErr(err error) {
	m.mu.Lock()
	m.err = errors.Join(m.err, err)
	m.mu.Unlock()
}

// Point implements core.Mounted.
func (m *mount) Point() string { return m.point }

// Spec implements mountpoint.ResolvedMount: the spec mounted, with the
// letter of * and the default scope settled (on Windows; a directory
// has neither).
func (m *mount) Spec() mountpoint.Spec { return m.spec }

// Done implements core.Mounted.
func (m *mount) Done() <-chan struct{} { return m.done }

// Err implements core.Mounted.
func (m *mount) Err() error {
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Unmount implements core.Mounted. A plain unmount returns once the
// FUSE loop has ended; a lazy one once the mount is detached.
func (m *mount) Unmount(ctx context.Context, lazy bool) error {
	select {
	case <-m.done:
		return nil
	default:
	}
	if err := m.unmount(lazy); err != nil {
		if errors.Is(err, core.ErrNotMounted) {
			select {
			case <-m.done:
				return nil
			case <-ctx.Done():
			}
		}
		return err
	}
	if lazy {
		return nil // detached; the loop ends after the last close (Done)
	}
	select {
	case <-m.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("unmount %s: the FUSE loop did not end: %w", m.point, ctx.Err())
	}
}

// options turns mount options into the FUSE library's command line.
func options(opts core.MountOptions, fsys *vfs.VFS) []string {
	var o []string
	if opts.FSName != "" {
		o = append(o, "fsname="+optEscape(opts.FSName))
	}
	o = append(o, osOptions(opts)...)
	if opts.ReadOnly || fsys.ReadOnly() {
		o = append(o, "ro")
	}
	var args []string
	for _, x := range o {
		args = append(args, "-o", x)
	}
	return args
}

// optEscape escapes the characters libfuse's option parser splits on.
func optEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
