package daemon

import (
	"maps"
	"slices"
	"time"

	"github.com/plugfs/plugfs/core/mountpoint"
)

// Config is the daemon's declared state.
type Config struct {
	// Volumes are the volumes to keep mounted, in file order.
	Volumes []VolumeSpec
}

// VolumeSpec declares one volume.
type VolumeSpec struct {
	// Name identifies the volume; unique within a Config.
	Name string
	// Plugin is a built-in plugin name or the path of a plugin executable.
	Plugin string
	// Options are handed to the plugin at start.
	Options map[string]string
	// MountPoints are where the volume is visible: absolute paths of
	// existing empty directories on Linux. At least one.
	MountPoints []string
	// Mount says how the volume is mounted.
	Mount MountSpec
	// Restart says how a crashed plugin is restarted.
	Restart RestartSpec
}

// MountSpec are the mount options of a volume. Zero durations take the
// plugfs defaults (the ones `plugfs mount` uses); a negative cache
// timeout (attribute, entry, negative entry) turns that cache off.
type MountSpec struct {
	// ReadOnly mounts read-only.
	ReadOnly bool
	// AllowOther lets every user in (kernel permission checks stay on).
	// Nil means the default: on when the daemon runs as root.
	AllowOther *bool
	// Driver names the mount driver; "" picks the preferred one.
	Driver string
	// AttrTimeout and EntryTimeout bound kernel caching of attributes
	// and names; NegativeTimeout that of missing names.
	AttrTimeout, EntryTimeout, NegativeTimeout time.Duration
	// StartTimeout bounds plugin start; OpTimeout one plugin operation.
	StartTimeout, OpTimeout time.Duration
	// DataPlane names how bytes move between plugin and host: "" or
	// auto, shm, messages, grpc (core.ParseDataPlane).
	DataPlane string
	// NoPassthrough keeps the kernel from serving donated files itself.
	NoPassthrough bool
	// NoReadDirPlus lists directories without attributes (READDIRPLUS
	// off).
	NoReadDirPlus bool
	// Writeback is "" or auto, on, off (core.ParseWriteback): whether the
	// kernel may cache writes.
	Writeback string
	// ReadAhead turns the host's own read-ahead on (vfs.Options.ReadAhead),
	// NoReadAhead off; with neither the plugin's declaration decides.
	ReadAhead, NoReadAhead bool
	// Lazy starts the plugin at the first access instead of at mount (it
	// runs once at mount to announce its features).
	Lazy bool
	// IdleTimeout, when positive, stops the plugin after that long unused
	// (no operation, no open file); the next access starts it again.
	IdleTimeout time.Duration
	// Debug logs every operation of the volume (its name, result and
	// duration) at debug level in the daemon's log.
	Debug bool
	// PointFlags and AuthID apply to every mounting point of the volume
	// (mountpoint.Parse): local or global, mount manager, network share
	// flags, and the logon session of local points. Windows only.
	PointFlags mountpoint.Flags
	AuthID     uint64
}

// RestartSpec is the restart policy of a volume's plugin: a crashed plugin
// is restarted with a delay growing from BackoffMin to BackoffMax, and
// calls wait up to Wait for it. Zero values take the host's defaults.
type RestartSpec struct {
	BackoffMin, BackoffMax, Wait time.Duration
}

// Equal reports whether two specs are identical.
func (s VolumeSpec) Equal(o VolumeSpec) bool {
	return s.sameMedia(o) && slices.Equal(s.MountPoints, o.MountPoints)
}

// sameMedia reports whether s and o run the same plugin the same way, so
// that only their mounting points may differ.
func (s VolumeSpec) sameMedia(o VolumeSpec) bool {
	if s.Name != o.Name || s.Plugin != o.Plugin || s.Restart != o.Restart {
		return false
	}
	if !maps.Equal(s.Options, o.Options) {
		return false
	}
	a, b := s.Mount, o.Mount
	if (a.AllowOther == nil) != (b.AllowOther == nil) || (a.AllowOther != nil && *a.AllowOther != *b.AllowOther) {
		return false
	}
	a.AllowOther, b.AllowOther = nil, nil
	return a == b
}

// Volume returns the spec of the volume called name.
func (c Config) Volume(name string) (VolumeSpec, bool) {
	for _, v := range c.Volumes {
		if v.Name == name {
			return v, true
		}
	}
	return VolumeSpec{}, false
}
