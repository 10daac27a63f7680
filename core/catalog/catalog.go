// Package catalog finds plugins by name: built-in plugins compiled into the
// binary (still run out of process, by re-executing the binary in plugin
// mode), executables given by path, and executables in plugin directories.
//
// # Trust
//
// An external plugin runs with the host's privileges (often root), so its
// executable is checked, as HashiCorp Vault checks its plugins, when it is
// resolved and again at every launch (restarts included): it must not be a
// symbolic link, nor writable by group or others, and must be owned by
// root or a trusted uid (Policy). A SHA-256 may be pinned, in the plugin
// directory's catalog file (IndexFile) or by the caller ("NAME@sha256:HEX"
// or Source.SHA256); it is compared with the content of the very
// descriptor that is then executed where the system allows it (Linux, see
// platform/trust), or of the file at the path elsewhere, which leaves a
// window between check and start. Built-in plugins, this binary, are
// exempt. Plugins get only the environment the policy passes (DefaultEnv
// and Policy.Env).
package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// Source says how to run one plugin.
type Source struct {
	// Name is what the user typed or the built-in's name.
	Name string
	// Builtin is set for plugins compiled into this binary.
	Builtin bool
	// Path is the executable that serves the plugin.
	Path string
	// Args are the arguments to run Path with.
	Args []string
	// Description is one line about the plugin, when known.
	Description string
	// SHA256 is the hex digest Path must have at every launch; "" pins
	// nothing. PinnedBy says where the pin comes from, for messages.
	SHA256, PinnedBy string
	// Trust, if set, checks Path at every launch (not for built-ins) and
	// chooses the plugin's environment. Sources from Resolve have it.
	Trust *Policy
}

// Command returns a new command that starts the plugin. With a Trust
// policy, an external executable is checked first and the command runs
// the checked file; a refusal is returned by the command's Start (it is
// in cmd.Err), so the launch fails naming the reason.
func (s Source) Command() *exec.Cmd {
	if s.Trust == nil {
		return exec.Command(s.Path, s.Args...)
	}
	var cmd *exec.Cmd
	if s.Builtin {
		cmd = exec.Command(s.Path, s.Args...)
	} else {
		var err error
		cmd, err = s.Trust.Command(s.Path, s.SHA256, s.PinnedBy, s.Args)
		if err != nil {
			cmd = exec.Command(s.Path, s.Args...)
			cmd.Err = err
		}
	}
	cmd.Env = s.Trust.Environ(os.Environ())
	return cmd
}

// Catalog holds built-in plugins and where to look for others.
type Catalog struct {
	mu       sync.Mutex
	builtins map[string]*sdk.Plugin
	// Self is the path of this binary, which serves built-ins when run
	// with ServeArgs(name).
	Self string
	// ServeArgs returns the arguments that make Self serve built-in name.
	ServeArgs func(name string) []string
	// Dirs are searched, in order, for plugin executables by name, with
	// and without a "plugfs-plugin-" prefix.
	Dirs []string
	// Trust is the policy external plugins are held to; nil means the
	// zero Policy plus the current uid (see DefaultPolicy).
	Trust *Policy
}

// DefaultPolicy is the zero Policy trusting, besides root, the uid this
// process runs as.
func DefaultPolicy() *Policy {
	p := &Policy{}
	if uid := os.Geteuid(); uid > 0 {
		p.TrustedUIDs = []int{uid}
	}
	return p
}

// SetPolicy replaces the trust policy; sources already resolved keep
// theirs.
func (c *Catalog) SetPolicy(p *Policy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Trust = p
}

// Policy returns the catalog's trust policy.
func (c *Catalog) Policy() *Policy {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Trust == nil {
		c.Trust = DefaultPolicy()
	}
	return c.Trust
}

// Register adds a built-in plugin.
func (c *Catalog) Register(p *sdk.Plugin) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.builtins == nil {
		c.builtins = make(map[string]*sdk.Plugin)
	}
	c.builtins[p.Name] = p
}

// Builtin returns the built-in plugin called name, if any.
func (c *Catalog) Builtin(name string) (*sdk.Plugin, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.builtins[name]
	return p, ok
}

