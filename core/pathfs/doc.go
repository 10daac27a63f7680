// Package pathfs serves a vfs.VFS to drivers that speak in paths rather
// than node ids: cgofuse, and through it WinFsp on Windows, macFUSE and
// FUSE-T on macOS, and libfuse's high-level API on Linux.
//
// # Resolving paths
//
// Every call names its file by a slash-separated path from the volume's
// root ("/", "/dir/file"). The FS resolves a path to a VFS node by looking
// up each component (vfs.Lookup), and keeps what it resolved in a path
// cache for the VFS's entry timeout, as the kernel's dentry cache does for
// the node-based drivers. Each cached path holds one lookup reference on
// its node; dropping the path forgets it. A change made through the FS
// (unlink, rmdir, rename) drops the affected paths and everything beneath
// them at once; a change the plugin reports drops them through the
// vfs.Invalidator the FS implements. A change made through another FS
// serving the same VFS (another mounting point) is caught when a cached
// path is used: its node must still be linked at that path in the VFS
// (vfs.LinkedAt), or the path is looked up again. A lookup that raced such a drop is
// used for its own call only and never cached, so a renamed directory is
// never found under its old name.
//
// # Handles
//
// Open, Create and OpenDir return the VFS's handle numbers unchanged;
// calls on an open file go by handle, so a file unlinked or renamed while
// open keeps working, and Getattr, Setattr and Truncate given a handle use
// it even when the path is empty (libfuse passes no path for an unlinked
// file). NoHandle says that a call has none.
//
// # Errors
//
// Errors are the VFS's, and carry portable codes (sdk.CodeOf); drivers
// map them to their OS's numbers.
package pathfs
