package host

import (
	"sync"

	"github.com/plugfs/plugfs/sdk"
)

// handleEntry is a plugin handle and the plugin generation that issued it.
type handleEntry struct {
	gen uint64
	ph  sdk.Handle
}

// handleTable maps the host's handle numbers to plugin handles. Host
// numbers are never reused, so a stale number can never reach a new file.
type handleTable struct {
	mu   sync.Mutex
	m    map[sdk.Handle]handleEntry
	next sdk.Handle
}

func (t *handleTable) init() { t.m = make(map[sdk.Handle]handleEntry) }

func (t *handleTable) add(gen uint64, ph sdk.Handle) sdk.Handle {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.m[t.next] = handleEntry{gen, ph}
	return t.next
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
