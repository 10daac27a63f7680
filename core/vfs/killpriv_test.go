package vfs_test

import (
	"io/fs"
	"testing"
)

// KilledMode answers from the cached mode, and never from attributes a
// change raced: a chmod to 06755 completing while a writer's release is
// in flight (whose post-operation attributes predate it) must still be
// seen, or a chown would leave the set-user-ID bit (the mount suite's
// KillSuid caught this under load).
func TestKilledModeAfterRacingChmod(t *testing.T) {
	v, id := chmodDuringRelease(t, 0o755|fs.ModeSetuid|fs.ModeSetgid)
	m, kill, err := v.KilledMode(ctx, id, 0)
	if err != nil || !kill || m != 0o755 {
		t.Errorf("KilledMode after a chmod to 06755 racing a release: %v, kill %v, %v; want 0755, true", m, kill, err)
	}
	// KillSuidgid clears them.
	if err := v.KillSuidgid(ctx, id, 0); err != nil {
		t.Fatal(err)
	}
	if a, err := v.Getattr(ctx, id, 0); err != nil || a.Mode.Perm() != 0o755 || a.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
		t.Errorf("after KillSuidgid: %v, %v; want 0755", a.Mode, err)
	}
}
