package memfs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Rename implements sdk.Renamer, with sdk.RenameNoReplace and
// sdk.RenameExchange.
func (f *FS) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	if err := f.rename(from, to, flags); err != nil {
		return fmt.Errorf("memfs: rename %s to %s: %w", from, to, err)
	}
	return nil
}

// within reports whether p is inside directory dir (not dir itself).
func within(p, dir string) bool {
	return dir == "/" || strings.HasPrefix(p, dir+"/")
}

func (f *FS) rename(from, to string, flags sdk.RenameFlags) error {
	const known = sdk.RenameNoReplace | sdk.RenameExchange
	if flags&^known != 0 || flags == known {
		return fmt.Errorf("flags %#x: %w", flags, sdk.ErrInvalid)
	}
	if from == "/" || to == "/" {
		return sdk.ErrBusy
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sd, sname, err := f.parent(from)
	if err != nil {
		return err
	}
	src := sd.dir.lookup(sname)
	if src == nil {
		return sdk.ErrNotExist
	}
	dd, dname, err := f.parent(to)
	if err != nil {
		return err
	}
	dst := dd.dir.lookup(dname)
	if flags&sdk.RenameExchange != 0 {
		return f.exchange(sd, sname, src, dd, dname, dst, within(to, from) || within(from, to))
	}
	if src.dir != nil && within(to, from) {
		return fmt.Errorf("directory into itself: %w", sdk.ErrInvalid)
	}
	if dst == src {
		return nil // the same name, or two links to one object: nothing to do
	}
	if dst != nil {
		switch {
		case flags&sdk.RenameNoReplace != 0:
			return sdk.ErrExist
		case src.dir != nil && dst.dir == nil:
			return sdk.ErrNotDir
		case src.dir != nil && !dst.dir.empty():
			return sdk.ErrNotEmpty
		case src.dir == nil && dst.dir != nil:
			return sdk.ErrIsDir
		}
	}
	now := time.Now()
	sd.dir.remove(sname)
	if dst != nil {
		dd.dir.remove(dname)
		if dst.dir != nil {
			adjust(dd, -1, now)
		}
		f.unlinked(dst, now)
	}
	dd.dir.add(dname, src)
	if src.dir != nil && sd != dd {
		adjust(sd, -1, now)
		adjust(dd, +1, now)
	}
	adjust(sd, 0, now)
	adjust(dd, 0, now)
	src.mu.Lock()
	src.ctime = now
	src.mu.Unlock()
	return nil
}

// exchange swaps the objects named sname in sd and dname in dd.
func (f *FS) exchange(sd *inode, sname string, src *inode, dd *inode, dname string, dst *inode, nested bool) error {
	switch {
	case dst == nil:
		return sdk.ErrNotExist
	case src == dst:
		return nil
	case nested:
		return fmt.Errorf("exchange with an ancestor: %w", sdk.ErrInvalid)
	}
	now := time.Now()
	sd.dir.replace(sname, dst)
	dd.dir.replace(dname, src)
	if sd != dd {
		if src.dir != nil {
			adjust(sd, -1, now)
			adjust(dd, +1, now)
		}
		if dst.dir != nil {
			adjust(dd, -1, now)
			adjust(sd, +1, now)
		}
	}
	adjust(sd, 0, now)
	adjust(dd, 0, now)
	for _, n := range []*inode{src, dst} {
		n.mu.Lock()
		n.ctime = now
		n.mu.Unlock()
	}
	return nil
}

// adjust adds delta to directory d's link count and marks it changed.
func adjust(d *inode, delta int, now time.Time) {
	d.mu.Lock()
	d.nlink = uint32(int(d.nlink) + delta)
	d.touch(now)
	d.mu.Unlock()
}
