// Package catalog finds plugins by name: built-in plugins compiled into the
// binary (still run out of process, by re-executing the binary in plugin
// mode), executables given by path, and executables in plugin directories.
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
}

// Command returns a new command that starts the plugin.
func (s Source) Command() *exec.Cmd {
	return exec.Command(s.Path, s.Args...)
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
// plugin directories. The error wraps core.ErrPluginUnknown and lists what
// is available.
func (c *Catalog) Resolve(name string) (Source, error) {
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
		return Source{Name: name, Path: abs}, nil
	}
	if p, ok := c.Builtin(name); ok {
		return Source{Name: name, Builtin: true, Path: c.Self, Args: c.ServeArgs(name), Description: p.Description}, nil
	}
	for _, d := range c.Dirs {
		for _, file := range []string{name, "plugfs-plugin-" + name} {
			path := filepath.Join(d, file)
			if checkExecutable(path) == nil {
				return Source{Name: name, Path: path}, nil
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
