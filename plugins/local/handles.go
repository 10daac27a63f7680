package local

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/plugfs/plugfs/sdk"
)

// openFile is one open file or directory. Every use of its descriptor goes
// through f (ReadAt, WriteAt, SyscallConn), whose reference counting makes a
// Release racing with a Read fail cleanly instead of touching a reused
// descriptor number.
type openFile struct {
	f      *os.File
	path   string // volume path at open time, for error messages
	append bool   // opened with sdk.Append: writes go to end of file
	dir    *dirStream
}

// handleTable numbers open files with an atomic counter; handle values are
// never reused within a process.
type handleTable struct {
	next atomic.Uint64
	m    sync.Map // sdk.Handle -> *openFile
}

func (t *handleTable) add(of *openFile) sdk.Handle {
	h := sdk.Handle(t.next.Add(1))
	t.m.Store(h, of)
	return h
}

func (t *handleTable) get(h sdk.Handle) (*openFile, error) {
	v, ok := t.m.Load(h)
	if !ok {
		return nil, fmt.Errorf("local: handle %d: %w", h, sdk.ErrBadHandle)
	}
	return v.(*openFile), nil
}

func (t *handleTable) remove(h sdk.Handle) (*openFile, error) {
	v, ok := t.m.LoadAndDelete(h)
	if !ok {
		return nil, fmt.Errorf("local: handle %d: %w", h, sdk.ErrBadHandle)
	}
	return v.(*openFile), nil
}

// closeAll closes every open file (at shutdown).
func (t *handleTable) closeAll() {
	t.m.Range(func(k, v any) bool {
		t.m.Delete(k)
		v.(*openFile).f.Close()
		return true
	})
}
