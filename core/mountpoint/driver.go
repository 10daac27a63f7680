package mountpoint

import (
	"context"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
)

// SpecDriver is implemented by mount drivers that serve kinds of mounting
// points other than directories (drive letters, UNC names, network
// points: cgofuse on Windows). The engine hands them the whole spec; a
// driver without it is given the directory path of KindDirectory specs
// only.
type SpecDriver interface {
	core.Driver
	// MountSpec is core.Driver.Mount for any kind the driver serves; a
	// kind it does not serve fails with an error wrapping
	// core.ErrMountPointInvalid that names the kind and what to use.
	MountSpec(ctx context.Context, fsys *vfs.VFS, s Spec, opts core.MountOptions) (core.Mounted, error)
}

// ResolvedMount is implemented by the mounts of a SpecDriver that settles
// what a spec leaves open: the letter of an automatic point (*), the
// scope of a default-scope point. The engine records and lists Spec in
// place of the spec asked for, once Spec.Settles accepts it.
type ResolvedMount interface {
	core.Mounted
	// Spec is the spec actually mounted.
	Spec() Spec
}
