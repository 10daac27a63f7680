package controlsock

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestUnixRole: root and the group's members may do everything, anyone
// else nothing; Unix has no readers.
func TestUnixRole(t *testing.T) {
	g := Group{Name: "plugfs", ID: "990"}
	for _, tc := range []struct {
		name string
		p    Peer
		g    Group
		want Role
		why  string
	}{
		{"root", Peer{UID: 0, GIDs: []int{0}}, Group{}, RolePrivileged, ""},
		{"root, with a group", Peer{UID: 0}, g, RolePrivileged, ""},
		{"a member (supplementary)", Peer{UID: 1000, GIDs: []int{1000, 990}}, g, RolePrivileged, ""},
		{"a member (primary)", Peer{UID: 1000, GIDs: []int{990}}, g, RolePrivileged, ""},
		{"no group configured", Peer{UID: 1000, GIDs: []int{1000}}, Group{}, RoleNone, "uid 1000 is not root (no socket group is configured)"},
		{"not a member", Peer{UID: 1000, GIDs: []int{1000, 27}}, g, RoleNone, "uid 1000 is not root and not in group plugfs"},
		// A Windows identity means nothing here.
		{"a SID", Peer{UID: 1000, SID: sidSystem, GroupSIDs: []string{sidAdmins, sidAuthenticatedUsers}}, g, RoleNone, "not in group plugfs"},
	} {
		r, err := unixRole(tc.p, tc.g)
		checkRole(t, tc.name, r, err, tc.want, tc.why)
	}
}

// TestWindowsRole: what the pipe's DACL admits, with the Authenticated
// Users' entry a reader's.
func TestWindowsRole(t *testing.T) {
	const (
		me    = "S-1-5-21-1-2-3-1001"
		every = "S-1-1-0"
		users = "S-1-5-32-545"
	)
	g := Group{Name: "plugfs", ID: "S-1-5-21-1-2-3-1013"}
	ordinary := []string{every, users, sidAuthenticatedUsers}
	for _, tc := range []struct {
		name string
		p    Peer
		g    Group
		want Role
		why  string
	}{
		{"LocalSystem", Peer{SID: sidSystem, GroupSIDs: []string{sidAdmins, every, sidAuthenticatedUsers}}, Group{}, RolePrivileged, ""},
		{"elevated administrator", Peer{SID: me, GroupSIDs: append([]string{sidAdmins}, ordinary...)}, Group{}, RolePrivileged, ""},
		{"a member of the group", Peer{SID: me, GroupSIDs: append([]string{g.ID}, ordinary...)}, g, RolePrivileged, ""},
		{"the group names the user", Peer{SID: me, GroupSIDs: ordinary}, Group{Name: "me", ID: me}, RolePrivileged, ""},
		{"an ordinary user", Peer{SID: me, GroupSIDs: ordinary}, Group{}, RoleReader, ""},
		{"an ordinary user, not in the group", Peer{SID: me, GroupSIDs: ordinary}, g, RoleReader, ""},
		// Administrators is deny-only in an unelevated token: readToken
		// leaves it out.
		{"unelevated administrator", Peer{SID: me, GroupSIDs: ordinary}, g, RoleReader, ""},
		{"anonymous", Peer{SID: "S-1-5-7", GroupSIDs: []string{every}}, g, RoleNone,
			"user S-1-5-7 is not LocalSystem, not an elevated administrator, not in group plugfs and not an authenticated user"},
		{"a guest, no group", Peer{SID: "S-1-5-21-1-2-3-501", PID: 77, GroupSIDs: []string{every, "S-1-5-32-546"}}, Group{}, RoleNone,
			"user S-1-5-21-1-2-3-501 (pid 77) is not LocalSystem, not an elevated administrator and not an authenticated user"},
		{"nobody known", Peer{}, Group{}, RoleNone, "log on as a user of this computer"},
	} {
		r, err := windowsRole(tc.p, tc.g)
		checkRole(t, tc.name, r, err, tc.want, tc.why)
	}
}

func checkRole(t *testing.T, name string, r Role, err error, want Role, why string) {
	t.Helper()
	if r != want {
		t.Errorf("%s: role %v (%v), want %v", name, r, err, want)
	}
	if want != RoleNone {
		if err != nil {
			t.Errorf("%s: %v, want no error", name, err)
		}
		return
	}
	var de *DeniedError
	if !errors.Is(err, ErrDenied) || !errors.As(err, &de) || !strings.Contains(err.Error(), why) {
		t.Errorf("%s: %v, want a DeniedError saying %q", name, err, why)
	}
}

// TestRoleOf: RoleOf decides as this system does.
func TestRoleOf(t *testing.T) {
	p := Peer{UID: 1000, SID: "S-1-5-21-1-2-3-1001", GroupSIDs: []string{sidAuthenticatedUsers}}
	r, _ := RoleOf(p, Group{})
	want := RoleNone // uid 1000 is not root
	if runtime.GOOS == "windows" {
		want = RoleReader
	}
	if r != want {
		t.Errorf("RoleOf(%+v) on %s = %v, want %v", p, runtime.GOOS, r, want)
	}
	for r, s := range map[Role]string{RoleNone: "none", RoleReader: "reader", RolePrivileged: "privileged", Role(7): "Role(7)"} {
		if r.String() != s {
			t.Errorf("Role %d is %q, want %q", int(r), r.String(), s)
		}
	}
}
