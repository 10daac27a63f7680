// Package posixtest is the mount-level suite: POSIX behaviour checked
// through system calls on a mounted directory, whatever serves it. It
// imports nothing of plugfs, so it tests the kernel's view only.
//
// A driver's or plugin's whole mount test is one line:
//
//	posixtest.RunAll(t, mnt, nil)
//
// All maps test names to functions; RunAll runs each in a fresh
// subdirectory of mnt. Skips name a test and say why (a known gap of a
// driver); they show up as skipped tests with that reason, never silently.
// RunFSX is a randomized integrity check: random operations on a few files,
// each checked against an in-memory model (fsx-style).
//
// The suite runs as root: permission tests drop to another user on one
// locked OS thread (setfsuid, which also drops the file capabilities).
package posixtest
