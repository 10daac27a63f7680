package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/spf13/cobra"
)

func init() { registerCommand((*app).statsCmd) }

// exitNoMetrics: plugfs stats found no metrics endpoint at the address.
const exitNoMetrics = 55

var errNoMetrics = errors.New("no plugfs metrics endpoint answers")

func init() {
	exitCodes = append(exitCodes, struct {
		err  error
		code int
	}{errNoMetrics, exitNoMetrics})
}

// defaultMetricsURL is where `plugfs daemon` with metrics_listen:
// 127.0.0.1:9477 (or plugfs mount --metrics-listen) serves.
const defaultMetricsURL = "http://127.0.0.1:9477/metrics"

func (a *app) statsCmd() *cobra.Command {
	var url string
	var interval time.Duration
	var count int
	cmd := &cobra.Command{
		Use:   "stats [VOLUME]",
		Short: "Show operations and throughput per volume, live",
		Long: `Stats reads the Prometheus endpoint of a plugfs server (plugfs daemon with
daemon.metrics_listen set, or plugfs mount --metrics-listen) every interval
and shows, per volume, operations and errors per second, the mean latency of
an operation, read and write throughput, plugin restarts and mounting
points. On a terminal it redraws in place until interrupted; --count stops
after that many intervals.`,
		Example: `  plugfs stats
  plugfs stats scratch --interval 5s
  plugfs stats --metrics http://10.0.0.5:9477/metrics --count 1`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval <= 0 {
				return usageError{fmt.Errorf("--interval %v: must be positive", interval)}
			}
			volume := ""
			if len(args) == 1 {
				volume = args[0]
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runStats(ctx, cmd.OutOrStdout(), url, volume, interval, count, isTerminal(cmd.OutOrStdout()))
		},
	}
	cmd.Flags().StringVar(&url, "metrics", defaultMetricsURL, "the server's metrics URL")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "time between two readings")
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many intervals (0: until interrupted)")
	return cmd
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// volumeTotals are one volume's counters at one reading.
type volumeTotals struct {
	ops, errors, reads, writes float64
	latencySum, latencyCount   float64
	restarts, points           float64
}

func runStats(ctx context.Context, out io.Writer, url, volume string, interval time.Duration, count int, redraw bool) error {
	prev, err := scrape(ctx, url)
	if err != nil {
		return err
	}
	if volume != "" {
		if _, ok := prev[volume]; !ok {
			return fmt.Errorf("%w: %s serves no volume named %s (it serves %s)", errNoMetrics, url, volume, strings.Join(names(prev), ", "))
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 0; count == 0 || i < count; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		cur, err := scrape(ctx, url)
		if err != nil {
			return err
		}
		if redraw {
			fmt.Fprint(out, "\033[H\033[2J")
		}
		printStats(out, prev, cur, volume, interval)
		prev = cur
	}
	return nil
}

func names(m map[string]volumeTotals) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// printStats prints the rates between two readings.
func printStats(out io.Writer, prev, cur map[string]volumeTotals, volume string, interval time.Duration) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "VOLUME\tOPS/S\tERRORS/S\tMEAN LATENCY\tREAD MiB/S\tWRITE MiB/S\tRESTARTS\tPOINTS\t")
	sec := interval.Seconds()
	for _, n := range names(cur) {
		if volume != "" && n != volume {
			continue
		}
		c, p := cur[n], prev[n]
		lat := "-"
		if dc := c.latencyCount - p.latencyCount; dc > 0 {
			lat = (time.Duration((c.latencySum - p.latencySum) / dc * float64(time.Second))).Round(time.Microsecond).String()
		}
		fmt.Fprintf(w, "%s\t%.0f\t%.0f\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t\n", n,
			(c.ops-p.ops)/sec, (c.errors-p.errors)/sec, lat,
			(c.reads-p.reads)/sec/(1<<20), (c.writes-p.writes)/sec/(1<<20), c.restarts, c.points)
	}
	w.Flush()
}

// scrape reads the endpoint and sums its plugfs metrics per volume.
func scrape(ctx context.Context, url string) (map[string]volumeTotals, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, usageError{fmt.Errorf("--metrics %q: %w", url, err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w at %s (%v): start plugfs daemon with daemon.metrics_listen, or plugfs mount with --metrics-listen", errNoMetrics, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w at %s: HTTP %s", errNoMetrics, url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: not Prometheus text: %v", errNoMetrics, url, err)
	}
	out := map[string]volumeTotals{}
	each := func(name string, fn func(t *volumeTotals, m *dto.Metric)) {
		f, ok := fams[name]
		if !ok {
			return
		}
		for _, m := range f.GetMetric() {
			v := label(m, "volume")
			t := out[v]
			fn(&t, m)
			out[v] = t
		}
	}
	each("plugfs_operations_total", func(t *volumeTotals, m *dto.Metric) {
		t.ops += m.GetCounter().GetValue()
		if label(m, "result") != "ok" {
			t.errors += m.GetCounter().GetValue()
		}
	})
	each("plugfs_operation_duration_seconds", func(t *volumeTotals, m *dto.Metric) {
		t.latencySum += m.GetHistogram().GetSampleSum()
		t.latencyCount += float64(m.GetHistogram().GetSampleCount())
	})
	each("plugfs_bytes_total", func(t *volumeTotals, m *dto.Metric) {
		switch label(m, "direction") {
		case "read":
			t.reads += m.GetCounter().GetValue()
		case "write":
			t.writes += m.GetCounter().GetValue()
		}
	})
	each("plugfs_plugin_restarts_total", func(t *volumeTotals, m *dto.Metric) { t.restarts = m.GetCounter().GetValue() })
	each("plugfs_mounting_points", func(t *volumeTotals, m *dto.Metric) { t.points = m.GetGauge().GetValue() })
	return out, nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
