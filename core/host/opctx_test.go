package host

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestOpCtx: the lazy operation context reports what context.WithTimeout
// would, whether or not its Done channel was asked for.
func TestOpCtx(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		for _, ask := range []bool{false, true} {
			c := withOpTimeout(context.Background(), 20*time.Millisecond)
			if ask {
				_ = c.Done()
			}
			if dl, ok := c.Deadline(); !ok || time.Until(dl) > 20*time.Millisecond {
				t.Errorf("Deadline %v %v", dl, ok)
			}
			if err := c.Err(); err != nil {
				t.Errorf("Err before the deadline: %v", err)
			}
			select {
			case <-c.Done():
			case <-time.After(2 * time.Second):
				t.Fatal("Done did not close at the deadline")
			}
			if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Err after the deadline: %v", err)
			}
			c.release()
			if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Err after the deadline and release: %v", err)
			}
		}
	})
	t.Run("parent", func(t *testing.T) {
		for _, ask := range []bool{false, true} {
			parent, cancel := context.WithTimeout(context.Background(), time.Hour)
			c := withOpTimeout(parent, 2*time.Hour)
			if dl, _ := c.Deadline(); time.Until(dl) > time.Hour {
				t.Errorf("Deadline %v later than the parent's", dl)
			}
			if ask {
				_ = c.Done()
			}
			fired := make(chan struct{})
			context.AfterFunc(c, func() { close(fired) })
			child, cancelChild := context.WithCancel(c)
			cancel()
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err after the parent's cancel: %v", err)
			}
			for _, ch := range []<-chan struct{}{fired, c.Done(), child.Done()} {
				select {
				case <-ch:
				case <-time.After(2 * time.Second):
					t.Fatal("the parent's cancel did not reach AfterFunc, Done or a child")
				}
			}
			cancelChild()
			c.release()
		}
	})
	t.Run("release", func(t *testing.T) {
		for _, ask := range []bool{false, true} {
			c := withOpTimeout(context.Background(), time.Hour)
			if ask {
				_ = c.Done()
			}
			c.release()
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err after release: %v", err)
			}
			select {
			case <-c.Done():
			case <-time.After(2 * time.Second):
				t.Fatal("Done open after release")
			}
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err after release and Done: %v", err)
			}
		}
	})
}
