// Package vfs turns a path-based plugin (an sdk.FileSystem) into the
// inode-based file system the kernel speaks to. Drivers (platform/...) call
// its inode-level methods; it calls the plugin with paths and handles.
//
// # Inodes
//
// The VFS assigns node ids itself and never reuses one, so a stale id from
// the kernel can never reach another file. A node knows the names it is
// linked under (parent node + name); its path is computed by walking up, so
// renaming a directory renames everything beneath it at once. Lookup
// increments a node's kernel reference count and Forget decrements it; a
// node with no references and no open handles is dropped. When the plugin
// declares StableIno, a name whose object is already known under another
// name (a hard link) joins that node, so both names share one kernel inode
// and its page cache. st_ino is the plugin's inode number when it declares
// StableIno, else the node id.
//
// # Handles
//
// Open, Create and OpenDir return host handle numbers mapped to the
// plugin's handles. A file unlinked or renamed while open keeps working:
// the plugin's handle does not depend on the name.
//
// # Plugin restarts
//
// When the plugin process restarts, its handles are gone and the host's
// supervisor answers sdk.ErrStale for them. The VFS then reopens the node
// by its current path (original flags minus Create, Exclusive and
// Truncate) and retries the operation once. An unlinked file has no path
// left to reopen and fails with EIO. Directory listings restart.
//
// # Caching
//
// Entry and attribute timeouts are handed to the kernel with every reply;
// the kernel is the cache. Getattr always asks the plugin: a host-side
// cache filled by a Getattr racing a write would give the kernel a size
// older than the write it has just seen complete. The VFS keeps each node's
// last attributes only to answer for an unlinked file no plugin call can
// reach.
//
// # Locking
//
// One mutex guards the node and handle tables; it is never held across a
// plugin call. Operations on the same node may run concurrently: the plugin
// sees them as the kernel sent them.
package vfs
