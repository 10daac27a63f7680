package sdk

import "sync"

// DefaultSharedMemory is the size of the shared-memory region a host offers
// each plugin: 32 slots of DefaultMaxIO, so 32 reads or writes can be in
// flight without copying their bytes into messages. The region is a memory
// file; pages cost memory only once touched.
const DefaultSharedMemory = 32 * DefaultMaxIO

// shmPool hands out fixed-size slots of a shared region to concurrent calls.
type shmPool struct {
	r    *shmRegion
	slot int
	free chan int // offsets of free slots

	// mu is held for reading while a slot is lent out, so close never
	// unmaps memory a call is still copying.
	mu     sync.RWMutex
	closed bool
}

func newShmPool(r *shmRegion, slot int) *shmPool {
	n := len(r.mem) / slot
	p := &shmPool{r: r, slot: slot, free: make(chan int, n)}
	for i := 0; i < n; i++ {
		p.free <- i * slot
	}
	return p
}

// get lends a free slot, or returns false when all are in use (the caller
// then sends bytes in the message). A lent slot is given back with release.
func (p *shmPool) get(size int) (off int, buf []byte, ok bool) {
	if p == nil || size > p.slot {
		return 0, nil, false
	}
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return 0, nil, false
	}
	select {
	case off = <-p.free:
		return off, p.r.mem[off : off+size], true
	default:
		p.mu.RUnlock()
		return 0, nil, false
	}
}

// release ends the loan of a slot. With reuse false the slot is retired:
// its call failed in transport and the plugin might still write into it.
func (p *shmPool) release(off int, reuse bool) {
	if reuse {
		p.free <- off
	}
	p.mu.RUnlock()
}

// close unmaps the region once no slot is lent out.
func (p *shmPool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return p.r.close()
}

// size is the region's size in bytes.
func (p *shmPool) size() int { return p.slot * cap(p.free) }
