package vfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Lookup finds name in directory parent and returns its entry, adding
// one kernel reference to the node (released by Forget). A name that is
// gone fails with ErrNotExist, and the VFS forgets it.
func (v *VFS) Lookup(ctx context.Context, parent uint64, name string) (Entry, error) {
	p, path, err := v.childPath(parent, name)
	if err != nil {
		return Entry{}, err
	}
	v.flushChild(ctx, p, name) // its size may be in a write buffer
	if e, notExist, ok := v.lookupCached(parent, name); ok {
		if notExist {
			return Entry{}, fmt.Errorf("lookup %s: %w", path, sdk.ErrNotExist)
		}
		return e, nil
	}
	st := v.stamp()
	a, err := v.be.Stat(ctx, path)
	if err != nil {
		// Gone behind our back, unless a change raced the call: a
		// rename may have moved the name after its path was computed.
		if errors.Is(err, sdk.ErrNotExist) {
			v.mu.Lock()
			if v.changes.Load() == st.changes {
				v.noteChange()
				v.unlinkLocked(p, name)
			}
			v.mu.Unlock()
		}
		return Entry{}, err
	}
	return v.bind(p, name, a, st), nil
}

// NegativeTimeout is how long the kernel may cache a failed lookup.
func (v *VFS) NegativeTimeout() time.Duration { return v.opts.NegativeTimeout }

