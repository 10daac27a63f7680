package main

import (
	"slices"
	"testing"
)

func TestParseMountHelperArgs(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want []string
		fake bool
	}{
		{[]string{"memfs", "/mnt/x"}, []string{"mount", "memfs", "/mnt/x", "--background"}, false},
		{[]string{"local#/srv/data", "/mnt/x", "-n", "-s", "-v", "-o", "rw,noauto,_netdev,x-systemd.automount,defaults,nosuid,nodev,ro,opt.watch=true,driver=gofuse", "-t", "plugfs"},
			[]string{"mount", "local", "/mnt/x", "--background", "--opt", "root=/srv/data", "--opt", "watch=true", "--driver=gofuse", "-o", "rw,ro"}, false},
		{[]string{"-sfnv", "memfs", "/mnt/x", "-oopt.size=1M"}, []string{"mount", "memfs", "/mnt/x", "--background", "--opt", "size=1M"}, true},
	} {
		req, err := parseMountHelperArgs(tc.argv)
		if err != nil || !slices.Equal(req.args, tc.want) || req.fake != tc.fake {
			t.Errorf("parse %q = %q fake=%v, %v; want %q fake=%v", tc.argv, req.args, req.fake, err, tc.want, tc.fake)
		}
	}
	for _, bad := range [][]string{{"memfs"}, {"#root", "/mnt"}, {"memfs", "/mnt", "-o"}, {"memfs", "/mnt", "-x"}} {
		if _, err := parseMountHelperArgs(bad); err == nil {
			t.Errorf("parse %q: no error", bad)
		}
	}
}
