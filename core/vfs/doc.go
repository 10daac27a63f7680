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
// plugin's handles; Release closes either kind. A file unlinked or renamed
// while open keeps working: the plugin's handle does not depend on the
// name. Getattr of an unlinked open file asks the plugin through the
// handle (StatHandle) when it can, and otherwise reports the attributes
// last seen, with a link count of 0.
//
// # Missing features
//
// Which plugin calls are made is decided from sdk.Features alone, never
// from the backend's method set (a gRPC client has every method). An
// operation the plugin lacks fails with the error its sdk interface names
// (mkdir: ErrNotSupported, rename: ErrCrossDevice, link: ErrNotPermitted,
// readlink: ErrInvalid) or succeeds as documented (flush, fsync, statfs),
// without a plugin call. On a read-only volume (Options.ReadOnly or
// Features.ReadOnly) every change fails with ErrReadOnly first.
//
// # Plugin restarts
//
// When the plugin process restarts, its handles are gone and the host's
// supervisor answers sdk.ErrStale for them. The VFS then reopens the node
// by its current path (original flags minus Create, Exclusive and
// Truncate) and retries the operation once. An unlinked file has no path
// left to reopen and fails with EIO. A directory listing resumes: the
// entries the kernel has seen keep their offsets, the restarted plugin's
// listing is read again from the start, and names already listed are
// skipped. Plugin inode numbers from before the restart are not compared
// with new ones (a restarted memfs reuses numbers): a name seen again
// keeps its node when its type matches, so open files keep their paths.
// ErrUnavailable and ErrTimeout are returned as they are (EIO).
//
// # Directory listings
//
// ReadDir offsets are indexes into a per-handle snapshot: "." is 0, ".."
// is 1, the plugin's entries follow in its order. The snapshot grows a
// page (512 entries) at a time as the kernel reads further, so a huge
// directory costs only what is read; offset 0 starts a fresh snapshot
// (rewinddir), any other offset names the same entry again (seekdir).
// Entries keep the attributes the plugin listed with them (memfs lists
// them; local does not, they would cost a stat each). A driver answering
// READDIRPLUS hands such an entry to the kernel with BindEntry, which
// binds it as Lookup would, without the plugin call: `ls -l` of a big
// directory then costs a request per page instead of one per name.
//
// # Caching
//
// Entry and attribute timeouts are handed to the kernel with every reply.
// The VFS also keeps a metadata cache (metacache.go): nodes the kernel has
// forgotten stay (up to Options.CacheNodes, least recently used out) and
// lookups and getattrs are answered from them while fresh, for the same
// timeouts the kernel may cache them, or, when the plugin declares
// ExclusiveData, until a change through the VFS, a change the plugin
// reports, or a plugin restart. With ExclusiveData a directory made
// through the VFS is complete, so a missing name fails without a plugin
// call. Attributes are cached only when no change completed while the call
// that read them ran (a counter every change through the VFS, and every
// change the plugin reports, bumps; a getattr of a known node needs only
// that node unchanged and its inode number to match), so the kernel, which
// ignores attributes read before a change it has seen complete, is never
// given older ones; a node with a donated file open for writing is always
// asked. Changes bring back the attributes they change in the same round
// trip (sdk.PostOp: the parent's after a create or removal, the file's
// after a release that wrote), so the kernel's permission check after each
// create and a stat of a file just written cost no plugin call. Listed
// attributes (BindEntry) follow the same rule.
//
// # Write coalescing
//
// Writes through a handle whose file the plugin did not donate are
// gathered (coalesce.go): sequential writes become one plugin Write of up
// to MaxIO, sent when the buffer is full, when a write does not follow
// on, and before anything that must see the data (read, getattr, setattr,
// lookup and open of the node, a listing binding it, the handle's flush,
// fsync and release). A failed delayed write is reported by the handle's
// next write, flush, fsync or release.
//
// # Locking
//
// One mutex guards the node and handle tables; it is never held across a
// plugin call. Operations on the same node may run concurrently: the plugin
// sees them as the kernel sent them.
package vfs
