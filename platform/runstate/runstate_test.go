package runstate

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteListRemove(t *testing.T) {
	dir := tempDir(t)
	a := Record{Point: "/mnt/a", Plugin: "memfs", ServerPID: 10, Started: time.Unix(100, 0).UTC()}
	b := Record{Point: "/mnt/b", Plugin: "local", ServerPID: 11}
	for _, r := range []Record{b, a} {
		if err := Write(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	a.PluginPID = 77
	if err := Write(dir, a); err != nil { // replaces
		t.Fatal(err)
	}
	got, err := List(dir)
	if err != nil || len(got) != 2 || got[0].Point != "/mnt/a" || got[0].PluginPID != 77 || !got[0].Started.Equal(a.Started) {
		t.Fatalf("List = %+v, %v", got, err)
	}
	if r, err := Get(dir, "/mnt/b"); err != nil || r.Plugin != "local" {
		t.Fatalf("Get = %+v, %v", r, err)
	}
	if err := Remove(dir, "/mnt/a"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir, "/mnt/a"); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
	if got, _ := List(dir); len(got) != 1 {
		t.Fatalf("after remove: %+v", got)
	}
}

// tempDir is t.TempDir without RemoveAll, which Go 1.26 implements with
// calls Wine 8 lacks: these tests also run under Wine.
func tempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "runstate-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
		_ = os.Remove(dir)
	})
	return dir
}
