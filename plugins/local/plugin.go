// Package local is the plugin that mirrors a host directory, confined to
// it: no path the host sends can reach outside the root, whether through
// "..", an absolute symlink, a relative symlink climbing out, or a symlink
// swapped in while an operation runs. On Linux every access resolves with
// openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS) from a descriptor of the
// root and never follows a final symlink; a path that would leave the root
// fails with EXDEV (openat2's answer), one through a symlink at its end
// with ELOOP.
//
// The kernel resolves symlinks itself before calling a FUSE file system,
// so a well-behaved caller never sends a path that ends in one: the
// refusals above only ever meet races and attacks.
package local

import (
	"context"

	"github.com/plugfs/plugfs/sdk"
)

// Plugin describes the local plugin for sdk.Serve.
func Plugin() *sdk.Plugin {
	return &sdk.Plugin{
		Name:        "local",
		Version:     "1",
		Description: "mirrors a host directory (confined beneath it)",
		Options: []sdk.Option{
			{Name: "root", Help: "the directory to mirror", Required: true},
		},
		New: func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) {
			return New(o.String("root"))
		},
	}
}
