package host

import (
	"context"

	"github.com/plugfs/plugfs/sdk"
)

// Watch implements sdk.Watcher for the volume: it passes on the changes
// the plugin reports (when it has the Watch feature) and reports
// sdk.ChangeAll whenever the plugin was restarted, since a new process
// may see another state (a memfs restarts empty). It returns nil when ctx
// ends or the host is closed.
func (b *Backend) Watch(ctx context.Context, notify func(sdk.Change)) error {
	h := b.h
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	var seen uint64
	for {
		in, err := h.running(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// Still restarting: instance waited RestartWait; ask again.
			continue
		}
		if seen != 0 && in.gen != seen {
			notify(sdk.Change{Kind: sdk.ChangeAll})
		}
		seen = in.gen
		if in.init.Features.Watch {
			wctx, wcancel := context.WithCancel(ctx)
			go func() {
				select {
				case <-in.dead:
					wcancel()
				case <-wctx.Done():
				}
			}()
			err := in.fs.Watch(wctx, notify)
			wcancel()
			if err != nil && ctx.Err() == nil && !in.exited() {
				h.cfg.Logger.Warn("plugin stopped reporting changes", "plugin", h.cfg.Name, "error", err)
			}
		}
		// Until this process is gone there is nothing more to report.
		select {
		case <-in.dead:
		case <-ctx.Done():
			return nil
		}
	}
}
