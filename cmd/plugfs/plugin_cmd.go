package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
)

func init() { registerCommand(newPluginCmd) }

// newPluginCmd builds `plugfs plugin` (install, list, verify). It also
// gives the catalog its trust policy from the environment, for every
// command: building the command tree is the one hook every run passes.
func newPluginCmd(a *app) *cobra.Command {
	a.applyTrust(a.envTrustSettings())
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Install, list and verify plugin executables",
		Long: `An external plugin runs with plugfs's privileges, so plugfs checks its
executable when it is resolved and at every launch: it must not be a symbolic
link, nor group- or world-writable, and must be owned by root or by the user
plugfs runs as. A SHA-256 pinned for it (by 'plugfs plugin install' in the
plugin directory's catalog.json, by plugin_sha256 in the daemon configuration,
or as PLUGIN@sha256:HEX) is compared with the very file that is executed.
Refusals exit with 25 (untrusted) or 26 (digest mismatch).

PLUGFS_ALLOW_INSECURE_PLUGINS=true (or allow_insecure_plugins: true in the
daemon configuration) skips the symlink, permission and owner checks, for
plugin development; pins are still checked. Plugins get only PATH, HOME,
TMPDIR, TZ, LANG, LC_* and PLUGFS_* from the environment, plus the names in
PLUGFS_PLUGIN_ENV (comma-separated) or the daemon's plugin_env.

Without a subcommand, plugin lists the plugins ('plugfs plugins' still works).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.pluginList(cmd, false) },
	}
	cmd.AddCommand(a.pluginInstallCmd(), a.pluginListCmd(), a.pluginVerifyCmd())
	return cmd
}

func (a *app) pluginInstallCmd() *cobra.Command {
	var sum, name string
	cmd := &cobra.Command{
		Use:   "install PATH",
		Short: "Copy a plugin executable into the first writable plugin directory and pin its sha256",
		Example: `  plugfs plugin install ./build/plugfs-plugin-s3 --name s3
  plugfs plugin install ./hello --sha256 $(sha256sum hello | cut -d' ' -f1)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.pluginInstall(cmd, args[0], name, sum)
		},
	}
	cmd.Flags().StringVar(&sum, "sha256", "", "refuse to install unless the file has this sha256 (hex)")
	cmd.Flags().StringVar(&name, "name", "", "plugin name (default: the file's name without a plugfs-plugin- prefix)")
	return cmd
}

func (a *app) pluginInstall(cmd *cobra.Command, src, name, sum string) error {
	if sum != "" {
		if err := catalog.ValidDigest(sum); err != nil {
			return usageError{fmt.Errorf("--sha256: %w", err)}
		}
	}
	if name == "" {
		name = strings.TrimPrefix(filepath.Base(src), "plugfs-plugin-")
	}
	if err := validPluginName(name); err != nil {
		return usageError{err}
	}
	if _, ok := a.catalog.Builtin(name); ok {
		return usageError{fmt.Errorf("--name %s: a built-in plugin has that name and would be used instead: choose another --name", name)}
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("%w: %w", core.ErrPluginUnknown, err)
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", core.ErrPluginUnknown, src)
	}
	dir, err := writablePluginDir(a.catalog.Dirs)
	if err != nil {
		return err
	}
	pol := a.catalog.Policy()
	ix, err := pol.ReadIndex(dir)
	if err != nil {
		return err
	}
	dest := filepath.Join(dir, name)
	got, err := copyExecutable(in, dir, dest)
	if err != nil {
		return fmt.Errorf("install %s: %w", dest, err)
	}
	if sum != "" && !strings.EqualFold(got, sum) {
		_ = os.Remove(dest)
		return &catalog.TrustError{Path: src, Reason: catalog.ReasonDigest,
			Detail: fmt.Sprintf("its sha256 is %s but --sha256 says %s", got, strings.ToLower(sum)),
			Fix:    "check where the file came from; nothing was installed"}
	}
	abs, _ := filepath.Abs(src)
	ix.Plugins[name] = catalog.Entry{File: name, SHA256: got, Source: abs, Installed: time.Now().UTC().Truncate(time.Second)}
	if err := catalog.WriteIndex(dir, ix); err != nil {
		return fmt.Errorf("install %s: %w", dest, err)
	}
	if v := pol.Check(dest, got, filepath.Join(dir, catalog.IndexFile)); v.Err != nil {
		return v.Err // e.g. not root: the copy belongs to us, which is trusted; anything else is worth saying
	}
	fmt.Fprintf(cmd.OutOrStdout(), "installed %s at %s\nsha256 %s (pinned in %s)\n", name, dest, got, filepath.Join(dir, catalog.IndexFile))
	return nil
}

// validPluginName refuses names that are not plain file names.
func validPluginName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("plugin name %q: give a plain name with --name", name)
	case strings.ContainsAny(name, `/\@`) || strings.HasPrefix(name, "."):
		return fmt.Errorf("plugin name %q: use letters, digits, - and _ (no /, \\, @ or leading dot)", name)
	case name == catalog.IndexFile:
		return fmt.Errorf("plugin name %q is the catalog file's", name)
	}
	return nil
}

