// Package bazil is the pure-Go Linux mount driver, on bazil.org/fuse.
//
// It speaks the kernel's FUSE protocol through bazil's low-level request
// API (Conn.ReadRequest, not bazil's fs package), so core/vfs owns inode
// numbers. It registers itself as "bazil" (rank 20) in core's driver
// registry; it needs /dev/fuse and fusermount3.
//
// # Requests
//
// Every request runs in its own goroutine, and at most maxInFlight (64)
// run at once; the rest wait for a slot in their own goroutines, so the
// read loop keeps reading. FORGETs are applied in the read loop. The
// caller's uid, gid and pid travel in the context (sdk.WithCaller);
// errors become errnos through platform/errno, once.
//
// # Interrupts
//
// A kernel INTERRUPT cancels its request's context, and so the plugin
// call, after a 200ms grace: Go programs receive SIGURG all the time, and
// cancelling at once would turn quick operations into spurious EINTR. A
// request still waiting for a slot when cancelled fails with EINTR.
//
// # Caching
//
// Entries and attributes are cached by the kernel for the VFS's timeouts;
// a failed lookup is cached for the VFS's NegativeTimeout (none by
// default). Reads use the page cache, dropped on every open; no direct
// I/O, no writeback cache.
//
// # Known gaps
//
// bazil.org/fuse does not decode FUSE_RENAME2: the request reaches this
// driver as unrecognized and gets ENOSYS, after which the kernel answers
// renameat2 with flags (RENAME_NOREPLACE, RENAME_EXCHANGE) by EINVAL and
// sends plain renames as RENAME; plain rename works. It also drops the
// sticky bit from the attributes it sends the kernel, so sticky
// directories are not enforced. Writes are capped at 128 KiB per request.
// The gofuse driver has none of these gaps.
//
// # Testing
//
// The tests serve every mount they touch from a child process (see
// child_linux_test.go): one process both serving a FUSE mount and using it
// can deadlock on mmap page faults, or when killed mid-operation.
package bazil
