package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/plugfs/plugfs/sdk"
)

// metrics are one server's Prometheus metrics, for every volume it
// serves (the prometheus client library: the exposition format and its
// histogram maths are not ours to reinvent).
type metrics struct {
	reg     *prometheus.Registry
	ops     *prometheus.CounterVec
	latency *prometheus.HistogramVec
	bytes   *prometheus.CounterVec
	cache   *prometheus.CounterVec

	mu      sync.Mutex
	volumes func() []volumeSample // the live volumes, read at scrape time
}

// volumeSample is one live volume's state at a scrape.
type volumeSample struct {
	name     string
	restarts int
	points   int
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "plugfs", Name: "operations_total",
			Help: "Operations served, by volume, plugin operation and result (ok, or the error as its POSIX name: ENOENT, ...; unavailable and timeout for a plugin that is down or late).",
		}, []string{"volume", "op", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "plugfs", Name: "operation_duration_seconds",
			Help:    "How long operations took, by volume and plugin operation.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 4, 10), // 10 µs .. 2.6 s
		}, []string{"volume", "op"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "plugfs", Name: "bytes_total",
			Help: "File bytes moved by reads and writes the host served (not those the kernel passed through to a donated file).",
		}, []string{"volume", "direction"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "plugfs", Name: "cache_lookups_total",
			Help: "Lookups of the caches that save plugin calls, by volume, cache (page: an open kept the kernel's cached pages of a file the plugin owns; path: a path-based driver's path cache) and result (hit, miss).",
		}, []string{"volume", "cache", "result"}),
	}
	m.reg.MustRegister(m.ops, m.latency, m.bytes, m.cache, volumeCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observer returns the host.Config.Observe function of one volume.
func (m *metrics) observer(volume string) func(op string, took time.Duration, n int, err error) {
	if m == nil {
		return nil
	}
	return func(op string, took time.Duration, n int, err error) {
		result := resultLabel(sdk.CodeOf(err))
		m.ops.WithLabelValues(volume, op, result).Inc()
		m.latency.WithLabelValues(volume, op).Observe(took.Seconds())
		switch {
		case n <= 0:
		case op == "Read":
			m.bytes.WithLabelValues(volume, "read").Add(float64(n))
		case op == "Write":
			m.bytes.WithLabelValues(volume, "write").Add(float64(n))
		}
	}
}

// cacheObserver returns the vfs.Options.OnCache function of one volume.
func (m *metrics) cacheObserver(volume string) func(cache string, hit bool) {
	if m == nil {
		return nil
	}
	return func(cache string, hit bool) {
		result := "miss"
		if hit {
			result = "hit"
		}
		m.cache.WithLabelValues(volume, cache, result).Inc()
	}
}

// track sets where the live volumes' gauges (plugin restarts, mounting
// points) are read from at each scrape.
func (m *metrics) track(volumes func() []volumeSample) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.volumes = volumes
	m.mu.Unlock()
}

var (
	restartsDesc = prometheus.NewDesc("plugfs_plugin_restarts_total", "Times the volume's plugin was restarted after it died.", []string{"volume"}, nil)
	pointsDesc   = prometheus.NewDesc("plugfs_mounting_points", "The volume's mounting points.", []string{"volume"}, nil)
)

// volumeCollector reads the tracked volumes at scrape time.
type volumeCollector struct{ m *metrics }

// Describe implements prometheus.Collector.
func (c volumeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- restartsDesc; ch <- pointsDesc }

// Collect implements prometheus.Collector.
func (c volumeCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	volumes := c.m.volumes
	c.m.mu.Unlock()
	if volumes == nil {
		return
	}
	for _, v := range volumes() {
		ch <- prometheus.MustNewConstMetric(restartsDesc, prometheus.CounterValue, float64(v.restarts), v.name)
		ch <- prometheus.MustNewConstMetric(pointsDesc, prometheus.GaugeValue, float64(v.points), v.name)
	}
}

// startMetrics returns the metrics of a server and serves them on addr
// until ctx ends; with addr "" it returns nil (no metrics: every use of a
// nil *metrics is a no-op).
func startMetrics(ctx context.Context, addr string, log *slog.Logger) (*metrics, error) {
	if addr == "" {
		return nil, nil
	}
	m := newMetrics()
	if err := serveMetrics(ctx, addr, m, log); err != nil {
		return nil, err
	}
	return m, nil
}

// serveMetrics serves /metrics on addr until ctx ends. The listener is
// open when it returns, so a bad address fails at once.
func serveMetrics(ctx context.Context, addr string, m *metrics, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError{fmt.Errorf("metrics address %q: %w (give host:port, such as 127.0.0.1:9477)", addr, err)}
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", "error", err)
		}
	}()
	log.Info("serving metrics", "address", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

// resultNames label results by the POSIX name of the portable code.
var resultNames = map[sdk.Code]string{
	sdk.CodeOK: "ok", sdk.CodeIO: "EIO", sdk.CodeNotExist: "ENOENT", sdk.CodeExist: "EEXIST",
	sdk.CodePermission: "EACCES", sdk.CodeNotPermitted: "EPERM", sdk.CodeInvalid: "EINVAL",
	sdk.CodeNotDir: "ENOTDIR", sdk.CodeIsDir: "EISDIR", sdk.CodeNotEmpty: "ENOTEMPTY",
	sdk.CodeNoSpace: "ENOSPC", sdk.CodeNotSupported: "ENOTSUP", sdk.CodeNameTooLong: "ENAMETOOLONG",
	sdk.CodeNoAttr: "ENODATA", sdk.CodeCrossDevice: "EXDEV", sdk.CodeReadOnly: "EROFS",
	sdk.CodeBadHandle: "EBADF", sdk.CodeTooManyLinks: "EMLINK", sdk.CodeLoop: "ELOOP",
	sdk.CodeRange: "ERANGE", sdk.CodeFileTooBig: "EFBIG", sdk.CodeBusy: "EBUSY",
	sdk.CodeStale: "ESTALE", sdk.CodeUnavailable: "unavailable", sdk.CodeTimeout: "timeout",
	sdk.CodeCanceled: "EINTR", sdk.CodeNoSys: "ENOSYS",
}

// resultLabel is the result label of an operation that ended with code.
func resultLabel(c sdk.Code) string {
	if n, ok := resultNames[c]; ok {
		return n
	}
	return "EIO"
}
