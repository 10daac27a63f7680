package mountpoint

// Scope is who sees a mounting point: every logon session, or one.
type Scope int

// Scopes of a mounting point.
const (
	// ScopeDefault: the spec names no scope. The driver settles it when
	// it mounts (ResolveScope) and reports the spec it mounted; the
	// cgofuse driver on Windows does as WinFsp does: global for
	// LocalSystem, a service or an elevated process, otherwise local to
	// the caller's logon session.
	ScopeDefault Scope = iota
	// ScopeGlobal: every logon session (the Global flag).
	ScopeGlobal
	// ScopeLocal: one logon session (the Local flag, or an auth id).
	ScopeLocal
)

func (sc Scope) String() string {
	return [...]string{"default", "global", "local"}[sc]
}

// Scope returns the scope s names: ScopeLocal with Local or an auth id,
// ScopeGlobal with Global, ScopeDefault with neither (and for a
// directory, which has no scope). It does not guess: a default-scope
// mount-manager point is ScopeDefault until ResolveScope settles it.
func (s Spec) Scope() Scope {
	switch {
	case s.Flags&Local != 0 || s.AuthID != 0:
		return ScopeLocal
	case s.Flags&Global != 0:
		return ScopeGlobal
	}
	return ScopeDefault
}

// globalByNature reports the points that can only be global: those of
// the mount manager (a device every session sees) and network points
// without a Local part (a share on the network).
func (s Spec) globalByNature() bool {
	return s.Flags&MountManager != 0 || s.Kind == KindNetwork && s.Letter == 0 && s.Name == ""
}

// ResolveScope settles the scope of a default-scope spec, as a driver
// does when it mounts: Global when global is true or when the point can
// only be global (a mount-manager point or folder, a network point
// without a Local part), Local otherwise. A spec that names its scope,
// and a directory, which has none, are returned unchanged.
func (s Spec) ResolveScope(global bool) Spec {
	if s.Kind == KindDirectory || s.Scope() != ScopeDefault {
		return s
	}
	if global || s.globalByNature() {
		s.Flags |= Global
	} else {
		s.Flags |= Local
	}
	return s
}

// Settles reports whether mounted is s with only what s left open
// settled by the driver: the letter of an automatic point, and the
// scope (Global or Local) of a default-scope point, within the rules
// (Validate). The engine records such a spec in place of the one asked
// for, so that listings show the scope actually used; anything else a
// driver changed is refused.
func (s Spec) Settles(mounted Spec) bool {
	rules := mounted
	if rules.Kind == KindAutoDrive {
		rules.Letter = 0 // Validate refuses a letter on an unsettled *
	}
	if rules.Validate() != nil {
		return false
	}
	if s.Kind == KindAutoDrive && s.Letter == 0 {
		s.Letter = mounted.Letter
	}
	if s.Kind != KindDirectory && s.Scope() == ScopeDefault {
		s.Flags |= mounted.Flags & (Global | Local)
	}
	return s == mounted
}
