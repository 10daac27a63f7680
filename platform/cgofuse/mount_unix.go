//go:build (linux && cgo && cgofuse) || (darwin && cgo)

package cgofuse

import (
	"context"
	"fmt"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/mountdir"
)

// target is where a mount goes: the argument the FUSE library takes,
// extra options, the point and spec reported, and what to undo after the
// mount ends. setup and ready (run before the mount and once it serves)
// are Windows's; here they stay nil.
type target struct {
	arg, point string
	spec       mountpoint.Spec
	opts       []string
	setup      func() error
	ready      func(ctx context.Context, done <-chan struct{}) error
	cleanup    func() error
}

// prepare checks a directory mounting point (mountdir.Check).
func prepare(point string) (target, error) {
	clean, err := mountdir.Check(point)
	if err != nil {
		return target{}, err
	}
	return target{arg: clean, point: clean, spec: mountpoint.Spec{Kind: mountpoint.KindDirectory, Path: clean},
		cleanup: func() error { return nil }}, nil
}

// prepareSpec accepts directories only: other kinds are Windows's.
func prepareSpec(s mountpoint.Spec) (target, error) {
	if s.Kind != mountpoint.KindDirectory {
		return target{}, fmt.Errorf("%w: %s is a %s mounting point, which only Windows has: give an empty directory", core.ErrMountPointInvalid, s, s.Kind)
	}
	t, err := prepare(s.Path)
	if err != nil {
		return target{}, err
	}
	t.spec = s // a directory has nothing to settle
	return t, nil
}

// accessOptions are the FUSE options for who may enter the mount.
func accessOptions(opts core.MountOptions) []string {
	var o []string
	if opts.AllowOther {
		o = append(o, "allow_other")
	}
	if opts.DefaultPermissions || opts.AllowOther {
		o = append(o, "default_permissions")
	}
	return o
}
