package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/plugfs/plugfs/core"
)

// Engine owns a set of volumes by name.
type Engine struct {
	mu      sync.Mutex
	volumes map[string]*Volume
}

// New returns an empty engine.
func New() *Engine { return &Engine{volumes: make(map[string]*Volume)} }

// Create adds a volume in the created state.
func (e *Engine) Create(cfg VolumeConfig) (*Volume, error) {
	if cfg.Name == "" {
		return nil, fmt.Errorf("%w: a volume needs a name", core.ErrVolumeState)
	}
	if cfg.Plugin.Path == "" {
		return nil, fmt.Errorf("%w: volume %q names no plugin", core.ErrPluginUnknown, cfg.Name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.volumes[cfg.Name]; dup {
		return nil, fmt.Errorf("%w: a volume named %q exists", core.ErrVolumeState, cfg.Name)
	}
	v := &Volume{cfg: cfg, state: StateCreated}
	e.volumes[cfg.Name] = v
	return v, nil
}

// Volume returns the volume called name.
func (e *Engine) Volume(name string) (*Volume, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.volumes[name]
	return v, ok
}

// Volumes returns every volume, sorted by name.
func (e *Engine) Volumes() []*Volume {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Volume, 0, len(e.volumes))
	for _, v := range e.volumes {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cfg.Name < out[j].cfg.Name })
	return out
}

// Delete forgets a volume that is not mounted.
func (e *Engine) Delete(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.volumes[name]
	if !ok {
		return fmt.Errorf("%w: no volume named %q", core.ErrVolumeState, name)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.state == StateMounted {
		return v.stateError("delete")
	}
	v.state = StateDeleted
	delete(e.volumes, name)
	return nil
}

// Shutdown unmounts every mounted volume (lazily when busy) and returns
// the errors joined.
func (e *Engine) Shutdown(ctx context.Context) error {
	var errs []error
	for _, v := range e.Volumes() {
		if v.State() != StateMounted {
			continue
		}
		if err := v.Unmount(ctx, false); err != nil {
			if err2 := v.Unmount(ctx, true); err2 != nil {
				errs = append(errs, fmt.Errorf("volume %s: %w", v.Name(), err2))
			}
		}
	}
	return errors.Join(errs...)
}
