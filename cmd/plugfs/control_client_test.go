package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/platform/controlsock"
)

// TestDialErr: each of controlsock.Dial's refusals gets its own sentinel
// and exit code; an untrusted server keeps controlsock's message, which
// names the process and the fix.
func TestDialErr(t *testing.T) {
	const pipe = `\\.\pipe\plugfs`
	untrusted := fmt.Errorf("control pipe %s is served by process 703 ... Stop that process: %w", pipe, controlsock.ErrServerUntrusted)
	for _, tc := range []struct {
		err      error
		sentinel error
		code     int
		says     string
	}{
		{untrusted, errServerUntrusted, exitServerUntrusted, "served by process 703"},
		{fmt.Errorf("%w: no such pipe", controlsock.ErrNoServer), errNoDaemon, exitNoDaemon, "nothing listens at " + pipe},
		{fmt.Errorf("%w: access denied", controlsock.ErrDenied), errDaemonDenied, exitDaemonDenied, "no permission to connect"},
		{errors.New("something else"), errNoDaemon, exitNoDaemon, "something else"},
	} {
		got := dialErr(pipe, tc.err)
		if !errors.Is(got, tc.sentinel) || exitCode(got) != tc.code || !strings.Contains(got.Error(), tc.says) {
			t.Errorf("dialErr(%v) = %v (exit %d); want %v, exit %d, saying %q", tc.err, got, exitCode(got), tc.sentinel, tc.code, tc.says)
		}
	}
}
