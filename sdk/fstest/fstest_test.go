package fstest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/fstest"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// readOnly hides every optional interface of the file system it wraps.
type readOnly struct{ sdk.FileSystem }

// TestReadOnlyBackend: a backend with only the required interface passes,
// every optional test verifying the interface is absent.
func TestReadOnlyBackend(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return readOnly{memfs.New()} })
}

// TestReadOnlyBackendOverGRPC: across the wire the client has every
// method, so the suite checks the documented fallbacks instead.
func TestReadOnlyBackendOverGRPC(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return sdktest.OverGRPC(t, readOnly{memfs.New()}) })
}

// TestCases: the suite finds its tests by reflection.
func TestCases(t *testing.T) {
	cases := (&fstest.Suite{}).Cases()
	if len(cases) < 40 {
		t.Errorf("the suite has %d tests: %v", len(cases), cases)
	}
	for _, c := range cases {
		if !strings.HasPrefix(c, "Test") {
			t.Errorf("case %q", c)
		}
	}
}

// A buggy backend: memfs with one method broken.
type (
	readDirRestarts struct{ *memfs.FS }
	genericErrors   struct{ *memfs.FS }
	appendIgnored   struct{ *memfs.FS }
	shortReads      struct{ *memfs.FS }
	ownerIgnored    struct{ *memfs.FS }
	frozenMtime     struct{ *memfs.FS }
	staleHoles      struct{ *memfs.FS }
	unannounced     struct{ *memfs.FS }
)

func (b readDirRestarts) ReadDir(ctx context.Context, h sdk.Handle, _ uint64, max int) ([]sdk.DirEntry, error) {
	return b.FS.ReadDir(ctx, h, 0, max)
}

func (b genericErrors) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	a, err := b.FS.Stat(ctx, p)
	if err != nil {
		return a, errors.New("stat failed: " + err.Error())
	}
	return a, nil
}

func (b appendIgnored) Open(ctx context.Context, p string, fl sdk.OpenFlags, m fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	return b.FS.Open(ctx, p, fl&^sdk.Append, m)
}

func (b shortReads) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	return b.FS.Read(ctx, h, p[:min(len(p), 1000)], off)
}

func (b ownerIgnored) Mkdir(ctx context.Context, p string, m fs.FileMode) (sdk.Attr, error) {
	return b.FS.Mkdir(context.Background(), p, m)
}

func (b frozenMtime) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	a, err := b.FS.Stat(ctx, p)
	a.Mtime = time.Unix(1e9, 0)
	return a, err
}

// Read returns garbage instead of zeros in never-written ranges.
func (b staleHoles) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	n, err := b.FS.Read(ctx, h, p, off)
	for i := range p[:n] {
		if p[i] == 0 {
			p[i] = 0xAA
		}
	}
	return n, err
}

func (b unannounced) Features() sdk.Features {
	f := sdk.DetectFeatures(b.FS)
	f.Xattr = false
	return f
}

// bugs maps each buggy backend to the suite tests that must catch it.
var bugs = map[string]struct {
	wrap  func(*memfs.FS) sdk.FileSystem
	tests []string
}{
	"readdir-ignores-cookie": {func(f *memfs.FS) sdk.FileSystem { return readDirRestarts{f} }, []string{"ReadDirPagination", "ReadDirStableWhileChanging"}},
	"errors-not-sentinels":   {func(f *memfs.FS) sdk.FileSystem { return genericErrors{f} }, []string{"StatNotExist", "StatNotDir"}},
	"append-ignored":         {func(f *memfs.FS) sdk.FileSystem { return appendIgnored{f} }, []string{"OpenAppend"}},
	"short-reads":            {func(f *memfs.FS) sdk.FileSystem { return shortReads{f} }, []string{"ReadShortOnlyAtEOF"}},
	"owner-ignored":          {func(f *memfs.FS) sdk.FileSystem { return ownerIgnored{f} }, []string{"CallerOwnsNewObjects"}},
	"mtime-frozen":           {func(f *memfs.FS) sdk.FileSystem { return frozenMtime{f} }, []string{"WriteTimes", "DirTimes", "SetattrTimes"}},
	"holes-not-zero":         {func(f *memfs.FS) sdk.FileSystem { return staleHoles{f} }, []string{"ReadHoles", "ReadLargeOffset", "SetattrSize"}},
	"unannounced-xattr":      {func(f *memfs.FS) sdk.FileSystem { return unannounced{f} }, []string{"Xattr"}},
}

const bugEnv = "FSTEST_BUG"

// TestSuiteCatchesBugs runs the suite, in a child process, against memfs
// with one bug each, and checks that the tests meant to catch it fail.
func TestSuiteCatchesBugs(t *testing.T) {
	if name := os.Getenv(bugEnv); name != "" {
		// The child: run the suite against the buggy backend.
		fstest.Run(t, func(t *testing.T) sdk.FileSystem { return bugs[name].wrap(memfs.New()) })
		return
	}
	for name, bug := range bugs {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteCatchesBugs$/^("+strings.Join(bug.tests, "|")+")$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), bugEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a backend with bug %q:\n%s", name, out)
			}
			for _, test := range bug.tests {
				if !strings.Contains(string(out), "--- FAIL: TestSuiteCatchesBugs/"+test+" ") {
					t.Errorf("bug %q: test %s did not fail:\n%s", name, test, out)
				}
			}
		})
	}
}
