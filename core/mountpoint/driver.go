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
