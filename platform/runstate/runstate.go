// Package runstate records the mounts this machine's plugfs processes serve,
// so `plugfs list` and `plugfs unmount` can find them: one small JSON file
// per mounting point in a run directory.
package runstate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Record describes one mounting point served by a plugfs process.
type Record struct {
	Point     string    `json:"point"`
	Volume    string    `json:"volume"`
	Plugin    string    `json:"plugin"`
	PluginPID int       `json:"plugin_pid"`
	ServerPID int       `json:"server_pid"`
	Driver    string    `json:"driver"`
	ReadOnly  bool      `json:"read_only"`
	Started   time.Time `json:"started"`
	// Points are the mounting points of the volume that the same server
	// serves, this one included (each has its own record); empty in
	// records written before volumes had several.
	Points []string `json:"points,omitempty"`
}

// Dir returns the run directory: $PLUGFS_RUN_DIR if set, else the
// platform default (see defaultDir).
func Dir() string {
	if d := os.Getenv("PLUGFS_RUN_DIR"); d != "" {
		return d
	}
	return defaultDir()
}

func fileFor(dir, point string) string {
	sum := sha256.Sum256([]byte(point))
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+".json")
}

// Write saves r atomically, replacing an earlier record for its point.
func Write(dir string, r Record) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".rec-*")
	if err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), fileFor(dir, r.Point))
}

// Remove deletes the record of point; a missing record is not an error.
func Remove(dir, point string) error {
	err := os.Remove(fileFor(dir, point))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Get returns the record of point.
func Get(dir, point string) (Record, error) {
	b, err := os.ReadFile(fileFor(dir, point))
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("run record for %s: %w", point, err)
	}
	return r, nil
}

// List returns every record, sorted by point. Unreadable files are skipped.
func List(dir string) ([]Record, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var r Record
		if json.Unmarshal(b, &r) == nil {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Point < out[j].Point })
	return out, nil
}
