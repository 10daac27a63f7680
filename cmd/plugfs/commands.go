package main

import "github.com/spf13/cobra"

// commandRegistry lists constructors of top-level subcommands that live in
// their own files and register themselves from an init function, so that
// adding a command touches only its own file. It is the only package-level
// state of the binary, and it is written only during init.
var commandRegistry []func(*app) *cobra.Command

// registerCommand adds a top-level subcommand constructor; call it from init.
func registerCommand(newCmd func(*app) *cobra.Command) {
	commandRegistry = append(commandRegistry, newCmd)
}

// registeredCommands builds every registered subcommand for a.
func (a *app) registeredCommands() []*cobra.Command {
	cmds := make([]*cobra.Command, 0, len(commandRegistry))
	for _, newCmd := range commandRegistry {
		cmds = append(cmds, newCmd(a))
	}
	return cmds
}
