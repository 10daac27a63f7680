package vfs

// VFS is the inode-level view of one volume (placeholder until written).
type VFS struct{}
