package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServiceInstallUninstall installs the unit under a test root (so the
// real service manager is left alone: there is no systemd on this
// machine), checks it runs this very binary with the given config, then
// removes it.
func TestServiceInstallUninstall(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	r := plugfs(t, nil, "service", "status", "--root", root)
	mustContain(t, "status before install", r.stdout, "not installed")
	r = plugfs(t, nil, "service", "install", "--root", root, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("install: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "install output", r.stdout, "does not exist yet", "systemctl daemon-reload && systemctl enable --now plugfs")
	b, err := os.ReadFile(filepath.Join(root, "etc/systemd/system/plugfs.service"))
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := filepath.EvalSymlinks(plugfsBin)
	bin, _ = filepath.Abs(bin)
	mustContain(t, "unit", string(b), "\nExecStart="+bin+" daemon --config "+cfg+"\n", "\nType=notify\n", "\nKillMode=mixed\n")
	r = plugfs(t, nil, "service", "status", "--root", root)
	mustContain(t, "status after install", r.stdout, "installed: ")
	if strings.Contains(r.stdout, "not installed") {
		t.Errorf("status after install: %s", r.stdout)
	}
	r = plugfs(t, nil, "service", "uninstall", "--root", root)
	if r.code != 0 {
		t.Fatalf("uninstall: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/systemd/system/plugfs.service")); !os.IsNotExist(err) {
		t.Errorf("unit left after uninstall: %v", err)
	}
	r = plugfs(t, nil, "service", "uninstall", "--root", root)
	mustContain(t, "second uninstall", r.stdout, "was not installed")
}
