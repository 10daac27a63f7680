package sdk

import "context"

// ChangeKind says what happened to a path a Watcher reports.
type ChangeKind uint8

const (
	// ChangeModified: the object's data or attributes changed.
	ChangeModified ChangeKind = iota + 1
	// ChangeCreated: a name appeared (created, or renamed to).
	ChangeCreated
	// ChangeRemoved: a name went away (removed, or renamed from).
	ChangeRemoved
	// ChangeAll: anything may have changed; Path is ignored. A watcher
	// that lost events (a queue overflow) says this.
	ChangeAll
)

// String names the kind as logs show it.
func (k ChangeKind) String() string {
	switch k {
	case ChangeModified:
		return "modified"
	case ChangeCreated:
		return "created"
	case ChangeRemoved:
		return "removed"
	case ChangeAll:
		return "all"
	}
	return "unknown"
}

// Change is one change a Watcher reports: what happened to the object at
// Path (absolute within the volume, as in every call).
type Change struct {
	Kind ChangeKind
	Path string
}

// Watcher is implemented by file systems whose contents change other than
// through the host: a directory others write to, a shared network store.
// The host turns each change into a kernel cache invalidation, so callers
// see it at once however long the mount lets the kernel cache entries,
// attributes and pages. Without Watcher, changes from elsewhere show once
// those caches expire.
type Watcher interface {
	// Watch reports changes to notify until ctx ends, then returns nil
	// (or an error if it could not watch at all). notify may be called
	// from any goroutine, never concurrently. Reporting a change twice or
	// reporting one the host made itself is harmless; missing one is not:
	// report ChangeAll when events were lost.
	Watch(ctx context.Context, notify func(Change)) error
}
