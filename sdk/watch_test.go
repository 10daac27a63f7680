package sdk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// watchingFS is memfs that reports a fixed series of changes, then waits
// for the host to stop watching.
type watchingFS struct {
	*memfs.FS
	stopped chan error
}

func (w *watchingFS) Watch(ctx context.Context, notify func(sdk.Change)) error {
	notify(sdk.Change{Kind: sdk.ChangeCreated, Path: "/a"})
	notify(sdk.Change{Kind: sdk.ChangeModified, Path: "/a"})
	notify(sdk.Change{Kind: sdk.ChangeRemoved, Path: "/b/c"})
	notify(sdk.Change{Kind: sdk.ChangeAll})
	<-ctx.Done()
	w.stopped <- ctx.Err()
	return nil
}

// TestWatchCrossesTheWire: the Watch feature is announced, every change
// arrives in order with its kind and path, and cancelling the host's
// watch ends the plugin's.
func TestWatchCrossesTheWire(t *testing.T) {
	w := &watchingFS{FS: memfs.New(), stopped: make(chan error, 1)}
	c, res := sdktest.TestClient(t, sdktest.TestPlugin(w), nil)
	if !res.Features.Watch {
		t.Fatal("the Watch feature was not announced")
	}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan sdk.Change, 8)
	done := make(chan error, 1)
	go func() { done <- c.Watch(ctx, func(ch sdk.Change) { got <- ch }) }()
	want := []sdk.Change{{Kind: sdk.ChangeCreated, Path: "/a"}, {Kind: sdk.ChangeModified, Path: "/a"}, {Kind: sdk.ChangeRemoved, Path: "/b/c"}, {Kind: sdk.ChangeAll}}
	for i, w := range want {
		select {
		case ch := <-got:
			if ch != w {
				t.Errorf("change %d: %+v, want %+v", i, ch, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d never arrived", i)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch after cancel: %v", err)
	}
	select {
	case err := <-w.stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("plugin's watch ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the plugin's watch did not end when the host cancelled")
	}
}

// TestWatchUnsupported: a plugin without Watcher says so.
func TestWatchUnsupported(t *testing.T) {
	c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
	if res.Features.Watch {
		t.Fatal("memfs announced Watch")
	}
	if err := c.Watch(context.Background(), func(sdk.Change) {}); !errors.Is(err, sdk.ErrNotSupported) && sdk.CodeOf(err) != sdk.CodeNoSys {
		t.Errorf("Watch on memfs: %v, want not supported", err)
	}
}
