package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
)

// fakeDriver is a driver that is available or not, for checkDrivers.
type fakeDriver struct {
	name string
	err  error
}

func (d fakeDriver) Name() string     { return d.name }
func (d fakeDriver) Available() error { return d.err }
func (fakeDriver) Mount(context.Context, *vfs.VFS, string, core.MountOptions) (core.Mounted, error) {
	return nil, fmt.Errorf("fake driver mounts nothing")
}

func TestCheckDrivers(t *testing.T) {
	winfsp := fakeDriver{"cgofuse", fmt.Errorf("%w: WinFsp is not installed; install WinFsp: winget install WinFsp.WinFsp", core.ErrDriverUnavailable)}
	for _, tc := range []struct {
		name    string
		drivers []core.Driver
		status  checkStatus
		detail  string
		fix     string
	}{
		{"none built in", nil, checkFail, "no mount driver is built", "build plugfs"},
		{"none available", []core.Driver{winfsp}, checkFail, "cgofuse: ", "winget install WinFsp"},
		{"one of two", []core.Driver{fakeDriver{name: "gofuse"}, winfsp}, checkOK, "gofuse (default gofuse); not available: cgofuse", ""},
		{"all", []core.Driver{fakeDriver{name: "gofuse"}, fakeDriver{name: "bazil"}}, checkOK, "gofuse, bazil (default gofuse)", ""},
	} {
		c := checkDrivers(tc.drivers)
		if c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) || !strings.Contains(c.Fix, tc.fix) {
			t.Errorf("%s: %s %q (fix %q), want %s with %q (fix %q)", tc.name, c.Status, c.Detail, c.Fix, tc.status, tc.detail, tc.fix)
		}
	}
}
