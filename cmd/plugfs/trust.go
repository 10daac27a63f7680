package main

import (
	"os"
	"strings"

	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/platform/trust"
)

// Exit codes of refused plugin executables; they extend exitcode.go's
// plugin range. docs/cli.md should list them too.
const (
	exitPluginUntrusted = 25 // the plugin executable is a symlink, writable by others or owned by another user
	exitPluginTampered  = 26 // the plugin executable does not match its pinned sha256
)

func init() {
	exitCodes = append(exitCodes, []struct {
		err  error
		code int
	}{
		{catalog.ErrDigestMismatch, exitPluginTampered},
		{catalog.ErrUntrusted, exitPluginUntrusted},
	}...)
}

// trustSettings are the settings of the plugin trust policy, from the
// environment (PLUGFS_ALLOW_INSECURE_PLUGINS, PLUGFS_PLUGIN_ENV) and, for
// the daemon, its configuration file.
type trustSettings struct {
	// AllowInsecure skips the symlink, permission and owner checks; for
	// developing plugins only. Pinned digests are still checked.
	AllowInsecure bool
	// Env names the host variables plugins get besides catalog.DefaultEnv.
	Env []string
}

// envTrustSettings reads the trust settings from the environment.
func (a *app) envTrustSettings() trustSettings {
	var env []string
	for _, e := range strings.Split(a.v.GetString("plugin-env"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			env = append(env, e)
		}
	}
	return trustSettings{AllowInsecure: a.v.GetBool("allow-insecure-plugins"), Env: env}
}

// applyTrust sets the catalog's policy: root and this process's uid own
// trusted executables; the platform's opener checks and starts them.
func (a *app) applyTrust(s trustSettings) {
	p := &catalog.Policy{AllowInsecure: s.AllowInsecure, Env: s.Env, Opener: trust.New()}
	if uid := os.Geteuid(); uid > 0 {
		p.TrustedUIDs = []int{uid}
	}
	a.catalog.SetPolicy(p)
}

// daemonTrustSettings merges the configuration file's plugin_env and
// allow_insecure_plugins with the environment's.
func (a *app) daemonTrustSettings(lc *loadedConfig) trustSettings {
	s := a.envTrustSettings()
	s.AllowInsecure = s.AllowInsecure || lc.Daemon.AllowInsecure
	s.Env = append(s.Env, lc.Daemon.PluginEnv...)
	return s
}
