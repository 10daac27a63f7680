// Package fstest is the conformance suite for plugfs backends: one call
// checks that a sdk.FileSystem keeps the semantics the sdk documents.
//
// # Running it
//
// A backend's whole integration test is one line:
//
//	func TestConformance(t *testing.T) {
//		fstest.Run(t, func(t *testing.T) sdk.FileSystem { return myfs.New(t.TempDir()) })
//	}
//
// newFS is called once per test and must return a fresh, empty file system
// whose root "/" is a directory; register clean-up with t.Cleanup. To check
// that the wire protocol carries the same semantics, wrap it:
//
//	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return sdktest.OverGRPC(t, myfs.New()) })
//
// Each test is a subtest named after its method (TestReadDirPagination, …),
// so `go test -run 'TestConformance/Rename'` picks a group. RunWithOptions
// takes Options for backends that legitimately lack something (coarse
// timestamps, no ownership); every such allowance is logged.
//
// # What is checked
//
// The required interface: Stat (lstat semantics, ErrNotExist, ErrNotDir
// through a file), OpenDir and ReadDir (small pages, cookies that resume
// and stay valid while the directory changes, no "." or "..", an empty page
// at the end), Open flags (Create, Exclusive, Truncate, Append), Read (short
// only at end of file, 0 past it, holes read as zeros, offsets beyond
// 4 GiB). Then every optional interface: Write, Setattr (mode, owner, size,
// explicit and current times, ctime), Mkdir and Rmdir, Unlink (open handles
// survive), Rename (replace rules, cycles, open handles, RenameNoReplace and
// RenameExchange when declared), Symlink and Readlink, Link (link counts,
// inode numbers when StableIno is declared), Mknod, Flush, Fsync, Statfs,
// extended attributes, StatHandle, timestamps of files and directories,
// ownership from sdk.CallerFrom, and concurrent readers and writers (run the
// suite with -race).
//
// # Optional interfaces
//
// A test of an optional interface runs exactly when sdk.DetectFeatures says
// the backend has it. When it does not, the test checks instead that the
// backend really lacks it: a backend that implements the Go interface
// without announcing it fails, and a FeatureReporter (a wire client, which
// has every method) must answer with the documented fallback (ErrReadOnly
// for writes, ErrNotSupported for Setattr, ErrCrossDevice for Rename, …).
// Nothing is skipped silently.
//
// # Errors
//
// Every error is checked with errors.Is against the sdk sentinels, so the
// suite passes equally for a backend in process and for one whose errors
// came back across gRPC as *sdk.Error.
package fstest
