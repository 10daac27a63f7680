package controlsock

import (
	"errors"
	"strings"
	"testing"
)

func TestTrustServer(t *testing.T) {
	const (
		addr    = `\\.\pipe\plugfs`
		me      = "S-1-5-21-1-2-3-1001"
		mallory = "S-1-5-21-1-2-3-1099"
		users   = "S-1-5-32-545"
		every   = "S-1-1-0"
	)
	denied := errors.New("OpenProcessToken: Access is denied.")
	for _, tc := range []struct {
		name   string
		s      serverIdentity
		client string
		want   []string // nil: admitted; else what the refusal says
	}{
		{"LocalSystem", serverIdentity{PID: 700, SID: sidSystem, GroupSIDs: []string{sidAdmins, every}}, me, nil},
		{"LocalSystem, client unknown", serverIdentity{PID: 700, SID: sidSystem}, "", nil},
		{"elevated administrator", serverIdentity{PID: 701, SID: "S-1-5-21-1-2-3-500", GroupSIDs: []string{every, sidAdmins, users}}, me, nil},
		{"the client's own user", serverIdentity{PID: 702, SID: me, GroupSIDs: []string{every, users}}, me, nil},
		{"another user", serverIdentity{PID: 703, SID: mallory, User: `EVIL\mallory`, GroupSIDs: []string{every, users}, Owner: mallory},
			me, []string{addr, "process 703", `user EVIL\mallory (` + mallory + ")", "taskkill /PID 703", "plugfs service install", "elevated prompt"}},
		{"another user, client unknown", serverIdentity{PID: 703, SID: mallory, GroupSIDs: []string{every}}, "",
			[]string{"process 703", "user " + mallory}},
		{"an unknown client is not the same user as an unknown server", serverIdentity{PID: 703}, "",
			[]string{"cannot be identified"}},
		// An administrator's unelevated token holds Administrators for
		// deny only: readToken leaves it out, so it is not there.
		{"unelevated administrator", serverIdentity{PID: 704, SID: mallory, GroupSIDs: []string{every, users}}, me,
			[]string{"process 704", mallory}},
		// The pipe's owner claims nothing when the token is readable.
		{"another user, owner Administrators", serverIdentity{PID: 705, SID: mallory, Owner: sidAdmins}, me,
			[]string{"process 705", mallory}},
		// A client that is no administrator cannot read a service's
		// token: the owner, which only such a process can set, decides.
		{"token unreadable, owner LocalSystem", serverIdentity{PID: 706, TokenErr: denied, Owner: sidSystem}, me, nil},
		{"token unreadable, owner Administrators", serverIdentity{PID: 706, TokenErr: denied, Owner: sidAdmins}, me, nil},
		{"token unreadable, owner the client", serverIdentity{PID: 706, TokenErr: denied, Owner: me}, me, nil},
		{"token unreadable, owner another user", serverIdentity{PID: 707, TokenErr: denied, Owner: mallory, OwnerName: `EVIL\mallory`}, me,
			[]string{"process 707", "Access is denied", `owned by EVIL\mallory (` + mallory + ")", "taskkill /PID 707"}},
		{"nothing known", serverIdentity{TokenErr: errors.New("GetNamedPipeServerProcessId: not supported")}, me,
			[]string{"an unknown process", "not supported", "Stop the process that serves it"}},
	} {
		err := trustServer(addr, tc.s, tc.client)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: refused: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: admitted", tc.name)
			continue
		}
		if !errors.Is(err, ErrServerUntrusted) || errors.Is(err, ErrDenied) {
			t.Errorf("%s: %v is not ErrServerUntrusted alone", tc.name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
	}
}
