package vfs_test

import (
	"io/fs"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// KilledMode answers from the cached mode, and never from attributes a
// change raced: a chmod to 06755 completing while a writer's release is
// in flight (whose post-operation attributes predate it) must still be
// seen, or a chown would leave the set-user-ID bit (the mount suite's
// KillSuid caught this under load).
func TestKilledModeAfterRacingChmod(t *testing.T) {
	c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
	be := &releaseRacing{Client: c}
	v := vfs.New(be, res.Features, vfs.Options{NoWriteCoalesce: true})
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(ctx, fh, []byte("data"), 0); err != nil {
		t.Fatal(err)
	}
	be.during = func() {
		if _, err := v.Setattr(ctx, e.ID, 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o755 | fs.ModeSetuid | fs.ModeSetgid}); err != nil {
			t.Error(err)
		}
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	m, kill, err := v.KilledMode(ctx, e.ID, 0)
	if err != nil || !kill || m != 0o755 {
		t.Errorf("KilledMode after a chmod to 06755 racing a release: %v, kill %v, %v; want 0755, true", m, kill, err)
	}
	// KillSuidgid clears them.
	if err := v.KillSuidgid(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if a, err := v.Getattr(ctx, e.ID, 0); err != nil || a.Mode.Perm() != 0o755 || a.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
		t.Errorf("after KillSuidgid: %v, %v; want 0755", a.Mode, err)
	}
}
