// Package gofuse is the default Linux mount driver, on hanwen/go-fuse's
// raw protocol layer (fuse.RawFileSystem), so core/vfs keeps owning inode
// numbers. Compared with the bazil driver it carries renameat2 flags
// (FUSE_RENAME2), reports the sticky bit, asks the kernel for 1 MiB reads
// and writes, mounts directly when run as root (no fusermount3), and
// answers READDIRPLUS with the attributes a plugin lists (see
// rawFS.ReadDirPlus; core.MountOptions.NoReadDirPlus turns it off).
//
// Interrupts: go-fuse closes a request's cancel channel on FUSE INTERRUPT;
// the plugin call is cancelled if the request is still running
// interruptGrace later (see platform/bazil for why there is a grace).
package gofuse
