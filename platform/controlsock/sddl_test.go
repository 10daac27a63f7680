package controlsock

import (
	"strings"
	"testing"
)

func TestPipeSDDL(t *testing.T) {
	const me = "S-1-5-21-1-2-3-1001"
	for _, tc := range []struct {
		g       Group
		server  string
		want    string
		wantErr string
	}{
		// Authenticated Users get a client's access, to read (Authorize
		// lets them call nothing else).
		{Group{}, "", "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12019b;;;AU)", ""},
		// The group gets a client's access, not GA: no FILE_CREATE_PIPE_INSTANCE.
		{Group{Name: "Users", ID: "S-1-5-32-545"}, "", "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12019b;;;S-1-5-32-545)(A;;0x12019b;;;AU)", ""},
		{Group{Name: "plugfs", ID: "S-1-5-21-1004336348-1177238915-682003330-1013"}, "",
			"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12019b;;;S-1-5-21-1004336348-1177238915-682003330-1013)(A;;0x12019b;;;AU)", ""},
		// A daemon that is not LocalSystem or an administrator creates
		// its pipe's further instances as its own user.
		{Group{}, me, "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + me + ")(A;;0x12019b;;;AU)", ""},
		{Group{Name: "me", ID: me}, me, "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + me + ")(A;;0x12019b;;;" + me + ")(A;;0x12019b;;;AU)", ""},
		// Anything but a SID would change the descriptor's meaning.
		{Group{Name: "evil", ID: "S-1-5-32-545)(A;;GA;;;WD"}, "", "", "is not a SID"},
		{Group{Name: "gid", ID: "1000"}, "", "", "is not a SID"},
		{Group{Name: "alias", ID: "WD"}, "", "", "is not a SID"},
		{Group{Name: "short", ID: "S-1-"}, "", "", "is not a SID"},
		{Group{Name: "dash", ID: "S-1-5--32"}, "", "", "is not a SID"},
		{Group{}, me + ")(A;;GA;;;WD", "", "is not a SID"},
	} {
		got, err := PipeSDDL(tc.g, tc.server)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("PipeSDDL(%+v, %q) = %q, %v; want an error with %q", tc.g, tc.server, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PipeSDDL(%+v, %q) = %q, %v; want %q", tc.g, tc.server, got, err, tc.want)
		}
	}
}

// TestPipeClientAccess spells the client's mask out bit by bit, as
// winnt.h defines the rights (the Windows tests compare the constants
// with golang.org/x/sys/windows').
func TestPipeClientAccess(t *testing.T) {
	if fileGenericRead != 0x120089 || fileGenericWrite != 0x120116 {
		t.Errorf("FILE_GENERIC_READ %#x, FILE_GENERIC_WRITE %#x; want 0x120089, 0x120116", fileGenericRead, fileGenericWrite)
	}
	if pipeClientAccess != 0x12019b {
		t.Errorf("pipeClientAccess = %#x, want 0x12019b", pipeClientAccess)
	}
	if pipeClientAccess&fileCreatePipeInstance != 0 {
		t.Errorf("pipeClientAccess %#x includes FILE_CREATE_PIPE_INSTANCE", pipeClientAccess)
	}
	if fileGenericWrite&fileCreatePipeInstance == 0 {
		t.Error("FILE_GENERIC_WRITE lacks FILE_CREATE_PIPE_INSTANCE: then Dial could ask for GENERIC_WRITE")
	}
}

func TestServerACE(t *testing.T) {
	const me = "S-1-5-21-1-2-3-1001"
	for _, tc := range []struct {
		name string
		self Peer
		want string
	}{
		{"LocalSystem", Peer{SID: sidSystem, GroupSIDs: []string{sidAdmins, "S-1-1-0"}}, ""},
		{"elevated administrator", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", sidAdmins}}, ""},
		{"ordinary user", Peer{SID: me, GroupSIDs: []string{"S-1-1-0", "S-1-5-32-545", "S-1-5-11"}}, me},
		{"unelevated administrator (Administrators deny-only, left out)", Peer{SID: me, GroupSIDs: []string{"S-1-1-0"}}, me},
	} {
		if got := serverACE(tc.self); got != tc.want {
			t.Errorf("%s: serverACE = %q, want %q", tc.name, got, tc.want)
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
