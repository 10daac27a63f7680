package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctorChecks: each check fails or warns on the broken input it is
// meant to catch, names it, and says how to fix it.
func TestDoctorChecks(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "fuse.conf")
	if err := os.WriteFile(conf, []byte("# comment\n user_allow_other \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	roDir := filepath.Join(dir, "ro")
	if err := os.Mkdir(roDir, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		c          doctorCheck
		status     checkStatus
		detail     string
		fixMention string
	}{
		{checkFuseDevice(filepath.Join(dir, "none")), checkFail, "no such file", "modprobe fuse"},
		{checkFuseDevice(plain), checkFail, "not a character device", "modprobe fuse"},
		{checkFuseDevice("/dev/fuse"), checkOK, "opens read-write", ""},
		{checkFusermount("", false), checkFail, "not found", "apt-get install fuse3"},
		{checkFusermount("", true), checkWarn, "not found", "apt-get install fuse3"},
		{checkFusermount(plain, false), checkFail, "not set-user-id", "chmod u+s"},
		{checkPassthrough("6.8.0-49-generic", true), checkWarn, "no FUSE passthrough", "6.9"},
		{checkPassthrough("6.18.44-fc-v769", false), checkWarn, "CAP_SYS_ADMIN", "as root"},
		{checkPassthrough("6.18.44-fc-v769", true), checkOK, "running as root", ""},
		{checkPassthrough("7.0", true), checkOK, "running as root", ""},
		{checkPassthrough("weird", true), checkWarn, "cannot read", ""},
		{checkAllowOther(conf, false), checkOK, "has user_allow_other", ""},
		{checkAllowOther(plain, false), checkWarn, "private", "user_allow_other"},
		{checkRunDir(filepath.Join(dir, "new", "runs")), checkOK, "runs", ""},
		{checkRunDir(filepath.Join(plain, "runs")), checkFail, "not a directory", "--run-dir"},
		{checkDaemonSocket(filepath.Join(dir, "no.sock")), checkOK, "no daemon", ""},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		cases = append(cases, struct {
			c          doctorCheck
			status     checkStatus
			detail     string
			fixMention string
		}{checkRunDir(filepath.Join(roDir, "runs")), checkFail, "cannot write", "--run-dir"})
	}
	for _, tc := range cases {
		if tc.c.Status != tc.status || !strings.Contains(tc.c.Detail, tc.detail) || !strings.Contains(tc.c.Fix, tc.fixMention) {
			t.Errorf("%s: %s %q (fix %q), want %s mentioning %q (fix mentioning %q)", tc.c.Name, tc.c.Status, tc.c.Detail, tc.c.Fix, tc.status, tc.detail, tc.fixMention)
		}
	}
}

// TestDoctorOnThisMachine runs the binary: this machine mounts (the
// e2e tests prove it), so nothing fails, and every check is named.
func TestDoctorOnThisMachine(t *testing.T) {
	r := plugfs(t, nil, "doctor", "--json")
	if r.code != 0 {
		t.Fatalf("doctor: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var checks []doctorCheck
	if err := json.Unmarshal([]byte(r.stdout), &checks); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
	}
	seen := map[string]checkStatus{}
	for _, c := range checks {
		seen[c.Name] = c.Status
	}
	for _, name := range []string{"fuse device", "fusermount3", "kernel passthrough", "allow_other", "mount drivers", "run directory", "daemon"} {
		if _, ok := seen[name]; !ok {
			t.Errorf("doctor did not check %q: %v", name, seen)
		}
	}
	for _, name := range []string{"fuse device", "mount drivers"} {
		if seen[name] != checkOK {
			t.Errorf("%s: %s on a machine that mounts", name, seen[name])
		}
	}
	// A run directory that cannot be made is a failure with its own code.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = plugfs(t, []string{"PLUGFS_RUN_DIR=" + filepath.Join(file, "runs")}, "doctor")
	if r.code != exitDoctorFailed || !strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "--run-dir") {
		t.Errorf("doctor with an impossible run dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
