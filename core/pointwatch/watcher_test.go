package pointwatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// step is one answer of a scripted source.
type step struct {
	points []Point
	err    error
}

// script is a fake Source answering its steps in turn; past the last
// step it answers the last one again and calls done (once).
type script struct {
	mu    sync.Mutex
	steps []step
	calls int
	done  func()
}

func (s *script) source(ctx context.Context) ([]Point, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := min(s.calls, len(s.steps)-1)
	s.calls++
	if s.calls == len(s.steps) && s.done != nil {
		s.done()
	}
	return s.steps[i].points, s.steps[i].err
}

// recorder keeps what a Watcher reported, as "+X:", "-X:" and "!N err".
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

func (r *recorder) watch(w *Watcher) *Watcher {
	w.Added = func(p Point) { r.add("+" + p.Path) }
	w.Removed = func(p Point) { r.add("-" + p.Path) }
	w.Failed = func(err error, streak int) { r.add(fmt.Sprintf("!%d %v", streak, err)) }
	return w
}

func drive(path string) Point {
	return Point{Volume: "v", Path: path, Kind: "drive", Flags: "global", Since: 1}
}

var errGone = errors.New("no plugfs daemon is running")

// TestPoll drives a Watcher one poll at a time through a daemon's life:
// points come and go, the daemon stops (its points are removed), comes
// back (they are added), and a daemon restarted between two polls has
// new points under the same letters.
func TestPoll(t *testing.T) {
	x, y, z := drive("X:"), drive("Y:"), drive("Z:")
	x2 := x
	x2.Since = 2
	for _, tc := range []struct {
		name     string
		patience int
		steps    []step
		want     [][]string // events after each poll
		known    []Point    // after the last poll
	}{
		{
			name:  "points come and go",
			steps: []step{{points: []Point{x}}, {points: []Point{x, y}}, {points: []Point{x, y}}, {points: []Point{y, z}}, {}},
			want:  [][]string{{"+X:"}, {"+Y:"}, nil, {"-X:", "+Z:"}, {"-Y:", "-Z:"}},
		},
		{
			name:  "daemon stops and comes back",
			steps: []step{{points: []Point{x, y}}, {err: errGone}, {err: errGone}, {points: []Point{x, y}}},
			want:  [][]string{{"+X:", "+Y:"}, {"!1 " + errGone.Error(), "-X:", "-Y:"}, {"!2 " + errGone.Error()}, {"+X:", "+Y:"}},
			known: []Point{x, y},
		},
		{
			name:  "daemon not there at first",
			steps: []step{{err: errGone}, {points: []Point{x}}},
			want:  [][]string{{"!1 " + errGone.Error()}, {"+X:"}},
			known: []Point{x},
		},
		{
			name:     "patience outlasts a short failure",
			patience: 1,
			steps:    []step{{points: []Point{x}}, {err: errGone}, {points: []Point{x}}},
			want:     [][]string{{"+X:"}, {"!1 " + errGone.Error()}, nil},
			known:    []Point{x},
		},
		{
			name:     "patience runs out",
			patience: 1,
			steps:    []step{{points: []Point{x}}, {err: errGone}, {err: errGone}, {err: errGone}, {points: []Point{x}}},
			want:     [][]string{{"+X:"}, {"!1 " + errGone.Error()}, {"!2 " + errGone.Error(), "-X:"}, {"!3 " + errGone.Error()}, {"+X:"}},
			known:    []Point{x},
		},
		{
			name:  "restarted between polls",
			steps: []step{{points: []Point{x, y}}, {points: []Point{x2, y}}},
			want:  [][]string{{"+X:", "+Y:"}, {"-X:", "+X:"}},
			known: []Point{x2, y},
		},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			var r recorder
			s := &script{steps: tc.steps}
			w := r.watch(&Watcher{Source: s.source, Patience: tc.patience})
			for i, st := range tc.steps {
				err := w.Poll(context.Background())
				if !errors.Is(err, st.err) {
					t.Errorf("poll %d: error %v, want %v", i, err, st.err)
				}
				if got := r.take(); !slices.Equal(got, tc.want[i]) {
					t.Errorf("poll %d: reported %q, want %q", i, got, tc.want[i])
				}
			}
			if got := w.Known(); !slices.Equal(got, tc.known) {
				t.Errorf("Known() = %v, want %v", got, tc.known)
			}
		})
	}
}

// TestPollCancelled: a poll that fails because its context ended is not
// the daemon going away.
func TestPollCancelled(t *testing.T) {
	var r recorder
	ctx, cancel := context.WithCancel(context.Background())
	up := true
	w := r.watch(&Watcher{Source: func(ctx context.Context) ([]Point, error) {
		if up {
			return []Point{drive("X:")}, nil
		}
		return nil, fmt.Errorf("list: %w", ctx.Err())
	}})
	if err := w.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	r.take()
	up = false
	cancel()
	if err := w.Poll(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Poll = %v, want context.Canceled", err)
	}
	if got := r.take(); got != nil {
		t.Errorf("a cancelled poll reported %q", got)
	}
	if len(w.Known()) != 1 {
		t.Errorf("a cancelled poll forgot the points: %v", w.Known())
	}
}

// TestRun runs a Watcher with a short interval through a scripted
// daemon and stops it once the script is done: every change is
// reported once, in order, and failures do not stop it.
func TestRun(t *testing.T) {
	x, y := drive("X:"), drive("Y:")
	var r recorder
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &script{done: cancel, steps: []step{
		{points: []Point{x}}, {points: []Point{x}}, {points: []Point{x, y}},
		{err: errGone}, {err: errGone}, {points: []Point{y}}, {points: []Point{y}},
	}}
	w := r.watch(&Watcher{Source: s.source, Interval: time.Millisecond})
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	want := []string{"+X:", "+Y:", "!1 " + errGone.Error(), "-X:", "-Y:", "!2 " + errGone.Error(), "+Y:"}
	if got := r.take(); !slices.Equal(got, want) {
		t.Errorf("Run reported %q, want %q", got, want)
	}
	if s.calls != len(s.steps) {
		t.Errorf("Run polled %d times, want %d (it stops when the context ends)", s.calls, len(s.steps))
	}
	if el := time.Since(start); el < time.Duration(len(s.steps)-1)*time.Millisecond {
		t.Errorf("%d polls took %v: the interval was not waited", len(s.steps), el)
	}
}

// TestRunDefaultInterval: with Interval 0, Run polls at once and then
// waits DefaultInterval, so a context ended meanwhile sees one poll.
func TestRunDefaultInterval(t *testing.T) {
	var calls int
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	w := &Watcher{Source: func(context.Context) ([]Point, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return nil, nil
	}}
	if err := w.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v", err)
	}
	if calls != 1 {
		t.Errorf("Run polled %d times in 200ms with the default interval (%v), want 1", calls, DefaultInterval)
	}
}
