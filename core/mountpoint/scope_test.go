package mountpoint

import (
	"errors"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/core"
)

// TestScopeRules: global and local exclude each other, an auth id
// (local) excludes global, mount-manager takes global but not local, and
// a spec naming neither keeps the default scope through Parse.
func TestScopeRules(t *testing.T) {
	for _, tc := range []struct {
		in     string
		flags  Flags
		auth   uint64
		want   Spec
		scope  Scope
		errHas string // "" = valid
	}{
		{in: "Z:", want: Spec{Kind: KindDrive, Letter: 'Z'}, scope: ScopeDefault},
		{in: "Z:", flags: Global, want: Spec{Kind: KindDrive, Letter: 'Z', Flags: Global}, scope: ScopeGlobal},
		{in: "Z:", flags: Local, want: Spec{Kind: KindDrive, Letter: 'Z', Flags: Local}, scope: ScopeLocal},
		{in: "Z:", auth: 5, want: Spec{Kind: KindDrive, Letter: 'Z', Flags: Local, AuthID: 5}, scope: ScopeLocal},
		{in: "Z:", flags: Global | Local, errHas: "global and local cannot be combined"},
		{in: "Z:", flags: Global, auth: 5, errHas: "global cannot be combined with an auth id"},
		{in: "Z:", flags: Global | Local, auth: 5, errHas: "global cannot be combined with an auth id"},
		{in: "*", flags: Global, want: Spec{Kind: KindAutoDrive, Flags: Global}, scope: ScopeGlobal},
		{in: "*", flags: Global | Local, errHas: "global and local cannot be combined"},
		{in: `\\.\Data`, flags: Global, want: Spec{Kind: KindUNC, Name: "Data", Flags: Global}, scope: ScopeGlobal},
		{in: `\\.\Data`, flags: Global | Local, errHas: "global and local"},
		// mount-manager: global by nature, but not made global by Parse
		{in: "M:", flags: MountManager, want: Spec{Kind: KindDrive, Letter: 'M', Flags: MountManager}, scope: ScopeDefault},
		{in: "M:", flags: MountManager | Global, want: Spec{Kind: KindDrive, Letter: 'M', Flags: MountManager | Global}, scope: ScopeGlobal},
		{in: "M:", flags: MountManager | Local, errHas: "mount-manager cannot be combined with local"},
		{in: "M:", flags: MountManager | Global | Local, errHas: "global and local"},
		{in: `C:\Mounts\D`, want: Spec{Kind: KindFolder, Path: `C:\Mounts\D`, Flags: MountManager}, scope: ScopeDefault},
		{in: `C:\Mounts\D`, flags: Global, want: Spec{Kind: KindFolder, Path: `C:\Mounts\D`, Flags: MountManager | Global}, scope: ScopeGlobal},
		// network points
		{in: "Y:;Srv;Sh", flags: Global, want: Spec{Kind: KindNetwork, Letter: 'Y', Server: "Srv", Share: "Sh", Flags: Network | Global}, scope: ScopeGlobal},
		{in: ";;Sh", flags: ReadShare | Global, want: Spec{Kind: KindNetwork, Share: "Sh", Flags: Network | ReadShare | Global}, scope: ScopeGlobal},
		{in: ";;Sh", flags: ReadShare | Global | Local, errHas: "global and local"},
		{in: ";;Sh", flags: ReadShare | Local, errHas: "always global"},
		// directories take no flags, global included
		{in: "/mnt/x", flags: Global, errHas: "a directory takes none"},
		{in: "/mnt/x", want: Spec{Kind: KindDirectory, Path: "/mnt/x"}, scope: ScopeDefault},
	} {
		got, err := Parse(tc.in, tc.flags, tc.auth)
		if tc.errHas != "" {
			if err == nil || !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("Parse(%q, %v, %d) = %+v, %v; want an invalid-mounting-point error mentioning %q", tc.in, tc.flags, tc.auth, got, err, tc.errHas)
			}
			continue
		}
		if err != nil || got != tc.want || got.Scope() != tc.scope {
			t.Errorf("Parse(%q, %v, %d) = %+v (scope %v), %v; want %+v (scope %v)", tc.in, tc.flags, tc.auth, got, got.Scope(), err, tc.want, tc.scope)
		}
	}
}

// TestNormalizeKeepsDefaultScope: Normalize never turns a default-scope
// spec global or local; only an auth id makes it local.
func TestNormalizeKeepsDefaultScope(t *testing.T) {
	for _, s := range []Spec{
		{Kind: KindDrive, Letter: 'z'}, {Kind: KindAutoDrive}, {Kind: KindUNC, Name: "N"},
		{Kind: KindNetwork, Letter: 'Y', Server: "S", Share: "Sh"}, {Kind: KindNetwork, Share: "Sh", Flags: ReadShare},
		{Kind: KindFolder, Path: `C:\M`}, {Kind: KindDrive, Letter: 'M', Flags: MountManager | NotifyAsync},
	} {
		n := s.Normalize()
		if n.Flags&(Global|Local) != 0 || n.Scope() != ScopeDefault {
			t.Errorf("Normalize(%+v) = %+v: the default scope was settled (%v)", s, n, n.Scope())
		}
		if err := n.Validate(); err != nil {
			t.Errorf("default-scope %+v: %v", n, err)
		}
	}
	if n := (Spec{Kind: KindDrive, Letter: 'Z', AuthID: 9}).Normalize(); n.Flags != Local {
		t.Errorf("an auth id implies local: %+v", n)
	}
}

