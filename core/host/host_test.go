//go:build unix

package host_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

// The test binary doubles as the plugin: started with the mode variable
// set, it serves instead of testing.
func TestMain(m *testing.M) {
	if os.Getenv(testplugin.ModeEnv) != "" {
		testplugin.Main()
		return
	}
	os.Exit(m.Run())
}

func config(mode string, opts map[string]string) host.Config {
	return host.Config{
		Name: "testplugin",
		Command: func() *exec.Cmd {
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), testplugin.ModeEnv+"="+mode)
			return cmd
		},
		Options:      opts,
		StartTimeout: 2 * time.Second,
		OpTimeout:    500 * time.Millisecond,
		BackoffMin:   20 * time.Millisecond,
	}
}

func start(t testing.TB, cfg host.Config) *host.Host {
	t.Helper()
	h, err := host.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	return h
}

func TestStartFailuresAreClassified(t *testing.T) {
	for _, tc := range []struct {
		mode string
		opts map[string]string
		want error
	}{
		{testplugin.ModeExit, nil, core.ErrPluginStart},
		{testplugin.ModeHang, nil, core.ErrPluginStartTimeout},
		{testplugin.ModeCookie, nil, core.ErrPluginProtocol},
		{testplugin.ModeVersion, nil, core.ErrPluginProtocol},
		{testplugin.ModeGarbage, nil, core.ErrPluginProtocol},
		{testplugin.ModeServe, map[string]string{"nope": "1"}, core.ErrPluginOption},
		{testplugin.ModeServe, map[string]string{"hang_init": "true"}, core.ErrPluginStartTimeout},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			began := time.Now()
			h, err := host.Start(context.Background(), config(tc.mode, tc.opts))
			if err == nil {
				_ = h.Close(context.Background())
				t.Fatalf("started; want %v", tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %q; want %v", err, tc.want)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("took %v to fail; the bound is the 2s start timeout", d)
			}
			t.Logf("%s: %v", tc.mode, err)
		})
	}
	// The plugin's last words reach the message.
	_, err := host.Start(context.Background(), config(testplugin.ModeExit, nil))
	if err == nil || !contains(err.Error(), "cannot open my database") {
		t.Errorf("exit error does not carry the plugin's stderr: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestHungOperationFailsByDeadline(t *testing.T) {
	h := start(t, config(testplugin.ModeServe, nil))
	b := h.FileSystem()
	began := time.Now()
	_, err := b.Stat(context.Background(), "/hang")
	if !errors.Is(err, sdk.ErrTimeout) {
		t.Fatalf("Stat(/hang) = %v; want ErrTimeout", err)
	}
	if d := time.Since(began); d < 400*time.Millisecond || d > 2*time.Second {
		t.Errorf("timed out after %v; op timeout is 500ms", d)
	}
	// The plugin is still serving other paths.
	if _, err := b.Stat(context.Background(), "/"); err != nil {
		t.Errorf("Stat(/) after a hung call: %v", err)
	}
}

func TestCrashRecovery(t *testing.T) {
	h := start(t, config(testplugin.ModeServe, nil))
	b := h.FileSystem()
	ctx := context.Background()
	fh, _, err := b.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write(ctx, fh, []byte("hello"), 0); err != nil {
		t.Fatal(err)
	}
	pid := h.PID()
	if pid == 0 {
		t.Fatal("no plugin pid")
	}
	// An operation in flight when the plugin dies fails quickly.
	inflight := make(chan error, 1)
	go func() { _, err := b.Stat(ctx, "/hang"); inflight <- err }()
	time.Sleep(100 * time.Millisecond)
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-inflight:
		if sdk.CodeOf(err) != sdk.CodeUnavailable && sdk.CodeOf(err) != sdk.CodeIO {
			t.Errorf("in-flight op failed with %v (code %v); want unavailable/EIO", err, sdk.CodeOf(err))
		}
		if d := time.Since(killed); d > time.Second {
			t.Errorf("in-flight op took %v to fail after the kill", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("in-flight op did not fail within 2s of the plugin's death")
	}
	// New operations work again on a new process.
	if _, err := b.Stat(ctx, "/"); err != nil {
		t.Fatalf("Stat after restart: %v", err)
	}
	if h.PID() == pid || h.PID() == 0 || h.Restarts() != 1 {
		t.Errorf("pid %d (was %d), restarts %d", h.PID(), pid, h.Restarts())
	}
	// The old handle is stale; releasing it is harmless.
	if _, err := b.Read(ctx, fh, make([]byte, 5), 0); !errors.Is(err, sdk.ErrStale) {
		t.Errorf("read through pre-crash handle: %v; want ErrStale", err)
	}
	if err := b.Release(ctx, fh); err != nil {
		t.Errorf("release of a stale handle: %v", err)
	}
	if b.OpenHandles() != 0 {
		t.Errorf("%d handles left open", b.OpenHandles())
	}
}

func TestCloseStopsThePlugin(t *testing.T) {
	h, err := host.Start(context.Background(), config(testplugin.ModeServe, nil))
	if err != nil {
		t.Fatal(err)
	}
	pid := h.PID()
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %d still alive after Close", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := h.FileSystem().Stat(context.Background(), "/"); !errors.Is(err, sdk.ErrUnavailable) {
		t.Errorf("Stat after Close: %v", err)
	}
}
