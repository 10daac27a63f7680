package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/core/pointwatch"
)

func init() { registerCommand((*app).agentCmd) }

// exitAgentUnsupported: plugfs agent runs in Windows sessions only.
const exitAgentUnsupported = 62

// agentRunValue is the value under HKCU\...\CurrentVersion\Run that
// agent --install writes.
const agentRunValue = "plugfs-agent"

// agentPatience is how many failed polls in a row, beyond the first,
// the agent waits before it takes the daemon for gone and announces the
// removal of its letters: one slow answer is not a stopped daemon.
const agentPatience = 1

// agentListTimeout bounds one List call to the daemon.
const agentListTimeout = 5 * time.Second

// agentFlags are plugfs agent's flags.
type agentFlags struct {
	interval  time.Duration
	once      bool
	install   bool
	uninstall bool
	noConsole bool
}

func (a *app) agentCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Tell Explorer in this Windows session about the daemon's drive letters",
		Long: `agent keeps Explorer in this Windows session up to date when the plugfs
daemon runs as a service. A service runs in session 0, and the
notifications it sends when it adds or removes a drive letter
(WM_DEVICECHANGE, SHChangeNotify) reach session 0 only. The agent, one per
user session, asks the daemon for its mounting points every --interval
and announces in its own session every drive letter that came or went:
letters of global points, and of points local to this logon session
(--auth-id of this session's AuthenticationId). At start it announces the
letters already there. If the daemon stops, its letters are announced as
removed; when it comes back, as added.

The agent only lists the daemon's volumes, which every user logged on at
this computer may do: it needs no administrator and no membership of
daemon.socket_group.

--install adds the value "plugfs-agent" to
HKCU\Software\Microsoft\Windows\CurrentVersion\Run, so that Windows starts
"plugfs agent --no-console" with this --socket and --interval at each
logon of this user; --uninstall removes it. Neither starts nor stops a
running agent.

Other systems need no agent (their mounts need no announcement): there it
exits with 62.`,
		Example: `  plugfs agent
  plugfs agent --once
  plugfs agent --install
  plugfs agent --uninstall`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.interval <= 0 {
				return usageError{fmt.Errorf("--interval %v: must be positive", f.interval)}
			}
			n := 0
			for _, b := range []bool{f.once, f.install, f.uninstall} {
				if b {
					n++
				}
			}
			if n > 1 {
				return usageError{errors.New("--once, --install and --uninstall: give one of them")}
			}
			return runAgent(cmd, a, f)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.interval, "interval", pointwatch.DefaultInterval, "time between two looks at the daemon's mounting points")
	fl.BoolVar(&f.once, "once", false, "announce the letters there now, once, and exit")
	fl.BoolVar(&f.install, "install", false, "start the agent at each logon of this user (HKCU Run value), then exit")
	fl.BoolVar(&f.uninstall, "uninstall", false, "remove the HKCU Run value --install added, then exit")
	fl.BoolVar(&f.noConsole, "no-console", false, "detach from the console window, which then closes (the Run value uses it; the log is then lost)")
	return cmd
}

// announcer tells this session that a drive letter arrived or was
// removed (shellnotify on Windows).
type announcer func(letter byte, arrival, network bool) error

// daemonPoints is a pointwatch.Source over the daemon's List call. It
// keeps one connection and dials again after a failure (the daemon may
// have restarted). A Watcher calls it one poll at a time.
type daemonPoints struct {
	addr string
	c    *daemonClient
}

// list returns every mounting point of the daemon's volumes.
func (d *daemonPoints) list(ctx context.Context) ([]pointwatch.Point, error) {
	if d.c == nil {
		c, err := dialDaemonToRead(d.addr) // List is a reader's call: any user's agent may make it
		if err != nil {
			return nil, err
		}
		d.c = c
	}
	ctx, cancel := context.WithTimeout(ctx, agentListTimeout)
	defer cancel()
	resp, err := d.c.List(ctx, &controlv1.ListRequest{})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("list the daemon's volumes: %w", daemonErr(err))
	}
	return listedPoints(resp), nil
}

// close drops the connection, if any.
func (d *daemonPoints) close() {
	if d.c != nil {
		d.c.Close()
		d.c = nil
	}
}

// listedPoints turns a List answer into points, volume by volume.
func listedPoints(resp *controlv1.ListResponse) []pointwatch.Point {
	var out []pointwatch.Point
	for _, v := range resp.GetVolumes() {
		for _, p := range v.GetPoints() {
			out = append(out, pointwatch.Point{Volume: v.GetName(), Path: p.GetPath(), Kind: p.GetKind(),
				Flags: p.GetFlags(), AuthID: p.GetAuthId(), Since: p.GetSince()})
		}
	}
	return out
}

// sessionLetters keeps, of what src lists, the points that show a drive
// letter to the logon session sess (its AuthenticationId; 0 when it is
// not known, which keeps global points only).
func sessionLetters(src pointwatch.Source, sess uint64) pointwatch.Source {
	return func(ctx context.Context) ([]pointwatch.Point, error) {
		pts, err := src(ctx)
		if err != nil {
			return nil, err
		}
		var out []pointwatch.Point
		for _, p := range pts {
			if _, ok := p.Letter(); ok && p.VisibleIn(sess) {
				out = append(out, p)
			}
		}
		return out, nil
	}
}

// agentWatcher returns the Watcher that announces the letters src lists
// as they come and go, logging each announcement and the first failure
// of a run of failed polls.
func agentWatcher(src pointwatch.Source, interval time.Duration, announce announcer, log *slog.Logger) *pointwatch.Watcher {
	say := func(p pointwatch.Point, arrival bool) {
		l, ok := p.Letter()
		if !ok {
			return
		}
		what := "drive removed"
		if arrival {
			what = "drive arrived"
		}
		attrs := []any{"letter", string(l) + ":", "volume", p.Volume, "point", p.Path}
		if err := announce(l, arrival, p.Network()); err != nil {
			log.Warn(what+": announcing it failed", append(attrs, "err", err)...)
			return
		}
		log.Info(what, attrs...)
	}
	return &pointwatch.Watcher{
		Source:   src,
		Interval: interval,
		Patience: agentPatience,
		Added:    func(p pointwatch.Point) { say(p, true) },
		Removed:  func(p pointwatch.Point) { say(p, false) },
		Failed: func(err error, streak int) {
			if streak == 1 {
				log.Warn("cannot see the daemon's mounting points; trying again every interval", "err", err)
			}
		},
	}
}

// watchAgent polls once (once) or until ctx ends. Ending by ctx is not
// an error.
func watchAgent(ctx context.Context, w *pointwatch.Watcher, once bool) error {
	if once {
		return w.Poll(ctx)
	}
	if err := w.Run(ctx); !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// agentLogger logs to the command's standard error.
func agentLogger(cmd *cobra.Command) *slog.Logger {
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
}
