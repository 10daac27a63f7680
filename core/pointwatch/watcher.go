package pointwatch

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultInterval is the time between polls of a Watcher whose Interval
// is 0.
const DefaultInterval = 2 * time.Second

// Source lists the points to watch: all of a daemon's, or those that
// concern the caller. An error means the points cannot be seen (the
// daemon is not running, refused the caller or did not answer).
type Source func(ctx context.Context) ([]Point, error)

// Watcher polls a Source and reports the points that came and went. Set
// its fields before the first Poll or Run and do not change them after.
// Poll and Run may be called from several goroutines: polls take turns.
// The callbacks run on the polling goroutine, one at a time, in the
// order described at Poll; they must not call Poll.
type Watcher struct {
	// Source lists the points. Required.
	Source Source
	// Interval is the time between the end of one poll and the start of
	// the next in Run; 0 means DefaultInterval.
	Interval time.Duration
	// Patience is how many failed polls in a row, beyond the first, keep
	// the known points before they count as removed: 0 removes them at
	// the first failure.
	Patience int
	// Added is told of each point that appeared. Optional.
	Added func(Point)
	// Removed is told of each point that went away. Optional.
	Removed func(Point)
	// Failed is told of each failed poll, with the number of polls in a
	// row that have failed (1 for the first). Optional.
	Failed func(err error, streak int)

	mu     sync.Mutex
	known  []Point
	streak int
}

// Poll lists the points once and reports how they changed since the
// last successful poll: Removed for each point gone (in the order of the
// last listing), then Added for each new one (in the order of this
// listing). The first poll reports every point listed as added.
//
// A failed poll is told to Failed and its error returned; once
// Patience+1 polls in a row have failed, every known point is reported
// removed (and so added again when the Source answers). A poll that
// fails because ctx ended changes nothing and returns ctx's error.
func (w *Watcher) Poll(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	pts, err := w.Source(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.streak++
		if w.Failed != nil {
			w.Failed(err, w.streak)
		}
		if w.streak > w.Patience {
			w.apply(nil)
		}
		return err
	}
	w.streak = 0
	w.apply(pts)
	return nil
}

// apply makes pts the known points and reports the difference.
func (w *Watcher) apply(pts []Point) {
	added, removed := Diff(w.known, pts)
	w.known = slices.Clone(pts)
	for _, p := range removed {
		if w.Removed != nil {
			w.Removed(p)
		}
	}
	for _, p := range added {
		if w.Added != nil {
			w.Added(p)
		}
	}
}

// Known returns the points as the Watcher knows them: those of the last
// successful poll, or none once failures have removed them.
func (w *Watcher) Known() []Point {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.known)
}

// Run polls at once, then Interval after the end of each poll, until ctx
// ends, and returns ctx's error. Failed polls do not stop it (see Poll).
// Stopping reports nothing: the points are still there.
func (w *Watcher) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		_ = w.Poll(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.Reset(interval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
