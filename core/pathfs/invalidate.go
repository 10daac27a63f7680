package pathfs

import (
	"strings"

	"github.com/plugfs/plugfs/core/vfs"
)

const rootID = vfs.RootID

// InvalidateEntry implements vfs.Invalidator: the plugin reported that
// name in directory node parent changed, so every cached path of it, and
// everything beneath, is dropped.
func (f *FS) InvalidateEntry(parent uint64, name string) {
	f.mu.Lock()
	var parents []string
	if parent == rootID {
		parents = append(parents, "/")
	}
	for k, c := range f.paths {
		if c.id == parent {
			parents = append(parents, k)
		}
	}
	f.mu.Unlock()
	for _, pp := range parents {
		f.drop(strings.TrimSuffix(pp, "/") + "/" + name)
	}
}

// InvalidateNode implements vfs.Invalidator. The FS keeps no attributes
// beyond the call that fetched them, so there is nothing to drop.
func (f *FS) InvalidateNode(id uint64) {}
