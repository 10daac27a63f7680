// Package vfs turns a path-based plugin FileSystem into the inode-based file
// system the kernel speaks to. It is being written; see docs/ARCHITECTURE.md.
package vfs
