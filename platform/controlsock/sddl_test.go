package controlsock

import (
	"strings"
	"testing"
)

func TestPipeSDDL(t *testing.T) {
	for _, tc := range []struct {
		g       Group
		want    string
		wantErr string
	}{
		{Group{}, "D:P(A;;GA;;;SY)(A;;GA;;;BA)", ""},
		{Group{Name: "Users", ID: "S-1-5-32-545"}, "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;S-1-5-32-545)", ""},
		{Group{Name: "plugfs", ID: "S-1-5-21-1004336348-1177238915-682003330-1013"},
			"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;S-1-5-21-1004336348-1177238915-682003330-1013)", ""},
		// Anything but a SID would change the descriptor's meaning.
		{Group{Name: "evil", ID: "S-1-5-32-545)(A;;GA;;;WD"}, "", "is not a SID"},
		{Group{Name: "gid", ID: "1000"}, "", "is not a SID"},
		{Group{Name: "alias", ID: "WD"}, "", "is not a SID"},
		{Group{Name: "short", ID: "S-1-"}, "", "is not a SID"},
		{Group{Name: "dash", ID: "S-1-5--32"}, "", "is not a SID"},
	} {
		got, err := PipeSDDL(tc.g)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("PipeSDDL(%+v) = %q, %v; want an error with %q", tc.g, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PipeSDDL(%+v) = %q, %v; want %q", tc.g, got, err, tc.want)
		}
	}
}

func TestPeerString(t *testing.T) {
	for _, tc := range []struct {
		p    Peer
		want string
	}{
		{Peer{UID: 1000, PID: 42}, "uid 1000 (pid 42)"},
		{Peer{UID: -1, SID: "S-1-5-18", PID: 4}, "user S-1-5-18 (pid 4)"},
		{Peer{UID: -1}, "unknown user"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestPipeAdmits(t *testing.T) {
	users := Group{Name: "plugfs", ID: "S-1-5-21-1-2-3-1013"}
	const me = "S-1-5-21-1-2-3-1001"
	for _, tc := range []struct {
		name string
		p    Peer
		g    Group
		want bool
	}{
		{"LocalSystem", Peer{SID: sidSystem}, Group{}, true},
		{"elevated administrator", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", sidAdmins}}, Group{}, true},
		{"plain user", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", "S-1-5-32-545"}}, Group{}, false},
		{"plain user in the group", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", users.ID}}, users, true},
		{"plain user, another group", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", "S-1-5-21-1-2-3-1014"}}, users, false},
		{"the group names the user", Peer{SID: me}, Group{Name: "me", ID: me}, true},
		{"unelevated administrator (Administrators left out as deny-only)", Peer{SID: me, GroupSIDs: []string{"S-1-1-0"}}, users, false},
		{"nobody known", Peer{}, Group{}, false},
	} {
		if got := pipeAdmits(tc.p, tc.g); got != tc.want {
			t.Errorf("%s: pipeAdmits = %v, want %v", tc.name, got, tc.want)
		}
	}
}
