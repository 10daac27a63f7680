package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/core/pointwatch"
)

// agentCLI runs the plugfs command line in this process.
func agentCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newApp().root()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// agentVolumes is a List answer with a point of every kind, global and
// local, in this session (0x1234) and others.
func agentVolumes() *controlv1.ListResponse {
	mp := func(path, kind, flags string, auth uint64) *controlv1.MountPoint {
		return &controlv1.MountPoint{Path: path, Kind: kind, Flags: flags, AuthId: auth, Driver: "cgofuse", Since: 42}
	}
	return &controlv1.ListResponse{Volumes: []*controlv1.Volume{
		{Name: "data", State: "mounted", Points: []*controlv1.MountPoint{
			mp("X:", "drive", "global", 0),
			mp(`\\.\Data`, "unc", "global", 0),
			mp("W:;srv;share", "network", "network", 0),
			mp("L:", "drive", "local", 0x1234),
		}},
		{Name: "other", State: "mounted", Points: []*controlv1.MountPoint{
			mp("Q:", "auto-drive", "global", 0),
			mp("O:", "drive", "local", 0x5678),
			mp("S:", "drive", "local", 0),
			mp(`C:\Mounts\Data`, "folder", "mount-manager", 0),
			mp(";;pub", "network", "network,read-share", 0),
		}},
		{Name: "broken", State: "failed", DeclaredPoints: []string{"B:"}},
	}}
}

func TestAgentListedPoints(t *testing.T) {
	got := listedPoints(agentVolumes())
	if len(got) != 9 {
		t.Fatalf("listedPoints gave %d points, want 9: %v", len(got), got)
	}
	want0 := pointwatch.Point{Volume: "data", Path: "X:", Kind: "drive", Flags: "global", Since: 42}
	want3 := pointwatch.Point{Volume: "data", Path: "L:", Kind: "drive", Flags: "local", AuthID: 0x1234, Since: 42}
	want4 := pointwatch.Point{Volume: "other", Path: "Q:", Kind: "auto-drive", Flags: "global", Since: 42}
	if got[0] != want0 || got[3] != want3 || got[4] != want4 {
		t.Errorf("listedPoints = %+v", got)
	}
	if listedPoints(&controlv1.ListResponse{}) != nil || listedPoints(nil) != nil {
		t.Error("no volumes should give no points")
	}
}

// paths returns the paths of pts.
func paths(pts []pointwatch.Point) []string {
	var out []string
	for _, p := range pts {
		out = append(out, p.Path)
	}
	return out
}

func TestAgentSessionLetters(t *testing.T) {
	all := func(context.Context) ([]pointwatch.Point, error) { return listedPoints(agentVolumes()), nil }
	for _, tc := range []struct {
		sess uint64
		want []string
	}{
		{0x1234, []string{"X:", "W:;srv;share", "L:", "Q:"}},
		{0x5678, []string{"X:", "W:;srv;share", "Q:", "O:"}},
		{0, []string{"X:", "W:;srv;share", "Q:"}}, // session not known: global letters only
	} {
		got, err := sessionLetters(all, tc.sess)(context.Background())
		if err != nil || !slices.Equal(paths(got), tc.want) {
			t.Errorf("session %#x: %q, %v; want %q", tc.sess, paths(got), err, tc.want)
		}
	}
	gone := errors.New("gone")
	if _, err := sessionLetters(func(context.Context) ([]pointwatch.Point, error) { return nil, gone }, 1)(context.Background()); !errors.Is(err, gone) {
		t.Errorf("the source's error was not passed on: %v", err)
	}
}

// agentScript is a fake daemon: each poll answers the next step.
type agentScript struct {
	steps []func() (*controlv1.ListResponse, error)
	n     int
}

func (s *agentScript) list(context.Context) ([]pointwatch.Point, error) {
	step := s.steps[min(s.n, len(s.steps)-1)]
	s.n++
	resp, err := step()
	if err != nil {
		return nil, err
	}
	return listedPoints(resp), nil
}

