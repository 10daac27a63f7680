//go:build linux

package main

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// noPassthroughNode is a loopback node whose open files never offer their
// descriptor to the kernel, so data goes through the FUSE server.
type noPassthroughNode struct {
	fs.LoopbackNode
}

// noPassthroughFile is a loopback file that declines FUSE passthrough.
type noPassthroughFile struct {
	*fs.LoopbackFile
}

// PassthroughFd declines: go-fuse then serves reads and writes itself.
func (f *noPassthroughFile) PassthroughFd() (int, bool) { return -1, false }

// Open opens the backing file like the loopback does and hides its fd.
func (n *noPassthroughNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	fh, fl, errno := n.LoopbackNode.Open(ctx, flags)
	return wrap(fh), fl, errno
}

// Create creates the backing file like the loopback does and hides its fd.
func (n *noPassthroughNode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	in, fh, fl, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	return in, wrap(fh), fl, errno
}

func wrap(fh fs.FileHandle) fs.FileHandle {
	if lf, ok := fh.(*fs.LoopbackFile); ok {
		return &noPassthroughFile{LoopbackFile: lf}
	}
	return fh
}

var (
	_ = (fs.NodeOpener)((*noPassthroughNode)(nil))
	_ = (fs.NodeCreater)((*noPassthroughNode)(nil))
	_ = (fs.FilePassthroughFder)((*noPassthroughFile)(nil))
)
