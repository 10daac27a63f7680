//go:build !windows

package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

// runAgent refuses: only Windows sessions need the agent.
func runAgent(*cobra.Command, *app, agentFlags) error {
	return exitError{code: exitAgentUnsupported, msg: "plugfs agent is for Windows sessions (it tells a user's Explorer about a plugfs service's drive letters); on " +
		runtime.GOOS + " mounting points need no announcement: do not start the agent here"}
}
