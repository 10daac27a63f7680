//go:build linux && !localportable

package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// watchingFS is the local file system that also reports changes made to
// its root by others (sdk.Watcher), through inotify: one watch per
// directory, added as directories appear. Events are coalesced for
// watchDelay, so a writer's thousand writes become one change.
type watchingFS struct {
	*FS
}

// watchDelay is how long events are gathered before they are reported.
const watchDelay = 20 * time.Millisecond

// inotifyMask is what changes a name or an object's data or attributes.
const inotifyMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF |
	unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW | unix.IN_EXCL_UNLINK

// newWatching wraps f so that it reports changes.
func newWatching(f *FS) (sdk.FileSystem, error) { return watchingFS{f}, nil }

// watcher is one Watch call's inotify instance and its map of watches.
type watcher struct {
	fd   int
	root string

	mu   sync.Mutex
	dirs map[int32]string // watch descriptor → volume path of the directory
}

// Watch implements sdk.Watcher.
func (w watchingFS) Watch(ctx context.Context, notify func(sdk.Change)) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("local: inotify: %w", err)
	}
	wt := &watcher{fd: fd, root: w.path, dirs: map[int32]string{}}
	file := os.NewFile(uintptr(fd), "inotify") // the runtime poller wakes Read
	defer file.Close()
	if err := wt.addTree("/"); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = file.SetReadDeadline(time.Unix(1, 0))
	}()
	pending := map[sdk.Change]struct{}{}
	var flush <-chan time.Time
	events := make(chan []sdk.Change)
	readErr := make(chan error, 1)
	go func() { readErr <- wt.read(file, events) }()
	for {
		select {
		case batch := <-events:
			for _, c := range batch {
				pending[c] = struct{}{}
			}
			if flush == nil {
				flush = time.After(watchDelay)
			}
		case <-flush:
			flush = nil
			if _, all := pending[sdk.Change{Kind: sdk.ChangeAll}]; all {
				notify(sdk.Change{Kind: sdk.ChangeAll})
			} else {
				for c := range pending {
					notify(c)
				}
			}
			clear(pending)
		case err := <-readErr:
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// addTree watches dir (a volume path) and every directory beneath it.
func (wt *watcher) addTree(dir string) error {
	return filepath.WalkDir(filepath.Join(wt.root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == filepath.Join(wt.root, dir) {
				return fmt.Errorf("local: watch %s: %w", p, err)
			}
			return nil // vanished meanwhile: its removal is reported
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(wt.root, p)
		wd, err := unix.InotifyAddWatch(wt.fd, p, inotifyMask)
		if err != nil {
			if errors.Is(err, unix.ENOSPC) {
				return fmt.Errorf("local: watch %s: the inotify watch limit is reached; raise fs.inotify.max_user_watches or mount without watch=true: %w", p, err)
			}
			return nil
		}
		wt.mu.Lock()
		wt.dirs[int32(wd)] = path.Join("/", filepath.ToSlash(rel))
		wt.mu.Unlock()
		return nil
	})
}

// read decodes events into changes until the descriptor fails.
func (wt *watcher) read(file *os.File, out chan<- []sdk.Change) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := file.Read(buf)
		if err != nil {
			return err
		}
		var batch []sdk.Change
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			name := string(nameBytes[:clen(nameBytes)])
			batch = append(batch, wt.changes(ev.Wd, ev.Mask, name)...)
		}
		if len(batch) > 0 {
			out <- batch
		}
	}
}

// changes turns one event into the changes it means.
func (wt *watcher) changes(wd int32, mask uint32, name string) []sdk.Change {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		return []sdk.Change{{Kind: sdk.ChangeAll}}
	}
	wt.mu.Lock()
	dir, ok := wt.dirs[wd]
	if mask&unix.IN_IGNORED != 0 {
		delete(wt.dirs, wd)
	}
	wt.mu.Unlock()
	if !ok || mask&unix.IN_IGNORED != 0 {
		return nil
	}
	if mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 {
		// Reported by the parent's watch as the name going away; a
		// moved directory keeps this watch under a stale path, so
		// forget it (the parent's IN_MOVED_TO watches it anew).
		if mask&unix.IN_MOVE_SELF != 0 {
			_, _ = unix.InotifyRmWatch(wt.fd, uint32(wd))
		}
		return nil
	}
	p := path.Join(dir, name)
	switch {
	case mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0:
		if mask&unix.IN_ISDIR != 0 {
			_ = wt.addTree(p)
		}
		return []sdk.Change{{Kind: sdk.ChangeCreated, Path: p}}
	case mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0:
		return []sdk.Change{{Kind: sdk.ChangeRemoved, Path: p}}
	case name == "":
		// The directory itself changed (its attributes).
		return []sdk.Change{{Kind: sdk.ChangeModified, Path: dir}}
	default:
		return []sdk.Change{{Kind: sdk.ChangeModified, Path: p}}
	}
}

// clen is the length of the NUL-terminated name in b.
func clen(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}
