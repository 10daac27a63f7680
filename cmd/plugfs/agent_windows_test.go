//go:build windows

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows/registry"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/windows/session"
	"github.com/plugfs/plugfs/platform/winsvc"
)

// TestAgentAnnouncesForReal runs the agent's notify path with a fake
// daemon and the real announcement: BroadcastSystemMessageW and
// SHChangeNotify, which Wine executes and reports successful (see
// platform/windows/shellnotify). Letters no drive uses come, then go.
// Wine knows no logon sessions (CurrentAuthenticationID fails there), so
// under Wine only the global letters concern this session; on Windows
// the local letter of this session is announced too.
func TestAgentAnnouncesForReal(t *testing.T) {
	sess, err := session.CurrentAuthenticationID()
	if err != nil {
		t.Logf("this logon session is not known (%v): global letters only", err)
		sess = 0
	}
	mp := func(path, kind, flags string, auth uint64) *controlv1.MountPoint {
		return &controlv1.MountPoint{Path: path, Kind: kind, Flags: flags, AuthId: auth, Since: 1}
	}
	points := []*controlv1.MountPoint{
		mp("Q:", "drive", "global", 0),
		mp("R:;srv;share", "network", "network", 0),
		mp("P:", "auto-drive", "local", sess+1), // another session's
		mp("O:", "drive", "local", 0),           // the daemon's own session's
		mp(`\\.\Data`, "unc", "global", 0),      // no letter
	}
	want := []string{"+Q", "+R net"}
	if sess != 0 {
		points = append(points, mp("T:", "drive", "local", sess))
		want = append(want, "+T")
	}
	up := &controlv1.ListResponse{Volumes: []*controlv1.Volume{{Name: "v", State: "mounted", Points: points}}}
	s := &agentScript{steps: []func() (*controlv1.ListResponse, error){answer(up), answer(&controlv1.ListResponse{})}}

	var got []string
	announce := func(l byte, arrival, network bool) error {
		err := announceDrive(l, arrival, network) // the real one
		e := fmt.Sprintf("-%c", l)
		if arrival {
			e = fmt.Sprintf("+%c", l)
		}
		if network {
			e += " net"
		}
		if err != nil {
			t.Errorf("announcing %s: %v", e, err)
		}
		got = append(got, e)
		return err
	}
	var log bytes.Buffer
	w := agentWatcher(sessionLetters(s.list, sess), time.Second, announce, slog.New(slog.NewTextHandler(&log, nil)))
	if err := watchAgent(context.Background(), w, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("arrivals announced: %q, want %q", got, want)
	}
	got = nil
	if err := watchAgent(context.Background(), w, true); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i] = "-" + want[i][1:]
	}
	if !slices.Equal(got, want) {
		t.Errorf("removals announced: %q, want %q", got, want)
	}
	if strings.Contains(log.String(), "failed") {
		t.Errorf("an announcement failed:\n%s", log.String())
	}
}

// TestAgentRunValue writes, reads and removes a Run value in Wine's (or
// Windows') real registry: first through the helpers under a key of the
// test's own, then through plugfs agent --install and --uninstall, which
// write HKCU's real Run key.
func TestAgentRunValue(t *testing.T) {
	parent := fmt.Sprintf(`Software\plugfs-test-%d`, os.Getpid())
	key := parent + `\Run`
	t.Cleanup(func() {
		_ = registry.DeleteKey(registry.CURRENT_USER, key)
		_ = registry.DeleteKey(registry.CURRENT_USER, parent)
	})
	if _, found, err := runValue(key, agentRunValue); found || err != nil {
		t.Fatalf("before: found %v, %v (the key does not exist yet)", found, err)
	}
	if found, err := deleteRunValue(key, agentRunValue); found || err != nil {
		t.Fatalf("delete without a key: found %v, %v", found, err)
	}
	line := `"C:\Program Files\plugfs\plugfs.exe" agent --no-console`
	if err := setRunValue(key, agentRunValue, line); err != nil {
		t.Fatal(err)
	}
	if got, found, err := runValue(key, agentRunValue); got != line || !found || err != nil {
		t.Fatalf("read back %q, %v, %v; want %q", got, found, err, line)
	}
	if found, err := deleteRunValue(key, agentRunValue); !found || err != nil {
		t.Fatalf("delete: found %v, %v", found, err)
	}
	if _, found, err := runValue(key, agentRunValue); found || err != nil {
		t.Fatalf("after delete: found %v, %v", found, err)
	}
	if found, err := deleteRunValue(key, agentRunValue); found || err != nil {
		t.Fatalf("second delete: found %v, %v", found, err)
	}

	// The command, on the real Run key.
	if _, found, err := runValue(agentRunKey, agentRunValue); found || err != nil {
		t.Skipf("HKCU\\%s\\%s exists on this machine (or cannot be read: %v): not touching it", agentRunKey, agentRunValue, err)
	}
	t.Cleanup(func() { _, _ = deleteRunValue(agentRunKey, agentRunValue) })
	pipe := `\\.\pipe\plugfs agent test`
	out, err := agentCLI(t, "agent", "--install", "--socket", pipe, "--interval", "5s")
	if err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	want := winsvc.CommandLine(exe, "agent", "--no-console", "--socket", pipe, "--interval", "5s")
	got, found, err := runValue(agentRunKey, agentRunValue)
	if !found || err != nil || got != want {
		t.Fatalf("the Run value is %q (found %v, %v), want %q", got, found, err, want)
	}
	if !strings.Contains(got, `"`+pipe+`"`) {
		t.Errorf("the pipe name with spaces is not quoted: %s", got)
	}
	if !strings.Contains(out, "added HKCU\\"+agentRunKey+"\\plugfs-agent: "+want) {
		t.Errorf("install output: %s", out)
	}
	if out, err := agentCLI(t, "agent", "--uninstall"); err != nil || !strings.Contains(out, "removed HKCU") {
		t.Fatalf("uninstall: %v\n%s", err, out)
	}
	if _, found, err := runValue(agentRunKey, agentRunValue); found || err != nil {
		t.Errorf("after uninstall: found %v, %v", found, err)
	}
	if out, err := agentCLI(t, "agent", "--uninstall"); err != nil || !strings.Contains(out, "nothing to remove") {
		t.Errorf("second uninstall: %v\n%s", err, out)
	}
}
