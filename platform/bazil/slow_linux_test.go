//go:build linux

package bazil

import (
	"context"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// slowFS is memfs where a Stat of a name starting with "slow" blocks until
// its context is cancelled (a plugin call stuck until the kernel
// interrupts it).
type slowFS struct{ *memfs.FS }

func (s slowFS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	if strings.HasPrefix(path.Base(p), "slow") {
		<-ctx.Done()
		return sdk.Attr{}, ctx.Err()
	}
	return s.FS.Stat(ctx, p)
}

// TestInterruptReleasesStuckCalls starts more stuck lookups than the
// driver serves at once, kills their callers, and expects every one to be
// answered: the kernel's INTERRUPTs must reach the plugin calls' contexts,
// and requests waiting for a slot must not stop the driver from reading
// them.
func TestInterruptReleasesStuckCalls(t *testing.T) {
	s := startServer(t, "slow")
	const callers = maxInFlight + 6
	procs := make([]*exec.Cmd, callers)
	exited := make(chan error, callers)
	for i := range procs {
		procs[i] = exec.Command("stat", filepath.Join(s.mnt, fmt.Sprint("slow", i)))
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
		go func() { exited <- procs[i].Wait() }()
	}
	time.Sleep(time.Second) // all of them stuck in the plugin or waiting for a slot
	select {
	case err := <-exited:
		t.Fatalf("a lookup of a stuck name returned: %v", err)
	default:
	}
	for _, p := range procs {
		_ = p.Process.Signal(syscall.SIGKILL)
	}
	deadline := time.After(10 * time.Second)
	for range callers {
		select {
		case <-exited:
		case <-deadline:
			t.Fatalf("callers still stuck 10s after being killed: interrupts did not reach the plugin calls")
		}
	}
}