// TestResolveScope: a driver settles the default scope as it is told,
// except for points that can only be global; a named scope and a
// directory are left alone.
func TestResolveScope(t *testing.T) {
	for _, tc := range []struct {
		in     string
		flags  Flags
		auth   uint64
		global bool
		want   Flags
	}{
		{in: "Z:", global: false, want: Local},
		{in: "Z:", global: true, want: Global},
		{in: "*", global: false, want: Local},
		{in: "*", flags: NotifyAsync, global: true, want: Global | NotifyAsync},
		{in: `\\.\N`, global: false, want: Local},
		{in: "Z:", flags: Local, global: true, want: Local},
		{in: "Z:", flags: Global, global: false, want: Global},
		{in: "Z:", auth: 7, global: true, want: Local},
		{in: "M:", flags: MountManager, global: false, want: MountManager | Global},
		{in: `C:\Mounts\D`, global: false, want: MountManager | Global},
		{in: ";;Sh", flags: ReadShare, global: false, want: Network | ReadShare | Global},
		{in: ";Srv;Sh", global: false, want: Network | Global},
		{in: "Y:;;Sh", flags: ReadShare, global: false, want: Network | ReadShare | Local},
		{in: "Y:;Srv;Sh", global: true, want: Network | Global},
		{in: "/mnt/x", global: true, want: 0},
		{in: "/mnt/x", global: false, want: 0},
	} {
		s, err := Parse(tc.in, tc.flags, tc.auth)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		r := s.ResolveScope(tc.global)
		if r.Flags != tc.want {
			t.Errorf("%q %v (global %v): resolved to %v, want %v", tc.in, tc.flags, tc.global, r.Flags, tc.want)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("%q %v (global %v): resolved %+v breaks a rule: %v", tc.in, tc.flags, tc.global, r, err)
		}
		if !s.Settles(r) {
			t.Errorf("%q: %+v does not settle %+v", tc.in, r, s)
		}
	}
}

// TestSettles: what the engine accepts from a driver as the spec it
// mounted: the automatic letter and the default scope settled, nothing
// else changed, and the rules kept.
func TestSettles(t *testing.T) {
	z := Spec{Kind: KindDrive, Letter: 'Z'}
	with := func(s Spec, f Flags) Spec { s.Flags |= f; return s }
	auto := Spec{Kind: KindAutoDrive}
	autoX := func(f Flags) Spec { return Spec{Kind: KindAutoDrive, Letter: 'X', Flags: f} }
	mm := Spec{Kind: KindDrive, Letter: 'M', Flags: MountManager}
	dir := Spec{Kind: KindDirectory, Path: "/mnt/x"}
	for _, tc := range []struct {
		name           string
		asked, mounted Spec
		want           bool
	}{
		{"default settled local", z, with(z, Local), true},
		{"default settled global", z, with(z, Global), true},
		{"default left as it was", z, z, true},
		{"both scopes", z, with(z, Global|Local), false},
		{"local turned global", with(z, Local), with(z, Global), false},
		{"global turned local", with(z, Global), with(z, Local), false},
		{"another flag added", with(z, Global), with(z, Global|NotifyAsync), false},
		{"another letter", z, Spec{Kind: KindDrive, Letter: 'Y', Flags: Local}, false},
		{"automatic letter and scope", auto, autoX(Local), true},
		{"automatic letter, another kind", auto, Spec{Kind: KindDrive, Letter: 'X', Flags: Local}, false},
		{"mount-manager settled global", mm, with(mm, Global), true},
		{"mount-manager settled local", mm, with(mm, Local), false},
		{"directory as it was", dir, dir, true},
		{"directory given a scope", dir, with(dir, Global), false},
	} {
		if got := tc.asked.Settles(tc.mounted); got != tc.want {
			t.Errorf("%s: %+v.Settles(%+v) = %v, want %v", tc.name, tc.asked, tc.mounted, got, tc.want)
		}
	}
}

// TestFlagsScopeWords: "global" is a flag of its own, no flags print as
// "none" (not as "global", which is no longer what they mean), and
// String and ParseFlags read each other back.
func TestFlagsScopeWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Flags
		str  string
	}{
		{"global", Global, "global"},
		{"local", Local, "local"},
		{"", 0, "none"},
		{"none", 0, "none"},
		{" none ", 0, "none"},
		{"notify-async,global", Global | NotifyAsync, "global,notify-async"},
		{"mount-manager", MountManager, "mount-manager"},
		{"global,local", Global | Local, "local,global"}, // parsed; Validate refuses it
	} {
		f, err := ParseFlags(tc.in)
		if err != nil || f != tc.want || f.String() != tc.str {
			t.Errorf("ParseFlags(%q) = %v (%q), %v; want %v (%q)", tc.in, uint32(f), f.String(), err, uint32(tc.want), tc.str)
		}
		if back, err := ParseFlags(f.String()); err != nil || back != f {
			t.Errorf("ParseFlags(%q.String()) = %v, %v; want %v", tc.in, back, err, f)
		}
	}
	if Flags(0).String() == Global.String() {
		t.Errorf("no flags and global print alike (%q): a listing could not tell them apart", Global.String())
	}
	if _, err := ParseFlags("none,local"); !errors.Is(err, core.ErrMountPointInvalid) || !strings.Contains(err.Error(), "give none alone") {
		t.Errorf("none with another flag: %v", err)
	}
	for _, n := range flagNames {
		if back, err := ParseFlags(n.f.String()); err != nil || back != n.f {
			t.Errorf("flag %s: ParseFlags(String) = %v, %v", n.name, back, err)
		}
	}
}
