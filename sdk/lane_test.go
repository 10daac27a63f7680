package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// blockingFS is memfs whose Stat of "/block" waits for its context and
// reports what it saw.
type blockingFS struct {
	sdk.FileSystem
	entered chan struct{}
	saw     chan error // the context's error when the wait ended
	leftIn  chan time.Duration
}

func (b *blockingFS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	if p != "/block" {
		return b.FileSystem.Stat(ctx, p)
	}
	dl, _ := ctx.Deadline()
	b.entered <- struct{}{}
	if !dl.IsZero() {
		b.leftIn <- time.Until(dl)
	} else {
		b.leftIn <- 0
	}
	select {
	case <-ctx.Done():
		b.saw <- ctx.Err()
		return sdk.Attr{}, ctx.Err()
	case <-time.After(5 * time.Second):
		b.saw <- nil
		return sdk.Attr{}, sdk.ErrIO
	}
}

func newMemfs(t *testing.T) sdk.FileSystem {
	t.Helper()
	return memfs.New()
}

// TestLaneCarriesCalls: with the fast lane every call after Init travels
// on it, errors keep their portable codes, and nothing goes over gRPC.
func TestLaneCarriesCalls(t *testing.T) {
	c, _ := sdktest.TestClient(t, sdktest.TestPlugin(newMemfs(t)), nil)
	if !c.DataPlane().FastLane {
		t.Fatal("no fast lane")
	}
	ctx := context.Background()
	if _, err := c.Stat(ctx, "/missing"); !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := c.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := c.Rmdir(ctx, "/"); err == nil {
		t.Error("Rmdir of the root succeeded")
	}
	h, _, err := c.Open(ctx, "/d/f", sdk.ReadWrite|sdk.Create, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, sdk.DefaultMaxIO)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if n, err := c.Write(ctx, h, big, 3); err != nil || n != len(big) {
		t.Fatalf("write %d, %v", n, err)
	}
	got := make([]byte, len(big))
	if n, err := c.Read(ctx, h, got, 3); err != nil || n != len(big) || string(got) != string(big) {
		t.Fatalf("read %d, %v (equal %v)", n, err, string(got) == string(big))
	}
	if err := c.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
	onLane, onGRPC := sdk.LaneCountsForTest(c)
	if onLane < 7 || onGRPC != 0 {
		t.Errorf("calls on the lane %d, on gRPC %d; want >= 7 and 0", onLane, onGRPC)
	}
}

// TestLaneConcurrent: many goroutines at once get their own answers.
func TestLaneConcurrent(t *testing.T) {
	c, _ := sdktest.TestClient(t, sdktest.TestPlugin(newMemfs(t)), nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("/d%d", g)
			if _, err := c.Mkdir(ctx, name, 0o700); err != nil {
				errs <- err
				return
			}
			for range 100 {
				a, err := c.Stat(ctx, name)
				if err != nil {
					errs <- err
					return
				}
				if a.Mode.Perm() != 0o700 || !a.Mode.IsDir() {
					errs <- fmt.Errorf("%s: mode %v", name, a.Mode)
					return
				}
				if _, err := c.Stat(ctx, name+"/none"); !errors.Is(err, fs.ErrNotExist) {
					errs <- fmt.Errorf("%s/none: %v", name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLaneDeadlineAndCancel: the call's deadline reaches the plugin's
// context; a cancelled call returns at once and the lane keeps working.
func TestLaneDeadlineAndCancel(t *testing.T) {
	b := &blockingFS{FileSystem: newMemfs(t), entered: make(chan struct{}, 1), saw: make(chan error, 4), leftIn: make(chan time.Duration, 1)}
	c, _ := sdktest.TestClient(t, sdktest.TestPlugin(b), nil)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Stat(ctx, "/block")
	if sdk.CodeOf(err) != sdk.CodeTimeout {
		t.Errorf("Stat past its deadline: %v (code %v), want a timeout", err, sdk.CodeOf(err))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("deadline of 300ms took %v", d)
	}
	<-b.entered
	if left := <-b.leftIn; left <= 0 || left > 300*time.Millisecond {
		t.Errorf("plugin's context had %v left, want a deadline within 300ms", left)
	}
	if err := <-b.saw; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("plugin's context ended with %v, want deadline exceeded", err)
	}

	// Cancelled at once, and after the lane has begun watching the
	// context (a blocking socket watches it only after laneArmAfter).
	for _, wait := range []time.Duration{0, 20 * time.Millisecond} {
		ctx2, cancel2 := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := c.Stat(ctx2, "/block"); done <- err }()
		select {
		case <-b.entered:
		case err := <-done:
			t.Fatalf("Stat after a timed-out call returned before reaching the plugin: %v", err)
		}
		<-b.leftIn
		time.Sleep(wait)
		cancel2()
		select {
		case err := <-done:
			if sdk.CodeOf(err) != sdk.CodeCanceled {
				t.Errorf("Stat cancelled after %v: %v (code %v), want canceled", wait, err, sdk.CodeOf(err))
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("call cancelled after %v did not return", wait)
		}
	}
	if _, err := c.Stat(context.Background(), "/"); err != nil {
		t.Errorf("Stat after a cancelled call: %v", err)
	}
	if onLane, onGRPC := sdk.LaneCountsForTest(c); onGRPC != 0 || onLane < 3 {
		t.Errorf("calls on the lane %d, on gRPC %d", onLane, onGRPC)
	}
}

// TestLaneRefusesStrangers: a connection without the key is closed
// without an answer, and the socket (on Windows the named pipe) is
// private.
func TestLaneRefusesStrangers(t *testing.T) {
	c, _ := sdktest.TestClient(t, sdktest.TestPlugin(newMemfs(t)), nil)
	if !c.DataPlane().FastLane {
		t.Fatal("no fast lane")
	}
	path := sdk.LanePathForTest(c)
	checkLanePrivate(t, path)
	if err := sdk.DialLaneForTest(path, []byte("not the key, not the key, no....")); err == nil {
		t.Error("a wrong key was accepted")
	}
}

// TestLaneGone: when the plugin's lane goes away (its listener and
// connections closed), the next call fails as never sent, the way a dead
// plugin's calls do, and later calls travel on gRPC.
func TestLaneGone(t *testing.T) {
	gp := &sdk.GRPCPlugin{Plugin: sdktest.TestPlugin(newMemfs(t)), LaneDir: laneDir(t)}
	gc, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{sdk.PluginName: gp})
	t.Cleanup(func() { _ = gc.Close() })
	raw, err := gc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	c := raw.(*sdk.Client)
	c.UseFastLane()
	t.Cleanup(func() { _ = c.CloseDataPlane() })
	ctx := context.Background()
	if _, err := c.Init(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat(ctx, "/"); err != nil || !c.DataPlane().FastLane {
		t.Fatalf("Stat on the lane: %v (lane %v)", err, c.DataPlane().FastLane)
	}
	_ = gp.Close()
	// The idle connection was closed under the client: the call on it
	// fails in transport; the next one finds no listener.
	var errs []error
	for range 2 {
		if _, err := c.Stat(ctx, "/"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 || sdk.CodeOf(errs[len(errs)-1]) != sdk.CodeUnavailable {
		t.Fatalf("calls after the lane closed: %v, want unavailable", errs)
	}
	if _, err := c.Stat(ctx, "/"); err != nil {
		t.Fatalf("Stat after the lane is gone: %v, want it served over gRPC", err)
	}
	if _, onGRPC := sdk.LaneCountsForTest(c); onGRPC == 0 {
		t.Error("no call went to gRPC after the lane was gone")
	}
}
