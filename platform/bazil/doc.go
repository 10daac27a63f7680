// Package bazil is the pure-Go Linux mount driver, on bazil.org/fuse.
//
// It speaks the kernel's FUSE protocol through bazil's low-level request
// API (not bazil's fs package), so core/vfs owns inode numbers. Every
// request runs in its own goroutine (at most maxInFlight at once); a kernel
// INTERRUPT cancels that request's context, which cancels the plugin call.
// The caller's uid, gid and pid travel in the context (sdk.WithCaller).
//
// Known gap: bazil.org/fuse does not decode FUSE_RENAME2, so renameat2
// flags (RENAME_NOREPLACE, RENAME_EXCHANGE) fail with EINVAL through this
// driver; plain rename works.
package bazil
