package host

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestHclogAdapter(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := newHclog(l.With("volume", "v")).Named("plugin").Named("memfs").With("pid", 42)

	h.Debug("hidden", "k", 1) // below the handler's level
	h.Info("started", "after", "1s")
	h.Log(hclog.Error, "failed", "error", "boom")
	h.Log(hclog.Off, "never")
	out := buf.String()
	for _, want := range []string{
		`level=INFO msg=started volume=v logger=plugin.memfs pid=42 after=1s`,
		`level=ERROR msg=failed volume=v logger=plugin.memfs pid=42 error=boom`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hidden") || strings.Contains(out, "never") {
		t.Errorf("lines below the level or Off were written:\n%s", out)
	}
	if h.IsDebug() || !h.IsInfo() || !h.IsError() || h.GetLevel() != hclog.Info {
		t.Errorf("levels: debug %v info %v error %v level %v", h.IsDebug(), h.IsInfo(), h.IsError(), h.GetLevel())
	}
	if h.Name() != "plugin.memfs" || h.ResetNamed("x").Name() != "x" {
		t.Errorf("names %q %q", h.Name(), h.ResetNamed("x").Name())
	}
	buf.Reset()
	h.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Warn}).Print("from the log package")
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "from the log package") {
		t.Errorf("standard logger wrote %q", buf.String())
	}
}
