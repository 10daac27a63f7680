package fstest

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Options adapt the suite to a backend that legitimately lacks something.
// The zero value asks for everything; every allowance is logged.
type Options struct {
	// TimeGranularity is the resolution at which the backend stores
	// timestamps (2s for FAT, 1s for many object stores); 0 means 1ns.
	// Explicit times are compared after truncation to it, and the suite
	// waits longer than it before expecting a timestamp to move.
	TimeGranularity time.Duration
	// NoOwnership says the backend does not keep uid and gid: chown and
	// the owner of new objects are then not compared.
	NoOwnership bool
	// Parallel runs the tests in parallel with each other.
	Parallel bool
	// Skip names tests (method names such as "TestReadLargeOffset") not to
	// run, each with the reason, which is reported with the skip.
	Skip map[string]string
}

// Suite is the conformance suite. Its methods named Test* are the tests,
// found by reflection: adding a test is adding a method. Each gets a fresh
// file system from NewFS.
type Suite struct {
	NewFS   func(t *testing.T) sdk.FileSystem
	Options Options
}

// Run runs the whole suite against file systems made by newFS, each test in
// its own subtest with its own fresh, empty file system.
func Run(t *testing.T, newFS func(t *testing.T) sdk.FileSystem) {
	RunWithOptions(t, newFS, Options{})
}

// RunWithOptions is Run with allowances for what the backend lacks.
func RunWithOptions(t *testing.T, newFS func(t *testing.T) sdk.FileSystem, o Options) {
	(&Suite{NewFS: newFS, Options: o}).Run(t)
}

// Cases returns the names of the suite's tests (its Test* methods), sorted.
func (s *Suite) Cases() []string {
	var names []string
	ty := reflect.TypeOf(s)
	for i := range ty.NumMethod() {
		if m := ty.Method(i); strings.HasPrefix(m.Name, "Test") {
			names = append(names, m.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Run runs every test of s as a subtest of t.
func (s *Suite) Run(t *testing.T) {
	t.Helper()
	if s.Options.TimeGranularity > 0 {
		t.Logf("fstest: timestamps compared at %v granularity", s.Options.TimeGranularity)
	}
	if s.Options.NoOwnership {
		t.Logf("fstest: ownership not compared (Options.NoOwnership)")
	}
	v := reflect.ValueOf(s)
	for _, name := range s.Cases() {
		fn, ok := v.MethodByName(name).Interface().(func(*testing.T))
		if !ok {
			t.Errorf("fstest: method %s is not func(*testing.T)", name)
			continue
		}
		t.Run(strings.TrimPrefix(name, "Test"), func(t *testing.T) {
			if reason, ok := s.Options.Skip[name]; ok {
				t.Skipf("skipped by Options.Skip: %s", reason)
			}
			if s.Options.Parallel {
				t.Parallel()
			}
			fn(t)
		})
	}
	for name := range s.Options.Skip {
		if !v.MethodByName(name).IsValid() {
			t.Errorf("fstest: Options.Skip names %q, which is not a test", name)
		}
	}
}

// env is what one test works with: a fresh file system and its features.
type env struct {
	t    *testing.T
	fs   sdk.FileSystem
	ctx  context.Context
	feat sdk.Features
	opt  Options
}

// env makes the fresh file system for one test and checks it is empty.
func (s *Suite) env(t *testing.T) *env {
	t.Helper()
	fsys := s.NewFS(t)
	if fsys == nil {
		t.Fatal("fstest: NewFS returned nil")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &env{t: t, fs: fsys, ctx: ctx, feat: sdk.DetectFeatures(fsys), opt: s.Options}
}

// gran returns the timestamp granularity.
func (e *env) gran() time.Duration {
	if e.opt.TimeGranularity > 0 {
		return e.opt.TimeGranularity
	}
	return time.Nanosecond
}

// tick waits long enough for a new timestamp to differ from an old one.
func (e *env) tick() {
	time.Sleep(max(e.gran()+e.gran()/2, 5*time.Millisecond))
}