// writablePluginDir returns the first plugin directory this process may
// write, creating it (mode 0755) if none exists yet.
func writablePluginDir(dirs []string) (string, error) {
	for _, d := range dirs {
		if f, err := os.CreateTemp(d, ".probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return d, nil
		}
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no writable plugin directory among %s: run as root or give --plugin-dir", strings.Join(dirs, ", "))
}

// copyExecutable copies in to dest through a temporary file in dir: mode
// 0755, owned by root when run as root, synced, renamed into place. It
// returns the sha256 of what was written.
func copyExecutable(in io.Reader, dir, dest string) (string, error) {
	tmp, err := os.CreateTemp(dir, ".install-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if err == nil && os.Geteuid() == 0 {
		err = tmp.Chown(0, 0)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dest)
	}
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pluginRow is one line of `plugfs plugin list`.
type pluginRow struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // built-in or external
	Path    string `json:"path"`
	Pinned  string `json:"pinned_sha256,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Trusted bool   `json:"trusted"`
	Verdict string `json:"verdict"`
	err     error
}

func (a *app) pluginListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List plugins with their path, pinned sha256 and trust verdict",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.pluginList(cmd, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) pluginList(cmd *cobra.Command, asJSON bool) error {
	var rows []pluginRow
	for _, p := range a.catalog.Builtins() {
		rows = append(rows, pluginRow{Name: p.Name, Kind: "built-in", Path: a.catalog.Self, Trusted: true, Verdict: "built-in"})
	}
	rows = append(rows, a.externalRows(nil)...)
	if asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKIND\tPATH\tPINNED SHA256\tVERDICT")
	for _, r := range rows {
		pin := r.Pinned
		if pin == "" {
			pin = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, r.Path, pin, r.Verdict)
	}
	return w.Flush()
}

// externalRows checks the named plugins, or every external plugin in
// the plugin directories and their catalog files.
func (a *app) externalRows(names []string) []pluginRow {
	if len(names) == 0 {
		seen := map[string]bool{}
		for _, s := range a.catalog.Installed() {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
		for _, d := range a.catalog.Dirs {
			ix, err := a.catalog.Policy().ReadIndex(d)
			if err != nil {
				continue // reported by the rows of its plugins
			}
			for _, n := range ix.Names() {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
	}
	var rows []pluginRow
	for _, n := range names {
		rows = append(rows, a.checkPlugin(n))
	}
	return rows
}

// checkPlugin looks name up and checks it as a launch would.
func (a *app) checkPlugin(name string) pluginRow {
	row := pluginRow{Name: name, Kind: "external"}
	bare, pin, hasPin := strings.Cut(name, "@sha256:")
	src, err := a.catalog.Lookup(bare)
	if err != nil {
		row.err = err
		if errors.Is(err, core.ErrPluginUnknown) {
			row.err = fmt.Errorf("%w: %s is pinned in a catalog file but missing, or not installed", err, bare)
			row.Path = a.pinnedPath(bare)
		}
		row.Verdict = "REFUSED: " + row.err.Error()
		return row
	}
	row.Path = src.Path
	if src.Builtin {
		row.Kind, row.Trusted, row.Verdict = "built-in", true, "built-in"
		return row
	}
	if hasPin {
		src.SHA256, src.PinnedBy = pin, "@sha256:"
	}
	row.Pinned = src.SHA256
	v := src.Trust.Check(src.Path, src.SHA256, src.PinnedBy)
	row.SHA256 = v.SHA256
	if v.Err != nil {
		row.err = v.Err
		row.Verdict = "REFUSED: " + v.Err.Error()
		return row
	}
	row.Trusted, row.Verdict = true, "ok"
	if row.Pinned == "" {
		row.Verdict = "ok (not pinned)"
	}
	return row
}

// pinnedPath is where a catalog file says name should be, or "".
func (a *app) pinnedPath(name string) string {
	for _, d := range a.catalog.Dirs {
		if ix, err := a.catalog.Policy().ReadIndex(d); err == nil {
			if e, ok := ix.Plugins[name]; ok {
				return filepath.Join(d, e.File)
			}
		}
	}
	return ""
}

func (a *app) pluginVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify [NAME...]",
		Short: "Re-check plugin executables (owner, mode, pinned sha256); non-zero exit on any failure",
		Long: `Verify checks the named plugins (names, paths or NAME@sha256:HEX), or every
plugin in the plugin directories and their catalog files, as a launch would:
no symbolic link, not writable by group or others, owned by root or plugfs's
user, and the pinned sha256 if there is one. It prints one line per plugin
and exits 0 only if all pass (25: untrusted, 26: tampered, 20: missing).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			rows := a.externalRows(args)
			var first error
			failed := 0
			for _, r := range rows {
				if r.err != nil {
					failed++
					if first == nil {
						first = r.err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "FAIL %s: %v\n", r.Name, r.err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "ok   %s %s sha256 %s%s\n", r.Name, r.Path, r.SHA256, map[bool]string{true: " (not pinned)"}[r.Pinned == ""])
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d plugins failed verification; first: %w", failed, len(rows), first)
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no external plugins installed")
			}
			return nil
		},
	}
}
