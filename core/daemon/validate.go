package daemon

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid configuration")

// FieldError is one problem in a configuration, at one key.
type FieldError struct {
	// Key is the path of the offending key, such as "volumes[1].plugin".
	Key string
	// Msg says what is wrong and how to fix it.
	Msg string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Validate checks c without side effects: every volume has a valid unique
// name, a plugin and at least one absolute mounting point; no point is
// used twice or nested in another; durations are not negative; the
// restart backoff bounds are in order. It returns every problem found,
// joined, each a *FieldError.
func Validate(c Config) error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	names := map[string]int{}
	points := map[string]string{} // point -> key of its first use
	for i, v := range c.Volumes {
		errs = append(errs, ValidateVolume(fmt.Sprintf("volumes[%d]", i), v)...)
		key := fmt.Sprintf("volumes[%d]", i)
		if j, dup := names[v.Name]; dup && v.Name != "" {
			add(key+".name", "volume name %q is already used by volumes[%d]: names must be unique", v.Name, j)
		}
		names[v.Name] = i
		for k, p := range v.MountPoints {
			pk := fmt.Sprintf("%s.mountpoints[%d]", key, k)
			if !path.IsAbs(p) && !isWindowsAbs(p) {
				continue // reported by ValidateVolume
			}
			cp := path.Clean(p)
			for other, ok := range points {
				switch {
				case other == cp:
					add(pk, "mounting point %s is already used by %s", p, ok)
				case strings.HasPrefix(cp, other+"/") || strings.HasPrefix(other, cp+"/"):
					add(pk, "mounting point %s is nested with %s (%s): mounting points may not contain each other", p, other, ok)
				}
			}
			if _, seen := points[cp]; !seen {
				points[cp] = pk
			}
		}
	}
	return errors.Join(errs...)
}

// ValidateVolume checks one volume spec in isolation (not against other
// volumes); key prefixes the keys of the errors it returns.
func ValidateVolume(key string, v VolumeSpec) []error {
	var errs []error
	add := func(k, format string, args ...any) {
		errs = append(errs, &FieldError{Key: key + k, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case v.Name == "":
		add(".name", "missing: every volume needs a name")
	case !validName(v.Name):
		add(".name", "%q: use letters, digits, '-', '_' and '.', starting with a letter or digit", v.Name)
	}
	if strings.TrimSpace(v.Plugin) == "" {
		add(".plugin", "missing: give a built-in plugin name (memfs, local) or the path of a plugin executable")
	}
	for k := range v.Options {
		if strings.TrimSpace(k) == "" || strings.ContainsRune(k, '=') {
			add(".options", "option name %q: names are non-empty and contain no '='", k)
		}
	}
	if len(v.MountPoints) == 0 {
		add(".mountpoints", "missing: a volume needs at least one mounting point")
	}
	seen := map[string]bool{}
	for i, p := range v.MountPoints {
		pk := fmt.Sprintf(".mountpoints[%d]", i)
		switch {
		case p == "":
			add(pk, "empty mounting point")
		case !path.IsAbs(p):
			// A Windows kind (Z:, *, \\.\Name, L;Server;Share, C:\dir), or
			// a relative directory.
			if _, err := parsePoint(p, v.Mount.PointFlags, v.Mount.AuthID); err != nil {
				add(pk, "%v", err)
			}
		case seen[path.Clean(p)]:
			add(pk, "%s is listed twice", p)
		}
		seen[path.Clean(p)] = true
	}
	m := v.Mount
	for _, d := range []struct {
		k string
		v int64
	}{
		{".mount.start_timeout", int64(m.StartTimeout)},
		{".mount.op_timeout", int64(m.OpTimeout)}, {".restart.backoff_min", int64(v.Restart.BackoffMin)},
		{".restart.backoff_max", int64(v.Restart.BackoffMax)}, {".restart.wait", int64(v.Restart.Wait)},
		{".mount.idle_timeout", int64(m.IdleTimeout)},
	} {
		if d.v < 0 {
			add(d.k, "negative duration")
		}
	}
	if m.DataPlane != "" {
		if _, err := core.ParseDataPlane(m.DataPlane); err != nil {
			add(".mount.data_plane", "%v", err)
		}
	}
	if m.Writeback != "" {
		if _, err := core.ParseWriteback(m.Writeback); err != nil {
			add(".mount.writeback", "%v", err)
		}
	}
	r := v.Restart
	if r.BackoffMin > 0 && r.BackoffMax > 0 && r.BackoffMin > r.BackoffMax {
		add(".restart.backoff_min", "%v is more than restart.backoff_max %v", r.BackoffMin, r.BackoffMax)
	}
	return errs
}

func validName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return len(s) <= 64
}

// isWindowsAbs reports whether p looks like C:\x or C:/x or a bare drive
// letter (a WinFsp mounting point); path.IsAbs knows only slashes.
func isWindowsAbs(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return c >= 'a' && c <= 'z' && (len(p) == 2 || p[2] == '\\' || p[2] == '/')
}

// parsePoint reads a mounting point as the daemon takes it: any kind
// mountpoint.Parse knows, a directory only as an absolute path.
func parsePoint(p string, flags mountpoint.Flags, authID uint64) (mountpoint.Spec, error) {
	sp, err := mountpoint.Parse(p, flags, authID)
	if err != nil {
		return mountpoint.Spec{}, err
	}
	if sp.Kind == mountpoint.KindDirectory && !path.IsAbs(p) {
		return mountpoint.Spec{}, notAbsolute(p)
	}
	return sp, nil
}

// notAbsolute is a relative directory given as a mounting point; it
// matches core.ErrMountPointInvalid.
type notAbsolute string

func (p notAbsolute) Error() string { return fmt.Sprintf("%q is not an absolute path", string(p)) }

// Unwrap makes errors.Is(err, core.ErrMountPointInvalid) hold.
func (notAbsolute) Unwrap() error { return core.ErrMountPointInvalid }