func answer(r *controlv1.ListResponse) func() (*controlv1.ListResponse, error) {
	return func() (*controlv1.ListResponse, error) { return r, nil }
}

// TestAgentAnnouncements drives the agent's watcher through a daemon's
// life with a fake announcer: letters at start, a volume unmounted, the
// daemon gone (after the patience), back, and an announcement that
// fails (logged, the watch goes on).
func TestAgentAnnouncements(t *testing.T) {
	full := agentVolumes()
	dataOnly := &controlv1.ListResponse{Volumes: full.Volumes[:1]}
	gone := func() (*controlv1.ListResponse, error) {
		return nil, fmt.Errorf("%w (nothing listens at test)", errNoDaemon)
	}
	s := &agentScript{steps: []func() (*controlv1.ListResponse, error){
		answer(full), answer(full), answer(dataOnly), gone, gone, gone, answer(dataOnly),
	}}
	var got []string
	failQ := true
	announce := func(l byte, arrival, network bool) error {
		e := fmt.Sprintf("-%c", l)
		if arrival {
			e = fmt.Sprintf("+%c", l)
		}
		if network {
			e += " net"
		}
		got = append(got, e)
		if l == 'Q' && failQ {
			failQ = false
			return errors.New("broadcast refused")
		}
		return nil
	}
	var log bytes.Buffer
	w := agentWatcher(sessionLetters(s.list, 0x1234), pointwatch.DefaultInterval, announce, slog.New(slog.NewTextHandler(&log, nil)))
	want := [][]string{
		{"+X", "+W net", "+L", "+Q"},
		nil,
		{"-Q"},
		nil, // the first failure is within the patience
		{"-X", "-W net", "-L"},
		nil,
		{"+X", "+W net", "+L"},
	}
	for i := range s.steps {
		got = nil
		err := watchAgent(context.Background(), w, true)
		if (i >= 3 && i <= 5) != errors.Is(err, errNoDaemon) {
			t.Errorf("poll %d: %v", i, err)
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("poll %d announced %q, want %q", i, got, want[i])
		}
	}
	out := log.String()
	for _, line := range []string{
		`level=WARN msg="drive arrived: announcing it failed" letter=Q: volume=other point=Q: err="broadcast refused"`,
		`level=INFO msg="drive arrived" letter=W: volume=data point=W:;srv;share`,
		`level=INFO msg="drive removed" letter=Q: volume=other point=Q:`,
		`level=WARN msg="cannot see the daemon's mounting points; trying again every interval" err="no plugfs daemon is running (nothing listens at test)"`,
	} {
		if !strings.Contains(out, line) {
			t.Errorf("the log lacks %s:\n%s", line, out)
		}
	}
	if n := strings.Count(out, "cannot see the daemon"); n != 1 {
		t.Errorf("a run of 3 failed polls was logged %d times, want once:\n%s", n, out)
	}
}

// TestAgentWatchEnds: interrupted (ctx cancelled), the agent ends
// without an error.
func TestAgentWatchEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	w := agentWatcher(func(context.Context) ([]pointwatch.Point, error) {
		polls++
		cancel()
		return nil, nil
	}, pointwatch.DefaultInterval, func(byte, bool, bool) error { return nil }, slog.New(slog.DiscardHandler))
	if err := watchAgent(ctx, w, false); err != nil || polls != 1 {
		t.Errorf("watchAgent = %v after %d polls, want nil after 1", err, polls)
	}
}

func TestAgentUsage(t *testing.T) {
	for _, args := range [][]string{
		{"agent", "--interval", "0s"},
		{"agent", "--once", "--install"},
		{"agent", "--install", "--uninstall"},
		{"agent", "--interval", "soon"},
	} {
		out, err := agentCLI(t, args...)
		if code := exitCode(err); code != exitUsage {
			t.Errorf("%q: exit %d (%v), want %d\n%s", args, code, err, exitUsage, out)
		}
	}
}
