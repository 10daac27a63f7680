//go:build !windows

package main

import (
	"context"
	"os"
)

// serviceControl is the Windows service's hold on a running daemon;
// elsewhere the service manager speaks signals and sd_notify.
type serviceControl struct{}

// runDaemonService runs the daemon: only Windows has another way.
func (a *app) runDaemonService(ctx context.Context) error { return a.runDaemon(ctx) }

// serviceControls returns nil: there is no service control to relay.
func serviceControls(context.Context, chan<- os.Signal) *serviceControl { return nil }

// ready does nothing.
func (*serviceControl) ready() {}
