package core

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/plugfs/plugfs/core/vfs"
)

// MountOptions are the options a driver applies to one mount.
type MountOptions struct {
	// ReadOnly mounts read-only (the kernel refuses writes with EROFS).
	ReadOnly bool
	// AllowOther lets users other than the mounter in; it always implies
	// DefaultPermissions.
	AllowOther bool
	// DefaultPermissions makes the kernel enforce mode bits and ownership.
	DefaultPermissions bool
	// FSName is the source shown in /proc/mounts ("memfs").
	FSName string
	// Subtype is shown as fuse.SUBTYPE in /proc/mounts ("plugfs").
	Subtype string
	// MaxIO is the largest read or write the driver asks the kernel for.
	MaxIO uint32
	// DataPlane says how file bytes move between host and plugin; the
	// volume's host uses it.
	DataPlane DataPlane
	// NoPassthrough keeps the kernel from reading and writing the files a
	// plugin donates (FUSE passthrough); the host then moves their bytes.
	NoPassthrough bool
	// NoReadDirPlus makes the kernel list directories by name alone
	// (READDIR) and look each name up on its own, instead of taking
	// names with their attributes (READDIRPLUS) from drivers that can.
	NoReadDirPlus bool
	// Writeback says whether the kernel may cache writes and send them
	// later; the zero value is WritebackAuto. Drivers without such a
	// cache (bazil, cgofuse) ignore it.
	Writeback Writeback
	// ReadAhead turns on the VFS's own read-ahead of sequential reads
	// (vfs.Options.ReadAhead), NoReadAhead keeps it off; with neither it
	// is on when the plugin declares slow reads (sdk.Declared.ReadAhead).
	// The volume's VFS uses them, drivers ignore them.
	ReadAhead, NoReadAhead bool
	// Debug, when set, receives one line per kernel request.
	Debug func(msg string)
}

// Mounted is a live mount made by a driver.
type Mounted interface {
	// Point is where the volume is mounted.
	Point() string
	// Done is closed once the mount is gone, whoever unmounted it.
	Done() <-chan struct{}
	// Err tells why the mount ended (nil for a clean unmount); valid after Done.
	Err() error
	// Unmount detaches the mount. With lazy, a busy mount is detached now
	// and freed when its last user leaves; without, a busy mount fails with
	// ErrBusy-wrapped error and stays.
	Unmount(ctx context.Context, lazy bool) error
}

// Driver serves a VFS to the OS through one mechanism (bazil.org/fuse,
// go-fuse, cgofuse/WinFsp).
type Driver interface {
	// Name is the driver's name, as given to --driver.
	Name() string
	// Available reports whether this machine can use the driver, and if not,
	// an error wrapping ErrDriverUnavailable that says how to fix it.
	Available() error
	// Mount makes fsys visible at point and returns once the kernel has
	// accepted the mount (the first request can be served). On error,
	// nothing is left mounted.
	Mount(ctx context.Context, fsys *vfs.VFS, point string, opts MountOptions) (Mounted, error)
}

// DriverRegistry holds the drivers built into this binary, in preference
// order. Platform packages register into it from init via RegisterDriver.
type DriverRegistry struct {
	mu      sync.Mutex
	drivers map[string]driverEntry
}

type driverEntry struct {
	d    Driver
	rank int
}

var drivers DriverRegistry

// RegisterDriver adds d to the registry of built-in drivers. rank orders
// the default choice: the lowest-ranked available driver is the default.
func RegisterDriver(d Driver, rank int) {
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	if drivers.drivers == nil {
		drivers.drivers = make(map[string]driverEntry)
	}
	drivers.drivers[d.Name()] = driverEntry{d, rank}
}

// Drivers returns the registered drivers, preferred first.
func Drivers() []Driver {
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	es := make([]driverEntry, 0, len(drivers.drivers))
	for _, e := range drivers.drivers {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].rank != es[j].rank {
			return es[i].rank < es[j].rank
		}
		return es[i].d.Name() < es[j].d.Name()
	})
	out := make([]Driver, len(es))
	for i, e := range es {
		out[i] = e.d
	}
	return out
}

// LookupDriver returns the driver called name, or with name "" the
// preferred available one.
func LookupDriver(name string) (Driver, error) {
	all := Drivers()
	if name == "" {
		var firstErr error
		for _, d := range all {
			err := d.Available()
			if err == nil {
				return d, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("%w: no mount driver is built into this binary for this OS", ErrDriverUnavailable)
	}
	for _, d := range all {
		if d.Name() == name {
			return d, nil
		}
	}
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = d.Name()
	}
	return nil, fmt.Errorf("%w %q: built-in drivers are %v", ErrDriverUnknown, name, names)
}
