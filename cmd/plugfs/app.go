package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/plugins/local"
	"github.com/plugfs/plugfs/plugins/memfs"
)

// servePluginCmd is the hidden subcommand that serves a built-in plugin.
const servePluginCmd = "__serve-plugin"

// app carries what the subcommands share: configuration and the catalog.
type app struct {
	v       *viper.Viper
	catalog *catalog.Catalog
}

func newApp() *app {
	v := viper.New()
	v.SetEnvPrefix("PLUGFS")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	v.SetDefault("run-dir", runstate.Dir())
	v.SetDefault("plugin-dir", defaultPluginDirs())
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	c := &catalog.Catalog{
		Self:      self,
		ServeArgs: func(name string) []string { return []string{servePluginCmd, name} },
	}
	c.Register(memfs.Plugin())
	c.Register(local.Plugin())
	return &app{v: v, catalog: c}
}

func defaultPluginDirs() []string {
	dirs := []string{"/usr/local/lib/plugfs/plugins", "/usr/lib/plugfs/plugins"}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append([]string{filepath.Join(home, ".local", "lib", "plugfs", "plugins")}, dirs...)
	}
	return dirs
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "plugfs",
		Short: "Mount file systems served by out-of-process plugins",
		Long: `plugfs mounts file systems whose storage is served by plugins: separate
processes speaking the plugfs gRPC protocol. Built-in plugins (memfs, local)
ship inside this binary and still run as their own process.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			a.catalog.Dirs = a.v.GetStringSlice("plugin-dir")
		},
	}
	pf := root.PersistentFlags()
	pf.String("run-dir", a.v.GetString("run-dir"), "directory of run records of live mounts (env PLUGFS_RUN_DIR)")
	pf.StringSlice("plugin-dir", a.v.GetStringSlice("plugin-dir"), "directories searched for plugin executables (env PLUGFS_PLUGIN_DIR)")
	_ = a.v.BindPFlag("run-dir", pf.Lookup("run-dir"))
	_ = a.v.BindPFlag("plugin-dir", pf.Lookup("plugin-dir"))
	a.addSocketFlag(pf)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.mountCmd(), a.unmountCmd(), a.listCmd(), a.pluginsCmd(), versionCmd(), a.servePluginCmd())
	root.AddCommand(a.daemonCmd(), a.configCmd(), a.reloadCmd())
	root.AddCommand(a.registeredCommands()...)
	return root
}
