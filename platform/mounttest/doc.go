// Package mounttest is the mount-level conformance suite that every plugfs
// mount driver and every first-party plugin is run against, plus an
// fsx-style randomized integrity checker.
//
// It tests a mounted directory through ordinary system calls, whatever
// serves it: it imports nothing from plugfs, only the standard library and
// golang.org/x/sys/unix. The reference is the kernel's own tmpfs: every test
// passes there (see native_test.go), so a failure elsewhere is a bug in the
// file system under test, or a gap its caller must name in a [Skip].
//
// # Using it
//
// A driver's or plugin's whole mount test is one line once it has a mount:
//
//	mounttest.RunAll(t, mnt)
//
// RunAll runs each test of [All] as a subtest in its own fresh directory
// of mnt and checks that nothing is left behind. Known gaps are skipped by
// name with the reason, so they stay visible in the test output:
//
//	mounttest.RunAll(t, mnt, mounttest.Skip{"RenameExchange": "bazil does not decode FUSE_RENAME2"})
//
// The integrity checker runs on its own:
//
//	mounttest.RunFSX(t, dir, mounttest.FSXConfig{})
//
// # Environment
//
// PLUGFS_FSX_OPS and PLUGFS_FSX_SEED override the number of operations and
// the seed of every RunFSX call, so a long or reproducing run needs no code
// change: PLUGFS_FSX_OPS=200000 PLUGFS_FSX_SEED=42 go test -run FSX ./...
// PLUGFS_FSX_SEED=random picks a seed from the clock (it is logged).
//
// To try any mounted directory by hand, point the package's own test at it:
// PLUGFS_MOUNTTEST_DIR=/mnt/x go test -run TestMountedDir ./platform/mounttest/
// (PLUGFS_MOUNTTEST_SKIP=Name1,Name2 skips tests by name).
//
// # Requirements
//
// The suite expects to run as root on Linux: the permission tests re-execute
// the test binary as uid/gid 65534 (the package's init function recognises
// the child by an environment variable), and Chown changes owners. A FUSE
// mount must therefore be mounted with allow_other for the permission test
// (or skip "Permissions"). Tests run one after the other, never in parallel:
// some change the process umask for a moment.
package mounttest