// Getattr returns node id's attributes; fh, if not 0, is a file handle the
// caller holds on it (fstat): with StatHandle the plugin is asked through
// it, else by path. A node with no name left is asked through any of its
// handles (StatHandle), or answers with the attributes last seen and a
// link count of 0.
func (v *VFS) Getattr(ctx context.Context, id uint64, fh uint64) (Attr, error) {
	v.flushNodeID(ctx, id) // its size may be in a write buffer
	v.mu.Lock()
	n, ok := v.nodes[id]
	if !ok {
		v.mu.Unlock()
		return Attr{}, sdk.ErrStale
	}
	// The metadata cache answers while the attributes are fresh (see
	// metacache.go: never filled by a call that raced a change).
	if a, ok := v.getattrCachedLocked(n); ok {
		v.mu.Unlock()
		return a, nil
	}
	path, perr := v.pathLocked(n)
	h := v.handles[fh]
	if h != nil && (h.node != n || h.dir) {
		h = nil // not a file handle of this node: ignore it
	}
	if h == nil && perr != nil && v.feat.StatHandle {
		h = v.anyHandleLocked(n) // an unlinked node: any of its handles
	}
	mods := n.mods
	v.mu.Unlock()

	st := v.stamp()
	var a sdk.Attr
	var err error
	switch {
	case h != nil && v.feat.StatHandle: // fstat, or a node with no name left
		err = v.withHandle(ctx, h, func(bh sdk.Handle) error {
			var e error
			a, e = v.be.(sdk.HandleStater).StatHandle(ctx, bh)
			return e
		})
	case perr == nil:
		a, err = v.be.Stat(ctx, path)
	default: // unlinked, no way to ask: what we saw last
		v.mu.Lock()
		defer v.mu.Unlock()
		at := v.attrOfLocked(n)
		at.Nlink = 0
		return at, nil
	}
	if err != nil {
		return Attr{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fillNodeLocked(n, a, st, mods)
	return v.attrOfLocked(n), nil
}

// Setattr changes node id's attributes through fh (0 for none: by path;
// an unlinked node goes through any of its handles) and returns them
// after the change. Without the Setattr feature it fails with
// ErrNotSupported.
func (v *VFS) Setattr(ctx context.Context, id uint64, fh uint64, sa sdk.SetAttr) (Attr, error) {
	if err := v.mutable(v.feat.Setattr, sdk.ErrNotSupported); err != nil {
		return Attr{}, err
	}
	v.flushNodeID(ctx, id) // a truncate comes after the writes before it
	v.mu.Lock()
	n, ok := v.nodes[id]
	if !ok {
		v.mu.Unlock()
		return Attr{}, sdk.ErrStale
	}
	path, perr := v.pathLocked(n)
	h := v.handles[fh]
	if h == nil && perr != nil {
		h = v.anyHandleLocked(n) // fchmod of an unlinked file: no path left
	}
	v.mu.Unlock()
	if perr != nil && h == nil {
		return Attr{}, perr
	}
	setter := v.be.(sdk.Setattrer)
	st := v.stamp()
	var a sdk.Attr
	var err error
	if h != nil {
		err = v.withHandle(ctx, h, func(bh sdk.Handle) error {
			var e error
			a, e = setter.Setattr(ctx, path, bh, sa)
			return e
		})
	} else {
		a, err = setter.Setattr(ctx, path, 0, sa)
	}
	if err != nil {
		v.invalidate(n)
		return Attr{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	// A change to n: attributes read before it (a getattr, or a release's
	// post-operation ones, still in flight) must not be cached after it.
	v.staleLocked(n)
	v.fillLocked(n, a, st) // the change's own result, unless another raced it
	v.noteChange()
	return v.attrOfLocked(n), nil
}

// Readlink returns the target of symbolic link id (ErrInvalid without the
// Readlink feature, as for a non-link).
func (v *VFS) Readlink(ctx context.Context, id uint64) (string, error) {
	if !v.feat.Readlink {
		return "", sdk.ErrInvalid
	}
	_, path, err := v.nodePath(id)
	if err != nil {
		return "", err
	}
	return v.be.(sdk.Readlinker).Readlink(ctx, path)
}

// create runs a creating call for name in parent and binds the result.
// isNew says the call makes a new object (not Link, not an open of an
// existing file by a Create without Exclusive).
func (v *VFS) create(ctx context.Context, parent uint64, name string, has, isNew bool, do func(ctx context.Context, path string) (sdk.Attr, error)) (Entry, error) {
	if err := v.mutable(has, sdk.ErrNotSupported); err != nil {
		return Entry{}, err
	}
	if p := v.nodeOf(parent); p != nil {
		// An existing file Create opens answers its size: send what is
		// gathered first.
		v.flushChild(ctx, p, name)
	}
	p, path, err := v.childPath(parent, name)
	if err != nil {
		return Entry{}, err
	}
	pmods := v.modsOf(p)
	st := v.stamp()
	po := v.postOp()
	a, err := do(sdk.WithPostOp(ctx, po), path)
	if err != nil {
		v.mu.Lock()
		if errors.Is(err, sdk.ErrExist) {
			p.complete = false // the name exists after all
		}
		v.mu.Unlock()
		v.invalidate(p)
		return Entry{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	// A new object's attributes are fresh whatever else changed
	// meanwhile: nothing else can have reached an object just made.
	bst := st
	if isNew {
		bst.changes = v.changes.Load()
	}
	// The name is bound to what the call made or opened unless another
	// change in p raced it (the kernel serializes them per directory; a
	// second mounting point does not).
	e := v.bindLocked(p, name, a, bst, p.mods == pmods)
	if a.Mode.IsDir() && isNew {
		n := v.nodes[e.ID]
		n.complete, n.completeGen = true, v.generation() // a new directory is empty
	}
	v.parentChangedLocked(p, po, st, pmods) // mtime, nlink of the directory
	if isNew {
		// The kernel asks for security.capability before the first write
		// of every open; a file just made has none.
		v.nodes[e.ID].noCapExp = v.freshUntil(st.at, v.opts.AttrTimeout)
	}
	v.noteChange()
	return e, nil
}

// Mkdir creates directory name in parent with permission bits mode (the
// driver has applied the umask) and returns its entry with one kernel
// reference. Create, Mknod, Symlink and Link do the same for their kinds.
func (v *VFS) Mkdir(ctx context.Context, parent uint64, name string, mode fs.FileMode) (Entry, error) {
	return v.create(ctx, parent, name, v.feat.Mkdir, true, func(ctx context.Context, path string) (sdk.Attr, error) {
		return v.be.(sdk.Mkdirer).Mkdir(ctx, path, sdk.PermMode(mode))
	})
}

// Mknod creates special file name in parent.
func (v *VFS) Mknod(ctx context.Context, parent uint64, name string, mode fs.FileMode, rdev uint32) (Entry, error) {
	return v.create(ctx, parent, name, v.feat.Mknod, true, func(ctx context.Context, path string) (sdk.Attr, error) {
		return v.be.(sdk.Mknoder).Mknod(ctx, path, mode, rdev)
	})
}

// Symlink creates symbolic link name in parent pointing to target.
func (v *VFS) Symlink(ctx context.Context, parent uint64, name, target string) (Entry, error) {
	return v.create(ctx, parent, name, v.feat.Symlink, true, func(ctx context.Context, path string) (sdk.Attr, error) {
		return v.be.(sdk.Symlinker).Symlink(ctx, target, path)
	})
}

// Link makes name in parent another name of node id. With StableIno the
// entry is node id itself (one kernel inode for both names); without it,
// a new node. Without the Link feature it fails with ErrNotPermitted.
func (v *VFS) Link(ctx context.Context, id uint64, parent uint64, name string) (Entry, error) {
	if err := v.mutable(v.feat.Link, sdk.ErrNotPermitted); err != nil {
		return Entry{}, err
	}
	n, oldPath, err := v.nodePath(id)
	if err != nil {
		return Entry{}, err
	}
	v.flushNode(ctx, n) // the link's answer carries its size
	e, err := v.create(ctx, parent, name, true, false, func(ctx context.Context, path string) (sdk.Attr, error) {
		return v.be.(sdk.Linker).Link(ctx, oldPath, path)
	})
	if err == nil && e.ID != n.id {
		// Without stable inode numbers the new name is its own node; the
		// old one's link count changed all the same.
		v.invalidate(n)
	}
	return e, err
}

// Unlink removes the non-directory name from parent. A node left with no
// name lives on while the kernel or a handle refers to it (an orphan).
func (v *VFS) Unlink(ctx context.Context, parent uint64, name string) error {
	return v.remove(ctx, parent, name, func(ctx context.Context, path string) error { return v.be.(sdk.Remover).Unlink(ctx, path) })
}

// Rmdir removes the empty directory name from parent.
func (v *VFS) Rmdir(ctx context.Context, parent uint64, name string) error {
	return v.remove(ctx, parent, name, func(ctx context.Context, path string) error { return v.be.(sdk.Remover).Rmdir(ctx, path) })
}

func (v *VFS) remove(ctx context.Context, parent uint64, name string, do func(context.Context, string) error) error {
	if err := v.mutable(v.feat.Remove, sdk.ErrNotSupported); err != nil {
		return err
	}
	p, path, err := v.childPath(parent, name)
	if err != nil {
		return err
	}
	pmods := v.modsOf(p)
	st := v.stamp()
	po := v.postOp()
	err = do(sdk.WithPostOp(ctx, po), path)
	v.mu.Lock()
	defer v.mu.Unlock()
	if err == nil {
		v.parentChangedLocked(p, po, st, pmods)
	} else {
		v.staleLocked(p)
	}
	v.noteChange()
	if err == nil || errors.Is(err, sdk.ErrNotExist) {
		v.unlinkLocked(p, name)
	}
	return err
}

// Rename moves oldName in oldParent to newName in newParent, replacing a
// compatible target (which becomes an orphan if still referenced); nodes
// beneath a renamed directory follow it. flags are renameat2's: a flag
// the plugin does not declare fails with ErrInvalid, as the kernel
// reports it. Without the Rename feature it fails with ErrCrossDevice,
// so mv copies instead.
func (v *VFS) Rename(ctx context.Context, oldParent uint64, oldName string, newParent uint64, newName string, flags sdk.RenameFlags) error {
	if err := v.mutable(v.feat.Rename, sdk.ErrCrossDevice); err != nil {
		return err
	}
	if flags&sdk.RenameNoReplace != 0 && !v.feat.RenameNoReplace || flags&sdk.RenameExchange != 0 && !v.feat.RenameExchange {
		return sdk.ErrInvalid // as the kernel reports unsupported renameat2 flags
	}
	op, from, err := v.childPath(oldParent, oldName)
	if err != nil {
		return err
	}
	np, to, err := v.childPath(newParent, newName)
	if err != nil {
		return err
	}
	err = v.be.(sdk.Renamer).Rename(ctx, from, to, flags)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.noteChange()
	v.staleLocked(op)
	v.staleLocked(np)
	if err != nil {
		return err
	}
	if flags&sdk.RenameExchange != 0 {
		v.exchangeLocked(op, oldName, np, newName)
	} else {
		v.moveLocked(op, oldName, np, newName)
	}
	return nil
}

// Statfs reports the volume's capacity (sdk.DefaultStatfs without the
// Statfs feature).
func (v *VFS) Statfs(ctx context.Context) (sdk.Statfs, error) {
	if !v.feat.Statfs {
		return sdk.DefaultStatfs, nil
	}
	return v.be.(sdk.Statfser).Statfs(ctx)
}

// Getxattr returns attribute name of node id.
func (v *VFS) Getxattr(ctx context.Context, id uint64, name string) ([]byte, error) {
	if !v.feat.Xattr {
		return nil, sdk.ErrNotSupported
	}
	n, path, err := v.nodePath(id)
	if err != nil {
		return nil, err
	}
	if name != capabilityXattr {
		return v.be.(sdk.Xattrer).GetXattr(ctx, path, name)
	}
	// The kernel asks for security.capability before the first write
	// after every open (to drop capabilities of a modified file): one
	// plugin call per written file. Its absence is cached like the
	// node's attributes, for the attribute timeout, and forgotten on any
	// change to the node through the VFS or reported by the plugin.
	now := time.Now()
	v.mu.Lock()
	known := now.Before(n.noCapExp)
	epoch := v.changes.Load()
	v.mu.Unlock()
	if known {
		return nil, fmt.Errorf("getxattr %s %s: %w", path, name, sdk.ErrNoAttr)
	}
	val, err := v.be.(sdk.Xattrer).GetXattr(ctx, path, name)
	if errors.Is(err, sdk.ErrNoAttr) && v.opts.AttrTimeout > 0 {
		v.mu.Lock()
		if v.changes.Load() == epoch { // no change raced the call
			n.noCapExp = now.Add(v.opts.AttrTimeout)
		}
		v.mu.Unlock()
	}
	return val, err
}

// capabilityXattr is the attribute the kernel checks before writes.
const capabilityXattr = "security.capability"

// Listxattr returns the attribute names of node id. Like every xattr
// method it fails with ErrNotSupported without the Xattr feature; sizing
// the answer for the kernel (size probes, ERANGE) is the driver's job.
func (v *VFS) Listxattr(ctx context.Context, id uint64) ([]string, error) {
	if !v.feat.Xattr {
		return nil, sdk.ErrNotSupported // as sdk.Xattrer says; ls and cp take ENOTSUP as "none"
	}
	_, path, err := v.nodePath(id)
	if err != nil {
		return nil, err
	}
	return v.be.(sdk.Xattrer).ListXattr(ctx, path)
}

// Setxattr sets attribute name of node id.
func (v *VFS) Setxattr(ctx context.Context, id uint64, name string, value []byte, flags sdk.XattrFlags) error {
	if err := v.mutable(v.feat.Xattr, sdk.ErrNotSupported); err != nil {
		return err
	}
	n, path, err := v.nodePath(id)
	if err != nil {
		return err
	}
	defer v.invalidate(n) // ctime
	return v.be.(sdk.Xattrer).SetXattr(ctx, path, name, value, flags)
}

// Removexattr removes attribute name of node id.
func (v *VFS) Removexattr(ctx context.Context, id uint64, name string) error {
	if err := v.mutable(v.feat.Xattr, sdk.ErrNotSupported); err != nil {
		return err
	}
	n, path, err := v.nodePath(id)
	if err != nil {
		return err
	}
	defer v.invalidate(n)
	return v.be.(sdk.Xattrer).RemoveXattr(ctx, path, name)
}

// anyHandleLocked returns an open handle of n, or nil. v.mu must be held.
func (v *VFS) anyHandleLocked(n *node) *handle {
	if n.open == 0 {
		return nil
	}
	for _, h := range v.handles {
		if h.node == n && !h.dir {
			return h
		}
	}
	return nil
}
