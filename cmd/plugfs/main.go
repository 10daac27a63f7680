// Command plugfs mounts file systems served by plugins.
//
// It is one binary: the CLI (mount, unmount, list, plugins, version), the
// mount server, and the built-in plugins, which it serves out of process by
// re-executing itself in plugin mode.
package main

import (
	"fmt"
	"os"
)

func main() {
	app := newApp()
	if code, ok := app.asMountHelper(); ok { // invoked as mount.plugfs (mounthelper.go)
		os.Exit(code)
	}
	err := app.root().Execute()
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugfs:", err)
	}
	os.Exit(exitCode(err))
}
