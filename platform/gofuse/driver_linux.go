//go:build linux

package gofuse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/fusedev"
	"github.com/plugfs/plugfs/platform/mountdir"
	"github.com/plugfs/plugfs/platform/unmount"
)

// Name is the driver's name for --driver.
const Name = "gofuse"

// Driver mounts volumes through go-fuse.
type Driver struct{}

func init() { core.RegisterDriver(Driver{}, 10) }

// Name implements core.Driver.
func (Driver) Name() string { return Name }

// Available implements core.Driver: /dev/fuse, and fusermount3 unless root.
func (Driver) Available() error {
	return fusedev.Check(os.Geteuid() != 0)
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
	var mopts []string
	if opts.DefaultPermissions || opts.AllowOther {
		mopts = append(mopts, "default_permissions")
	}
	if opts.ReadOnly || fsys.ReadOnly() {
		mopts = append(mopts, "ro")
	}
	maxIO := int(opts.MaxIO)
	if maxIO <= 0 || maxIO > 1<<20 {
		maxIO = 1 << 20
	}
	// Passthrough needs CAP_SYS_ADMIN for the backing-file ioctl; the
	// kernel says whether it has it (FUSE_PASSTHROUGH at INIT).
	ptOff := opts.NoPassthrough || os.Geteuid() != 0
	wb, err := useWriteback(opts, fsys, ptOff)
	if err != nil {
		return nil, err
	}
	// A writeback connection has no passthrough (see useWriteback).
	pt := newPassthrough(ptOff || wb, opts.Debug)
	m := &mount{point: clean, fs: fsys, debug: opts.Debug, done: make(chan struct{}), pt: pt, writeback: wb}
	stack := 0
	if !pt.disabled {
		stack = 1 // backing files may live on any ordinary file system
	}
	var caps uint64
	if wb {
		caps |= fuse.CAP_WRITEBACK_CACHE
	}
	if m.killpriv = useKillPriv(fsys, opts, pt); m.killpriv {
		caps |= fuse.CAP_HANDLE_KILLPRIV_V2
	}
	srv, err := fuse.NewServer(&rawFS{RawFileSystem: fuse.NewDefaultRawFileSystem(), m: m}, clean, &fuse.MountOptions{
		AllowOther:         opts.AllowOther,
		FsName:             opts.FSName,
		Name:               opts.Subtype,
		Options:            mopts,
		MaxWrite:           maxIO,
		MaxReadAhead:       maxIO,
		MaxBackground:      64,
		DisableReadDirPlus: opts.NoReadDirPlus, // see rawFS.ReadDirPlus
		DirectMount:        os.Geteuid() == 0,
		MaxStackDepth:      stack,
		ExtraCapabilities:  caps,
	})
	if err != nil {
		return nil, fmt.Errorf("mount %s: %w", clean, err)
	}
	m.srv = srv
	m.inv = invalidator{srv}
	pt.srv = srv
	mounted := make(chan func(), 1)
	go func() {
		srv.Serve()
		if remove, ok := <-mounted; ok {
			remove()
		}
		close(m.done)
	}()
	if err := waitMounted(srv.WaitMount); err != nil {
		close(mounted)
		_ = unmount.Unmount(clean, true)
		return nil, fmt.Errorf("mount %s: %w", clean, err)
	}
	// Changes the plugin reports reach the kernel from now until the
	// mount is gone.
	mounted <- fsys.SetInvalidator(m.inv)
	// Sequential reads as MaxIO requests, not the kernel's 128 KiB.
	if err := fusedev.SetReadAhead(clean, maxIO); err != nil && opts.Debug != nil {
		opts.Debug(fmt.Sprintf("%v; sequential reads stay at 128 KiB requests", err))
	}
	if wb && opts.Debug != nil && srv.KernelSettings().Flags64()&fuse.CAP_WRITEBACK_CACHE == 0 {
		opts.Debug("writeback: the kernel offers no writeback cache; writes go through")
	}
	return m, nil
}

// mount is one live go-fuse mount.
type mount struct {
	point string
	fs    *vfs.VFS
	srv   *fuse.Server
	debug func(string)
	done  chan struct{}
	pt    *passthrough
	keep  keepCache
	// writeback: the kernel caches writes (see useWriteback).
	writeback bool
	// killpriv: the driver clears set-user-ID and set-group-ID bits
	// (FUSE_HANDLE_KILLPRIV_V2, killpriv_linux.go).
	killpriv bool
	inv      invalidator // this mount's, as registered with fs
	fills    fillHandles // see mount.fill
}

// Point implements core.Mounted.
func (m *mount) Point() string { return m.point }

// Done implements core.Mounted.
func (m *mount) Done() <-chan struct{} { return m.done }

// Err implements core.Mounted.
func (m *mount) Err() error { <-m.done; return nil }

// Unmount implements core.Mounted.
func (m *mount) Unmount(ctx context.Context, lazy bool) error {
	err := unmount.Unmount(m.point, lazy)
	if errors.Is(err, core.ErrNotMounted) {
		select {
		case <-m.done:
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// pollHackTries bounds how often waitMounted retries an interrupted poll
// hack.
const pollHackTries = 5

// waitMounted runs go-fuse's WaitMount, retrying it when it fails with
// EINTR. Once the mount is up, WaitMount opens a magic name on it (the
// poll hack, which teaches the kernel that POLL is not served); the
// kernel first asks for the root's attributes, which on a lazy volume
// starts the plugin, and a signal reaching the opening thread meanwhile
// (the exit of the plugin's announce run, SIGCHLD) makes the kernel
// interrupt the request: the open fails with EINTR though the mount is
// fine. Seen once in CI (TestLazyVolume). WaitMount may be called again:
// it waits on a channel closed at mount.
func waitMounted(wait func() error) error {
	err := wait()
	for i := 1; i < pollHackTries && errors.Is(err, syscall.EINTR); i++ {
		err = wait()
	}
	return err
}
