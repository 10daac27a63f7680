//go:build linux

package main

import (
	"errors"
	"log/slog"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/platform/unmount"
)

// clearStaleMount detaches, lazily, a dead plugfs mount at p: a FUSE
// mount of type fuse.plugfs whose server is gone (a daemon killed with
// SIGKILL, a crash), which stat reports as ENOTCONN. The daemon can then
// mount there again instead of failing at start. Live mounts and other
// file systems are left alone (mountdir.Check then reports them busy).
func clearStaleMount(p string, log *slog.Logger) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); !errors.Is(err, unix.ENOTCONN) {
		return
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return
	}
	typ, ok := unmount.FSType(abs)
	if !ok || typ != "fuse.plugfs" {
		log.Warn("a dead FUSE mount that plugfs did not make is in the way", "point", abs, "type", typ)
		return
	}
	if err := unmount.Unmount(abs, true); err != nil {
		log.Error("cannot detach a stale plugfs mount", "point", abs, "error", err)
		return
	}
	log.Warn("detached a stale plugfs mount whose server is gone; mounting again", "point", abs)
}

// clearStaleMounts clears the stale plugfs mounts at every mounting point
// lc declares, before the points are checked.
func clearStaleMounts(lc *loadedConfig, log *slog.Logger) {
	for _, v := range lc.Volumes.Volumes {
		for _, p := range v.MountPoints {
			clearStaleMount(p, log)
		}
	}
}
