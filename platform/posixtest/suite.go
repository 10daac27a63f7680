package posixtest

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Test is one mount-level test: mnt is a fresh, empty directory on the
// file system under test.
type Test func(t *testing.T, mnt string)

// All is the suite: every test by name.
var All = map[string]Test{}

func register(name string, fn Test) { All[name] = fn }

// RunAll runs every test of All in its own subdirectory of mnt, except
// those in skip (name → reason), and checks each leaves nothing behind.
func RunAll(t *testing.T, mnt string, skip map[string]string) {
	for name := range skip {
		if _, ok := All[name]; !ok {
			t.Errorf("skip names no test: %q", name)
		}
	}
	names := make([]string, 0, len(All))
	for n := range All {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if why, ok := skip[name]; ok {
				t.Skip(why)
			}
			dir := filepath.Join(mnt, name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatalf("mkdir test directory: %v", err)
			}
			All[name](t, dir)
			if err := os.RemoveAll(dir); err != nil {
				t.Errorf("clean up %s: %v", dir, err)
			}
		})
	}
	ents, err := os.ReadDir(mnt)
	if err != nil || len(ents) != 0 {
		t.Errorf("mount not empty after the suite: %v %v", ents, err)
	}
}
