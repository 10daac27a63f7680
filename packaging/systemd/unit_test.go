// Package systemd_test checks the shipped systemd unit.
package systemd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/packaging/systemd"
)

func TestUnitDirectives(t *testing.T) {
	b, err := os.ReadFile("plugfs.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Type=notify", "NotifyAccess=main", "KillMode=mixed", "ExecReload=/bin/kill -HUP $MAINPID",
		"Restart=on-failure", "ExecStart=/usr/local/bin/plugfs daemon --config /etc/plugfs/config.yaml",
		"WantedBy=multi-user.target",
	} {
		if !strings.Contains(string(b), "\n"+want+"\n") {
			t.Errorf("plugfs.service lacks the line %q", want)
		}
	}
}

// TestUnitVerify runs systemd-analyze verify on the unit, with ExecStart
// pointing at an executable that exists here (this test binary).
func TestUnitVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: apt-get install systemd")
	}
	b, err := os.ReadFile("plugfs.service")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "plugfs.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/plugfs", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestUnitPaths: the rendered unit runs the given binary and config and
// keeps every other line.
func TestUnitPaths(t *testing.T) {
	shipped, err := os.ReadFile("plugfs.service")
	if err != nil {
		t.Fatal(err)
	}
	got := systemd.Unit("/opt/plugfs/bin/plugfs", "/srv/plugfs.yaml")
	if !strings.Contains(got, "\nExecStart=/opt/plugfs/bin/plugfs daemon --config /srv/plugfs.yaml\n") {
		t.Errorf("ExecStart not rewritten:\n%s", got)
	}
	if strings.Count(got, "\n") != strings.Count(string(shipped), "\n") || strings.Contains(got, "/usr/local/bin/plugfs daemon") {
		t.Errorf("rendered unit differs beyond ExecStart:\n%s", got)
	}
}
