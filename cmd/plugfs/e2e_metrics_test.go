//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func scrapeText(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// sample returns the value of the first line of text that starts with
// prefix (a metric name with its labels), or -1.
func sample(text, prefix string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(l[len(prefix):]), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// TestMetricsAndStats: a mount with --metrics-listen counts what it
// serves (operations by result, bytes each way, latency, restarts,
// points, page-cache hits) and plugfs stats shows it; without an endpoint
// stats exits 55. memfs runs with a size limit, so its bytes go through
// the host (it donates no memory files then) and the kernel keeps its
// cached pages (it declares exclusive data).
func TestMetricsAndStats(t *testing.T) {
	addr := freeAddr(t)
	mnt := mountBackground(t, "memfs", "--name", "metered", "--metrics-listen", addr, "--opt", "size=1G")
	data := bytes.Repeat([]byte("x"), 3<<20)
	if err := os.WriteFile(filepath.Join(mnt, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := os.ReadFile(filepath.Join(mnt, "f")); err != nil || len(got) != len(data) {
			t.Fatalf("read back: %d bytes, %v", len(got), err)
		}
	}
	if _, err := os.Stat(filepath.Join(mnt, "missing")); err == nil {
		t.Fatal("missing file exists")
	}
	text := scrapeText(t, addr)
	if v := sample(text, `plugfs_bytes_total{direction="write",volume="metered"}`); v < float64(len(data)) {
		t.Errorf("bytes written: %v, want at least %d\n%s", v, len(data), text)
	}
	if v := sample(text, `plugfs_operations_total{op="Write",result="ok",volume="metered"}`); v < 1 {
		t.Errorf("ok writes counted: %v", v)
	}
	if v := sample(text, `plugfs_operations_total{op="Stat",result="ENOENT",volume="metered"}`); v < 1 {
		t.Errorf("failed lookups counted by portable code: %v\n%s", v, grepLines(text, "operations_total"))
	}
	if v := sample(text, `plugfs_operation_duration_seconds_count{op="Write",volume="metered"}`); v < 1 {
		t.Errorf("write latencies observed: %v", v)
	}
	if v := sample(text, `plugfs_cache_lookups_total{cache="page",result="hit",volume="metered"}`); v < 1 {
		t.Errorf("page-cache hits after reading an unchanged file again: %v\n%s", v, grepLines(text, "cache_lookups"))
	}
	if v := sample(text, `plugfs_mounting_points{volume="metered"}`); v != 1 {
		t.Errorf("mounting points: %v", v)
	}
	if v := sample(text, `plugfs_plugin_restarts_total{volume="metered"}`); v != 0 {
		t.Errorf("plugin restarts: %v", v)
	}

	r := plugfs(t, nil, "stats", "--metrics", "http://"+addr+"/metrics", "--interval", "200ms", "--count", "1")
	if r.code != 0 {
		t.Fatalf("stats: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "stats", r.stdout, "VOLUME", "OPS/S", "READ MiB/S", "WRITE MiB/S", "RESTARTS", "metered")
	r = plugfs(t, nil, "stats", "nosuch", "--metrics", "http://"+addr+"/metrics", "--count", "1")
	if r.code != exitNoMetrics || !strings.Contains(r.stderr, "metered") {
		t.Errorf("stats of an unknown volume: exit %d: %s", r.code, r.stderr)
	}
	r = plugfs(t, nil, "stats", "--metrics", "http://"+freeAddr(t)+"/metrics", "--count", "1")
	if r.code != exitNoMetrics || !strings.Contains(r.stderr, "--metrics-listen") {
		t.Errorf("stats with no endpoint: exit %d: %s", r.code, r.stderr)
	}
	r = plugfs(t, nil, "mount", "memfs", t.TempDir(), "--metrics-listen", "nonsense")
	if r.code != exitUsage || !strings.Contains(r.stderr, "host:port") {
		t.Errorf("a bad metrics address: exit %d: %s", r.code, r.stderr)
	}
}

func grepLines(text, sub string) string {
	var out []string
	re := regexp.MustCompile(regexp.QuoteMeta(sub))
	for _, l := range strings.Split(text, "\n") {
		if re.MatchString(l) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestResultLabels: every portable code has its own label.
func TestResultLabels(t *testing.T) {
	seen := map[string]bool{}
	for c := sdk.CodeOK; c <= sdk.CodeNoSys; c++ {
		l := resultLabel(c)
		if seen[l] {
			t.Errorf("code %d (%v) shares the label %q", c, c, l)
		}
		seen[l] = true
	}
}

// TestDaemonMetrics: the daemon's endpoint counts each volume apart and
// reads their mounting points at scrape time.
func TestDaemonMetrics(t *testing.T) {
	dir, a, b := t.TempDir(), t.TempDir(), t.TempDir()
	sock, cfg, addr := filepath.Join(dir, "s.sock"), filepath.Join(dir, "c.yaml"), freeAddr(t)
	// A size limit keeps memfs's bytes in calls (no donated memory
	// files), where the host counts them.
	writeConfig(t, cfg, fmt.Sprintf("daemon:\n  metrics_listen: %s\nvolumes:\n  - name: va\n    plugin: memfs\n    options: {size: 1G}\n    mountpoints: [%s]\n  - name: vb\n    plugin: memfs\n    options: {size: 1G}\n    mountpoints: [%s]\n", addr, a, b))
	d := startDaemon(t, cfg, sock)
	defer d.stop(t, 15*time.Second)
	if err := os.WriteFile(filepath.Join(a, "f"), bytes.Repeat([]byte("a"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	text := scrapeText(t, addr)
	if v := sample(text, `plugfs_bytes_total{direction="write",volume="va"}`); v < 1<<20 {
		t.Errorf("va bytes written: %v", v)
	}
	if v := sample(text, `plugfs_bytes_total{direction="write",volume="vb"}`); v > 0 {
		t.Errorf("vb bytes written: %v, want none", v)
	}
	for _, v := range []string{"va", "vb"} {
		if n := sample(text, `plugfs_mounting_points{volume="`+v+`"}`); n != 1 {
			t.Errorf("%s mounting points: %v", v, n)
		}
	}
}
