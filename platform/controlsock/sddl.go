package controlsock

import (
	"fmt"
	"slices"
	"strings"
)

// SIDs the pipe admits without a group: LocalSystem and
// BUILTIN\Administrators.
const (
	sidSystem = "S-1-5-18"
	sidAdmins = "S-1-5-32-544"
)

// PipeSDDL is the security descriptor, in SDDL, that Listen gives the
// control pipe on Windows: a protected DACL (nothing inherited) granting
// full access (GA) to LocalSystem (SY), BUILTIN\Administrators (BA) and,
// when g has an ID, to that SID; nobody else has any access. (Remote
// clients are refused by the pipe itself, PIPE_REJECT_REMOTE_CLIENTS.)
// A group ID that is not a SID string is an error: it would otherwise
// change the descriptor's meaning.
func PipeSDDL(g Group) (string, error) {
	s := "D:P(A;;GA;;;SY)(A;;GA;;;BA)"
	if g.ID == "" {
		return s, nil
	}
	if !isSIDString(g.ID) {
		return "", fmt.Errorf("group %q: %q is not a SID (S-1-...): give a group name or a SID", g.Name, g.ID)
	}
	return s + "(A;;GA;;;" + g.ID + ")", nil
}

// isSIDString says whether s has the form S-1-N(-N)*, decimal N.
func isSIDString(s string) bool {
	rest, ok := strings.CutPrefix(s, "S-1-")
	if !ok {
		return false
	}
	for _, part := range strings.Split(rest, "-") {
		if part == "" || len(part) > 20 {
			return false
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// pipeAdmits decides as PipeSDDL's DACL does: p is admitted when its
// user or one of its enabled groups is LocalSystem, the Administrators or
// g.
func pipeAdmits(p Peer, g Group) bool {
	want := []string{sidSystem, sidAdmins}
	if g.ID != "" {
		want = append(want, g.ID)
	}
	return slices.Contains(want, p.SID) || slices.ContainsFunc(p.GroupSIDs, func(s string) bool { return slices.Contains(want, s) })
}