// Builtins returns the built-in plugins sorted by name.
func (c *Catalog) Builtins() []*sdk.Plugin {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*sdk.Plugin, 0, len(c.builtins))
	for _, p := range c.builtins {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Resolve finds the plugin called name: a path (containing a separator)
// is taken as an executable; otherwise built-ins come first, then the
// plugin directories. A name may end in "@sha256:HEX" to pin the
// executable's digest. An external executable is checked by the trust
// policy (its pins included); a refusal wraps ErrUntrusted or
// ErrDigestMismatch. Otherwise the error wraps core.ErrPluginUnknown and
// lists what is available.
func (c *Catalog) Resolve(name string) (Source, error) {
	name, pin, hasPin := strings.Cut(name, "@sha256:")
	if hasPin {
		if err := ValidDigest(pin); err != nil {
			return Source{}, &TrustError{Path: name, Reason: ReasonBadPin, Detail: "pinned by @sha256:", Err: err,
				Fix: "give the 64 hex digits printed by sha256sum"}
		}
	}
	src, err := c.find(name)
	if err != nil {
		return Source{}, err
	}
	src.Trust = c.Policy()
	if src.Builtin {
		return src, nil // this binary: trusted as much as plugfs itself
	}
	if hasPin {
		if src.SHA256 != "" && !strings.EqualFold(src.SHA256, pin) {
			return Source{}, &TrustError{Path: src.Path, Reason: ReasonDigest,
				Detail: fmt.Sprintf("%s pins sha256 %s but @sha256: asks for %s", src.PinnedBy, src.SHA256, pin),
				Fix:    "the two pins disagree: reinstall the plugin or correct the pin"}
		}
		src.SHA256, src.PinnedBy = strings.ToLower(pin), "@sha256:"
	}
	if v := src.Trust.Check(src.Path, src.SHA256, src.PinnedBy); v.Err != nil {
		return Source{}, v.Err
	}
	return src, nil
}

// Lookup finds name as Resolve does, with its pin and the catalog's
// policy, but checks nothing: Source.Trust.Check does.
func (c *Catalog) Lookup(name string) (Source, error) {
	src, err := c.find(name)
	if err != nil {
		return Source{}, err
	}
	src.Trust = c.Policy()
	return src, nil
}

// find locates name without the trust checks.
func (c *Catalog) find(name string) (Source, error) {
	if name == "" {
		return Source{}, fmt.Errorf("%w: no plugin named: give a built-in name (%s) or a path", core.ErrPluginUnknown, c.builtinNames())
	}
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		abs, err := filepath.Abs(name)
		if err != nil {
			return Source{}, fmt.Errorf("%w: %s: %w", core.ErrPluginUnknown, name, err)
		}
		if err := checkExecutable(abs); err != nil {
			return Source{}, fmt.Errorf("%w: %w", core.ErrPluginUnknown, err)
		}
		return c.pinned(Source{Name: name, Path: abs})
	}
	if p, ok := c.Builtin(name); ok {
		return Source{Name: name, Builtin: true, Path: c.Self, Args: c.ServeArgs(name), Description: p.Description}, nil
	}
	for _, d := range c.Dirs {
		for _, file := range []string{name, "plugfs-plugin-" + name} {
			path := filepath.Join(d, file)
			if checkExecutable(path) == nil {
				return c.pinned(Source{Name: name, Path: path})
			}
		}
	}
	where := "no plugin directories are configured"
	if len(c.Dirs) > 0 {
		where = "searched " + strings.Join(c.Dirs, ", ")
	}
	return Source{}, fmt.Errorf("%w %q: built-in plugins are %s; %s; or give the path of a plugin executable",
		core.ErrPluginUnknown, name, c.builtinNames(), where)
}

// pinned adds the pin of s's directory's catalog file, if it has one.
func (c *Catalog) pinned(s Source) (Source, error) {
	dir, file := filepath.Split(s.Path)
	ix, err := c.Policy().ReadIndex(dir)
	if err != nil {
		return Source{}, err
	}
	if _, e, ok := ix.ByFile(file); ok {
		s.SHA256, s.PinnedBy = e.SHA256, filepath.Join(dir, IndexFile)
	}
	return s, nil
}

// Installed returns the plugin executables found in the plugin directories.
func (c *Catalog) Installed() []Source {
	var out []Source
	seen := map[string]bool{}
	for _, d := range c.Dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			path := filepath.Join(d, e.Name())
			name := strings.TrimPrefix(e.Name(), "plugfs-plugin-")
			if seen[name] || checkExecutable(path) != nil {
				continue
			}
			seen[name] = true
			out = append(out, Source{Name: name, Path: path})
		}
	}
	return out
}

func (c *Catalog) builtinNames() string {
	ps := c.Builtins()
	if len(ps) == 0 {
		return "none"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// checkExecutable reports why path cannot be run as a plugin, or nil.
func checkExecutable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("plugin executable %s does not exist", path)
		}
		return fmt.Errorf("plugin executable %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("plugin executable %s is a directory", path)
	}
	if st.Mode()&0o111 == 0 && !isWindowsExe(path, st) {
		return fmt.Errorf("plugin %s is not executable: chmod +x it", path)
	}
	return nil
}

func isWindowsExe(path string, _ fs.FileInfo) bool {
	return strings.EqualFold(filepath.Ext(path), ".exe")
}
