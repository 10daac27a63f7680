package mounttest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Skip names tests of [All] that RunAll must not run on this mount, each
// with the reason (a missing feature, a known bug with its issue). Skipped
// tests are reported with t.Skip(reason), so the gap stays visible.
type Skip map[string]string

// RunAll runs every test of [All] as a subtest of t, in name order, each in
// a fresh subdirectory of mnt named after the test. After each test the
// subdirectory is removed and must be removable; after all of them mnt must
// hold exactly what it held before, and no file descriptor may have leaked.
// Tests named in skip are reported as skipped with their reason; a name in
// skip that is not a test is an error, so typos do not hide gaps.
func RunAll(t *testing.T, mnt string, skip ...Skip) {
	t.Helper()
	reasons := map[string]string{}
	for _, s := range skip {
		for name, why := range s {
			if _, ok := All[name]; !ok {
				t.Errorf("mounttest: Skip names no test: %q", name)
			}
			reasons[name] = why
		}
	}
	if len(All) == 0 {
		t.Skip("mounttest: no tests on this operating system")
	}
	before, err := dirNames(mnt)
	if err != nil {
		t.Fatalf("mounttest: list %s: %v", mnt, err)
	}
	names := make([]string, 0, len(All))
	for name := range All {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if why, ok := reasons[name]; ok {
				t.Skip(why)
			}
			runOne(t, filepath.Join(mnt, name), All[name])
		})
	}
	after, err := dirNames(mnt)
	if err != nil {
		t.Fatalf("mounttest: list %s: %v", mnt, err)
	}
	if !slices.Equal(before, after) {
		t.Errorf("mounttest: %s held %q before the suite and %q after", mnt, before, after)
	}
}

// runOne runs fn in a fresh directory dir and removes it afterwards.
func runOne(t *testing.T, dir string, fn func(t *testing.T, mnt string)) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("mounttest: create the test directory: %v", err)
	}
	fds := openFDs()
	// registered before the test's own cleanups, so it runs after them
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("mounttest: remove the test directory: %v", err)
		} else if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("mounttest: the test directory survived its removal: %v", err)
		}
		if now := openFDs(); fds >= 0 && now > fds {
			t.Errorf("mounttest: %d file descriptors leaked (%d open before, %d after)", now-fds, fds, now)
		}
	})
	fn(t, dir)
}

// dirNames lists dir's entries, sorted.
func dirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}
