package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// IndexFile is the catalog file of a plugin directory: it pins the
// SHA-256 of the plugins installed there (plugfs plugin install writes
// it). It is held to the same rules as the executables: no symbolic link,
// not writable by group or others, owned by root or a trusted uid.
const IndexFile = "catalog.json"

// Index is the content of a plugin directory's catalog file.
type Index struct {
	// Version is the format version, 1.
	Version int `json:"version"`
	// Plugins are keyed by plugin name.
	Plugins map[string]Entry `json:"plugins"`
}

// Entry pins one installed plugin.
type Entry struct {
	// File is the executable's name in the directory.
	File string `json:"file"`
	// SHA256 is its hex digest.
	SHA256 string `json:"sha256"`
	// Source is where it was installed from, for information.
	Source string `json:"source,omitempty"`
	// Installed is when it was installed.
	Installed time.Time `json:"installed,omitzero"`
}

// ByFile returns the name and entry pinning the executable called file.
func (ix *Index) ByFile(file string) (string, Entry, bool) {
	for _, name := range ix.Names() {
		if e := ix.Plugins[name]; e.File == file {
			return name, e, true
		}
	}
	return "", Entry{}, false
}

// Names returns the plugin names, sorted.
func (ix *Index) Names() []string {
	out := make([]string, 0, len(ix.Plugins))
	for n := range ix.Plugins {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ReadIndex reads dir's catalog file, checked by the policy; a missing
// file is an empty index.
func (p *Policy) ReadIndex(dir string) (*Index, error) {
	path := filepath.Join(dir, IndexFile)
	ix := &Index{Version: 1, Plugins: map[string]Entry{}}
	x, err := p.opener().Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ix, nil
	}
	if err != nil {
		if errors.Is(err, ErrSymlink) {
			return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "the catalog file is a symbolic link", Fix: "replace it with the file itself"}
		}
		return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "cannot open the catalog file", Err: err}
	}
	defer x.Close()
	info, err := x.Info()
	if err != nil {
		return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "cannot stat the catalog file", Err: err}
	}
	if !p.AllowInsecure {
		if err := p.checkInfo(path, info); err != nil {
			te := err.(*TrustError)
			te.Reason, te.Detail = ReasonCatalog, "the catalog file "+te.Detail
			return nil, te
		}
	}
	b, err := io.ReadAll(io.LimitReader(x, 1<<20))
	if err != nil {
		return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "cannot read the catalog file", Err: err}
	}
	if err := json.Unmarshal(b, ix); err != nil {
		return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "malformed catalog file", Err: err,
			Fix: "fix it or reinstall the plugins with plugfs plugin install"}
	}
	if ix.Plugins == nil {
		ix.Plugins = map[string]Entry{}
	}
	for name, e := range ix.Plugins {
		if err := ValidDigest(e.SHA256); err != nil {
			return nil, &TrustError{Path: path, Reason: ReasonCatalog, Detail: "entry " + name, Err: err}
		}
	}
	return ix, nil
}

// WriteIndex replaces dir's catalog file atomically, mode 0644.
func WriteIndex(dir string, ix *Index) error {
	ix.Version = 1
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".catalog-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, IndexFile), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, IndexFile))
}
