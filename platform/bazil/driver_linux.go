//go:build linux

package bazil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"bazil.org/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/fusedev"
	"github.com/plugfs/plugfs/platform/mountdir"
	"github.com/plugfs/plugfs/platform/unmount"
	"github.com/plugfs/plugfs/sdk"
)

// Name is the driver's name for --driver.
const Name = "bazil"

// Driver mounts volumes through bazil.org/fuse.
type Driver struct{}

func init() { core.RegisterDriver(Driver{}, 20) }

// Name implements core.Driver.
func (Driver) Name() string { return Name }

// Available implements core.Driver: /dev/fuse and fusermount3 are needed.
func (Driver) Available() error {
	return fusedev.Check(true)
}

// Mount implements core.Driver.
func (d Driver) Mount(ctx context.Context, fsys *vfs.VFS, point string, opts core.MountOptions) (core.Mounted, error) {
	if err := d.Available(); err != nil {
		return nil, err
	}
	clean, err := mountdir.Check(point)
	if err != nil {
		return nil, err
	}
	mo := mountOptions(fsys, opts)
	conn, err := fuse.Mount(clean, mo...)
	if err != nil {
		_ = unmount.Unmount(clean, true) // mounted but failed at INIT: leave nothing
		return nil, fmt.Errorf("mount %s: %w", clean, err)
	}
	m := newMount(clean, conn, fsys, opts)
	// Changes the plugin reports reach the kernel until the mount is gone.
	m.stopInvalidating = fsys.SetInvalidator(invalidator{conn})
	go m.serve()
	// A wider window than the kernel's 128 KiB keeps more READs in flight.
	if err := fusedev.SetReadAhead(clean, int(readaheadOf(opts))); err != nil && opts.Debug != nil {
		opts.Debug(fmt.Sprintf("%v; the kernel reads ahead 128 KiB", err))
	}
	return m, nil
}

// readaheadOf is the read-ahead the mount offers the kernel: MaxIO, at
// most maxReadahead.
func readaheadOf(opts core.MountOptions) uint32 {
	if opts.MaxIO == 0 || opts.MaxIO > maxReadahead {
		return maxReadahead
	}
	return opts.MaxIO
}

// mountOptions turns opts into bazil's mount options. Empty names are left
// out: fusermount3 refuses "fsname=" and "subtype=".
func mountOptions(fsys *vfs.VFS, opts core.MountOptions) []fuse.MountOption {
	fsname := opts.FSName
	if fsname == "" {
		fsname = "plugfs"
	}
	mo := []fuse.MountOption{
		fuse.FSName(fsname),
		fuse.MaxReadahead(readaheadOf(opts)),
		fuse.AsyncRead(),
	}
	if opts.Subtype != "" {
		mo = append(mo, fuse.Subtype(opts.Subtype))
	}
	if opts.DefaultPermissions || opts.AllowOther {
		mo = append(mo, fuse.DefaultPermissions())
	}
	if opts.AllowOther {
		mo = append(mo, fuse.AllowOther())
	}
	if opts.ReadOnly || fsys.ReadOnly() {
		mo = append(mo, fuse.ReadOnly())
	}
	return mo
}

// maxReadahead is the most the kernel reads ahead per file: 1 MiB.
const maxReadahead = 1 << 20

// Unmount implements core.Mounted.
func (m *mount) Unmount(ctx context.Context, lazy bool) error {
	err := unmount.Unmount(m.point, lazy)
	if errors.Is(err, core.ErrNotMounted) {
		select {
		case <-m.done:
			return nil // already gone
		default:
		}
	}
	if errors.Is(err, sdk.ErrBusy) {
		if hs := holders(m.point); len(hs) > 0 {
			return fmt.Errorf("%w; in use by %s", err, strings.Join(hs, ", "))
		}
		if n := m.fs.OpenHandles(); n > 0 {
			return fmt.Errorf("%w; %d files or directories are open on it", err, n)
		}
	}
	return err
}
