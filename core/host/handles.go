package host

import (
	"os"
	"sync"

	"github.com/plugfs/plugfs/sdk"
)

// handleEntry is a plugin handle and the plugin generation that issued it.
type handleEntry struct {
	gen uint64
	ph  sdk.Handle
	// file is the OS file the plugin donated for this handle, or nil. The
	// host reads and writes it directly; it stays valid if the plugin dies.
	file *os.File
}

// handleTable maps the host's handle numbers to plugin handles. Host
// numbers are never reused, so a stale number can never reach a new file.
type handleTable struct {
	mu   sync.Mutex
	m    map[sdk.Handle]handleEntry
	next sdk.Handle
}

func (t *handleTable) init() { t.m = make(map[sdk.Handle]handleEntry) }

func (t *handleTable) add(gen uint64, ph sdk.Handle, file *os.File) sdk.Handle {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.m[t.next] = handleEntry{gen, ph, file}
	return t.next
}

// files returns how many handles hold a donated file.
func (t *handleTable) files() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range t.m {
		if e.file != nil {
			n++
		}
	}
	return n
}

func (t *handleTable) get(h sdk.Handle) (handleEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[h]
	return e, ok
}

func (t *handleTable) remove(h sdk.Handle) (handleEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[h]
	delete(t.m, h)
	return e, ok
}

// len returns how many handles are open.
func (t *handleTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
