package vfs

import "github.com/plugfs/plugfs/sdk"

// ContentVersion identifies a regular file's contents as of an open: its
// size, modification time and change time as the plugin reported them.
// The change time moves on every write and attribute change and cannot
// be set by users, so contents rewritten with the old size and mtime put
// back still get a new version.
type ContentVersion struct {
	Size      uint64
	MtimeNano int64
	CtimeNano int64
}

func contentVersion(a sdk.Attr) ContentVersion {
	return ContentVersion{Size: a.Size, MtimeNano: a.Mtime.UnixNano(), CtimeNano: a.Ctime.UnixNano()}
}

// OpenVersion returns the content version of the file as the open that
// made fh found it, and ok when the kernel may keep the file's cached
// pages across opens while that version stays the same: the plugin
// declares sdk.Declared.ExclusiveData and fh is a regular file's. A
// driver compares it with the version it last opened the node at, per
// kernel mount (each mount has its own page cache): equal means the pages
// the kernel holds are current (FOPEN_KEEP_CACHE).
func (v *VFS) OpenVersion(fh uint64) (ContentVersion, bool) {
	if !v.feat.ExclusiveData || v.opts.NoKeepCache {
		return ContentVersion{}, false
	}
	h, err := v.handle(fh)
	if err != nil || h.dir || !h.verOK {
		return ContentVersion{}, false
	}
	return h.ver, true
}

// Caches NoteCache reports on.
const (
	// CachePage: at an open of a file whose contents the plugin owns
	// (ExclusiveData), whether the kernel's cached pages were kept (a hit:
	// the reads they hold cost no plugin call).
	CachePage = "page"
	// CachePath: a path-based driver's lookup of a path, answered from its
	// path cache (a hit) or by walking the VFS.
	CachePath = "path"
)

// NoteCache tells Options.OnCache of one hit or miss of cache; drivers
// call it.
func (v *VFS) NoteCache(cache string, hit bool) {
	if f := v.opts.OnCache; f != nil {
		f(cache, hit)
	}
}
