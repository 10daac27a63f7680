//go:build linux

package gofuse

import (
	"os"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// passthrough decides, per open file, whether the kernel reads and writes
// the plugin's donated OS file itself (FUSE passthrough: FOPEN_PASSTHROUGH
// with a backing id, Linux 6.9 and later, CAP_SYS_ADMIN).
//
// The kernel keeps one I/O mode per inode (fs/fuse/iomode.c): while any
// passthrough file is open on an inode, every open of it must be
// passthrough with the same backing id (else the open fails with EINVAL),
// and while a cached (ordinary) file is open, a passthrough open fails with
// ETXTBSY. So the mode is decided by the first open of a node and kept
// until its last open file is released. The kernel opens its own backing
// file from the registered one's path with each FUSE file's flags, so one
// backing id serves read-only and read-write opens alike.
type passthrough struct {
	srv      *fuse.Server
	mu       sync.Mutex
	disabled bool // the kernel refused: not privileged, or no support
	nodes    map[uint64]*ioMode
	files    map[uint64]uint64 // open file handle → node id
	debug    func(string)
}

// ioMode is a node's mode while it has open files.
type ioMode struct {
	backing int32 // kernel backing id; 0: cached mode
	refs    int   // open files
}

func newPassthrough(disabled bool, debug func(string)) *passthrough {
	return &passthrough{disabled: disabled, nodes: make(map[uint64]*ioMode), files: make(map[uint64]uint64), debug: debug}
}

// open records the open file fh of node and sets out's passthrough fields
// when the node is (or now enters) passthrough mode. file is the plugin's
// donated file for fh, or nil.
func (p *passthrough) open(node, fh uint64, file *os.File, out *fuse.OpenOut) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.nodes[node]
	if st == nil {
		st = &ioMode{}
		p.nodes[node] = st
	}
	if st.refs == 0 && file != nil && !p.disabled && p.srv != nil {
		st.backing = p.register(file)
	}
	st.refs++
	p.files[fh] = node
	if st.backing != 0 {
		out.BackingID = st.backing
		out.OpenFlags |= fuse.FOPEN_PASSTHROUGH
		out.OpenFlags &^= fuse.FOPEN_KEEP_CACHE
	}
}

// register makes file a backing file; 0 when the kernel refuses.
func (p *passthrough) register(file *os.File) int32 {
	rc, err := file.SyscallConn()
	if err != nil {
		return 0
	}
	var id int32
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		id, errno = p.srv.RegisterBackingFd(&fuse.BackingMap{Fd: int32(fd)})
	}); err != nil {
		return 0
	}
	switch errno {
	case 0:
		return id
	case syscall.EPERM, syscall.ENOTTY, syscall.EOPNOTSUPP, syscall.ENOSYS, syscall.EINVAL:
		// Not privileged, or the kernel has no passthrough (or it was not
		// negotiated): the host moves the bytes from now on.
		p.disabled = true
		if p.debug != nil {
			p.debug("passthrough off: backing open: " + errno.Error())
		}
	}
	return 0
}

// release forgets the open file fh; the node's backing id is dropped with
// its last open file.
func (p *passthrough) release(fh uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	node, ok := p.files[fh]
	if !ok {
		return
	}
	delete(p.files, fh)
	st := p.nodes[node]
	st.refs--
	if st.refs > 0 {
		return
	}
	if st.backing != 0 {
		if errno := p.srv.UnregisterBackingFd(st.backing); errno != 0 && p.debug != nil {
			p.debug("backing close: " + errno.Error())
		}
	}
	delete(p.nodes, node)
}

// backed returns how many nodes are in passthrough mode (for tests).
func (p *passthrough) backed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, st := range p.nodes {
		if st.backing != 0 {
			n++
		}
	}
	return n
}
