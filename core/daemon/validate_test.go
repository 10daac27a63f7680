package daemon_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/core/mountpoint"
)

func TestValidate(t *testing.T) {
	ok := func() daemon.VolumeSpec {
		return daemon.VolumeSpec{Name: "a", Plugin: "memfs", MountPoints: []string{"/mnt/a"}}
	}
	cases := []struct {
		name string
		vols func() []daemon.VolumeSpec
		key  string // "" = valid
	}{
		{"valid", func() []daemon.VolumeSpec { return []daemon.VolumeSpec{ok()} }, ""},
		{"windows drive", func() []daemon.VolumeSpec { v := ok(); v.MountPoints = []string{`X:`}; return []daemon.VolumeSpec{v} }, ""},
		{"no name", func() []daemon.VolumeSpec { v := ok(); v.Name = ""; return []daemon.VolumeSpec{v} }, "volumes[0].name"},
		{"bad name", func() []daemon.VolumeSpec { v := ok(); v.Name = "a/b"; return []daemon.VolumeSpec{v} }, "volumes[0].name"},
		{"no plugin", func() []daemon.VolumeSpec { v := ok(); v.Plugin = " "; return []daemon.VolumeSpec{v} }, "volumes[0].plugin"},
		{"no points", func() []daemon.VolumeSpec { v := ok(); v.MountPoints = nil; return []daemon.VolumeSpec{v} }, "volumes[0].mountpoints"},
		{"data plane", func() []daemon.VolumeSpec { v := ok(); v.Mount.DataPlane = "grpc"; return []daemon.VolumeSpec{v} }, ""},
		{"bad data plane", func() []daemon.VolumeSpec { v := ok(); v.Mount.DataPlane = "fast"; return []daemon.VolumeSpec{v} }, "volumes[0].mount.data_plane"},
		{"relative point", func() []daemon.VolumeSpec { v := ok(); v.MountPoints = []string{"mnt"}; return []daemon.VolumeSpec{v} }, "volumes[0].mountpoints[0]"},
		{"point twice", func() []daemon.VolumeSpec {
			v := ok()
			v.MountPoints = []string{"/m", "/m/"}
			return []daemon.VolumeSpec{v}
		}, "volumes[0].mountpoints[1]"},
		{"duplicate name", func() []daemon.VolumeSpec {
			b := ok()
			b.MountPoints = []string{"/b"}
			return []daemon.VolumeSpec{ok(), b}
		}, "volumes[1].name"},
		{"shared point", func() []daemon.VolumeSpec { b := ok(); b.Name = "b"; return []daemon.VolumeSpec{ok(), b} }, "volumes[1].mountpoints[0]"},
		{"nested point", func() []daemon.VolumeSpec {
			b := ok()
			b.Name, b.MountPoints = "b", []string{"/mnt/a/inner"}
			return []daemon.VolumeSpec{ok(), b}
		}, "volumes[1].mountpoints[0]"},
		{"negative timeout", func() []daemon.VolumeSpec { v := ok(); v.Mount.OpTimeout = -1; return []daemon.VolumeSpec{v} }, "volumes[0].mount.op_timeout"},
		{"no attribute caching", func() []daemon.VolumeSpec { v := ok(); v.Mount.AttrTimeout = -1; return []daemon.VolumeSpec{v} }, ""},
		{"drive letter", func() []daemon.VolumeSpec { v := ok(); v.MountPoints = []string{"z:"}; return []daemon.VolumeSpec{v} }, ""},
		{"network point", func() []daemon.VolumeSpec {
			v := ok()
			v.MountPoints = []string{`Y:;srv;data`}
			return []daemon.VolumeSpec{v}
		}, ""},
		{"bad UNC name", func() []daemon.VolumeSpec {
			v := ok()
			v.MountPoints = []string{`\\.\a\b`}
			return []daemon.VolumeSpec{v}
		}, "volumes[0].mountpoints[0]"},
		{"local folder", func() []daemon.VolumeSpec {
			v := ok()
			v.MountPoints, v.Mount.PointFlags = []string{`C:\mnt\x`}, mountpoint.Local
			return []daemon.VolumeSpec{v}
		}, "volumes[0].mountpoints[0]"},
		{"relative", func() []daemon.VolumeSpec {
			v := ok()
			v.MountPoints = []string{"mnt/x"}
			return []daemon.VolumeSpec{v}
		}, "volumes[0].mountpoints[0]"},
		{"backoff order", func() []daemon.VolumeSpec {
			v := ok()
			v.Restart.BackoffMin, v.Restart.BackoffMax = time.Minute, time.Second
			return []daemon.VolumeSpec{v}
		}, "volumes[0].restart.backoff_min"},
		{"bad option", func() []daemon.VolumeSpec {
			v := ok()
			v.Options = map[string]string{"": "x"}
			return []daemon.VolumeSpec{v}
		}, "volumes[0].options"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := daemon.Validate(daemon.Config{Volumes: c.vols()})
			if c.key == "" {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				return
			}
			var fe *daemon.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, daemon.ErrInvalid) {
				t.Fatalf("error %v: want a FieldError", err)
			}
			if fe.Key != c.key {
				t.Errorf("key %q (%v), want %q", fe.Key, err, c.key)
			}
			if !strings.HasPrefix(err.Error(), c.key+": ") {
				t.Errorf("message %q does not start with the key", err)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	v := func(name, plugin string, pts ...string) daemon.VolumeSpec {
		return daemon.VolumeSpec{Name: name, Plugin: plugin, MountPoints: pts}
	}
	yes, no := true, false
	ao := v("ao", "memfs", "/ao")
	ao.Mount.AllowOther = &yes
	ao2 := ao
	ao2.Mount.AllowOther = &no
	old := daemon.Config{Volumes: []daemon.VolumeSpec{v("same", "memfs", "/s"), v("gone", "memfs", "/g"), v("plug", "memfs", "/p"), v("pts", "memfs", "/x"), ao}}
	new := daemon.Config{Volumes: []daemon.VolumeSpec{v("fresh", "memfs", "/f"), v("same", "memfs", "/s"), v("plug", "local", "/p"), v("pts", "memfs", "/x", "/y"), ao2}}
	var got []string
	for _, s := range daemon.Diff(old, new) {
		got = append(got, s.Name+"="+s.Change.String())
	}
	want := "gone=removed plug=remounted ao=remounted pts=repointed fresh=added same=unchanged"
	if strings.Join(got, " ") != want {
		t.Errorf("diff %v\nwant %s", got, want)
	}
}
