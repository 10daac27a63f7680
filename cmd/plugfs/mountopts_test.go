package main

import (
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
)

func TestParseMountOpts(t *testing.T) {
	for _, tc := range []struct {
		raw        []string
		root       bool
		ro, others bool
		bad        bool
	}{
		{raw: nil, root: true, others: true},
		{raw: nil, root: false, others: false},
		{raw: []string{"private"}, root: true, others: false},
		{raw: []string{"ro,allow_other"}, root: false, ro: true, others: true},
		{raw: []string{"ro", "rw"}, root: false},
		{raw: []string{"turbo"}, bad: true},
		{raw: []string{"fsname="}, bad: true},
		{raw: []string{"dataplane=fast"}, bad: true},
		{raw: []string{"passthrough=maybe"}, bad: true},
		{raw: []string{"readdirplus=sometimes"}, bad: true},
	} {
		var m core.MountOptions
		err := parseMountOpts(tc.raw, &m, tc.root)
		if tc.bad {
			if exitCode(err) != exitUsage {
				t.Errorf("%v: err %v, want a usage error", tc.raw, err)
			}
			continue
		}
		if err != nil || m.ReadOnly != tc.ro || m.AllowOther != tc.others || (m.AllowOther && !m.DefaultPermissions) {
			t.Errorf("%v root=%v: %+v %v", tc.raw, tc.root, m, err)
		}
	}
}

// TestParseDataPlaneOpts: the data plane and passthrough choices reach
// the mount options.
func TestParseDataPlaneOpts(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		dp   core.DataPlane
		nopt bool
	}{
		{"", core.DataPlaneAuto, false},
		{"dataplane=shm", core.DataPlaneSharedMemory, false},
		{"dataplane=messages,passthrough=off", core.DataPlaneMessages, true},
		{"dataplane=grpc", core.DataPlaneGRPC, false},
		{"nopassthrough,passthrough", core.DataPlaneAuto, false},
		{"dataplane=auto,nopassthrough", core.DataPlaneAuto, true},
	} {
		var m core.MountOptions
		if err := parseMountOpts([]string{tc.raw}, &m, true); err != nil || m.DataPlane != tc.dp || m.NoPassthrough != tc.nopt {
			t.Errorf("-o %s: data plane %v, no passthrough %v, err %v; want %v, %v", tc.raw, m.DataPlane, m.NoPassthrough, err, tc.dp, tc.nopt)
		}
	}
}

func TestParsePluginOpts(t *testing.T) {
	got, err := parsePluginOpts([]string{"root=/a=b", "size=1G"})
	if err != nil || got["root"] != "/a=b" || got["size"] != "1G" {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range [][]string{{"noequals"}, {"=v"}, {"a=1", "a=2"}} {
		if _, err := parsePluginOpts(bad); exitCode(err) != exitUsage {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}

// TestParseWritebackOpt: -o writeback= reaches the driver's options.
func TestParseWritebackOpt(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want core.Writeback
	}{{"writeback=on", core.WritebackOn}, {"writeback=off", core.WritebackOff}, {"writeback=off,writeback=auto", core.WritebackAuto}, {"ro", core.WritebackAuto}} {
		var m core.MountOptions
		if err := parseMountOpts(strings.Split(c.raw, ","), &m, true); err != nil || m.Writeback != c.want {
			t.Errorf("-o %s: Writeback %v, err %v; want %v", c.raw, m.Writeback, err, c.want)
		}
	}
	var m core.MountOptions
	if err := parseMountOpts([]string{"writeback=yes"}, &m, true); exitCode(err) != exitUsage {
		t.Errorf("-o writeback=yes: %v, want a usage error", err)
	}
}

// TestParseReadDirPlusOpt: -o readdirplus=off reaches the driver's options.
func TestParseReadDirPlusOpt(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want bool
	}{{"readdirplus=off", true}, {"noreaddirplus,readdirplus", false}, {"ro", false}} {
		var m core.MountOptions
		if err := parseMountOpts(strings.Split(c.raw, ","), &m, true); err != nil || m.NoReadDirPlus != c.want {
			t.Errorf("-o %s: NoReadDirPlus %v, err %v; want %v", c.raw, m.NoReadDirPlus, err, c.want)
		}
	}
}

// TestParseReadAheadOpt: -o readahead=on|off|auto reaches the mount
// options (auto, the default, leaves it to the plugin).
func TestParseReadAheadOpt(t *testing.T) {
	for _, c := range []struct {
		raw     string
		on, off bool
	}{
		{"readahead=on", true, false}, {"noreadahead,readahead", true, false},
		{"readahead=off", false, true}, {"readahead,noreadahead", false, true},
		{"readahead=on,readahead=auto", false, false}, {"ro", false, false},
	} {
		var m core.MountOptions
		if err := parseMountOpts(strings.Split(c.raw, ","), &m, true); err != nil || m.ReadAhead != c.on || m.NoReadAhead != c.off {
			t.Errorf("-o %s: ReadAhead %v NoReadAhead %v, err %v; want %v %v", c.raw, m.ReadAhead, m.NoReadAhead, err, c.on, c.off)
		}
	}
	var m core.MountOptions
	if err := parseMountOpts([]string{"readahead=maybe"}, &m, true); exitCode(err) != exitUsage {
		t.Errorf("-o readahead=maybe: %v, want a usage error", err)
	}
}
