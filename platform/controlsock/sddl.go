package controlsock

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SIDs the pipe admits without a group: LocalSystem and
// BUILTIN\Administrators.
const (
	sidSystem = "S-1-5-18"
	sidAdmins = "S-1-5-32-544"
)

// Access rights of a named pipe (winnt.h), spelled here so that the
// descriptor can be built and tested on every system.
const (
	fileReadData        = 0x1
	fileWriteData       = 0x2
	fileAppendData      = 0x4 // on a named pipe: FILE_CREATE_PIPE_INSTANCE
	fileReadEA          = 0x8
	fileWriteEA         = 0x10
	fileReadAttributes  = 0x80
	fileWriteAttributes = 0x100
	readControl         = 0x20000
	synchronize         = 0x100000

	// fileCreatePipeInstance is the right to create another instance of
	// a pipe, which is how a process would take connections meant for
	// the daemon. It is the bit of FILE_APPEND_DATA, so FILE_GENERIC_WRITE,
	// and GENERIC_WRITE, which maps to it, include it.
	fileCreatePipeInstance = fileAppendData

	fileGenericRead  = readControl | fileReadData | fileReadAttributes | fileReadEA | synchronize                     // 0x120089
	fileGenericWrite = readControl | fileWriteData | fileWriteAttributes | fileWriteEA | fileAppendData | synchronize // 0x120116

	// pipeClientAccess is what a client of the control pipe needs, and
	// all that the socket group is granted: FILE_GENERIC_READ |
	// FILE_GENERIC_WRITE without FILE_CREATE_PIPE_INSTANCE (0x12019b).
	// Dial asks for exactly this; asking for GENERIC_WRITE would ask for
	// FILE_CREATE_PIPE_INSTANCE too and be refused.
	pipeClientAccess = (fileGenericRead | fileGenericWrite) &^ fileCreatePipeInstance
)

// PipeSDDL is the security descriptor, in SDDL, that Listen gives the
// control pipe on Windows: a protected DACL (nothing inherited) granting
// full access (GA) to LocalSystem (SY) and BUILTIN\Administrators (BA);
// full access to server, the SID of the user the daemon runs as, when
// it is given ("" when the daemon is LocalSystem or an elevated
// administrator, whom those entries cover already: see serverACE); and
// only what a client needs (pipeClientAccess, as a hex mask: read,
// write, attributes, but not FILE_CREATE_PIPE_INSTANCE, so that nobody
// else can add instances of the daemon's pipe and take its connections)
// to the SID of g, when it has one, and to Authenticated Users (AU),
// whom Authorize lets read the daemon's state only. Nobody else has any
// access: anonymous clients and guests. (Remote clients are refused by
// the pipe itself, PIPE_REJECT_REMOTE_CLIENTS.) A group ID or server
// that is not a SID string is an error: it would otherwise change the
// descriptor's meaning.
func PipeSDDL(g Group, server string) (string, error) {
	s := "D:P(A;;GA;;;SY)(A;;GA;;;BA)"
	if server != "" {
		if !isSIDString(server) {
			return "", fmt.Errorf("the daemon's user %q is not a SID (S-1-...)", server)
		}
		s += "(A;;GA;;;" + server + ")"
	}
	if g.ID != "" {
		if !isSIDString(g.ID) {
			return "", fmt.Errorf("group %q: %q is not a SID (S-1-...): give a group name or a SID", g.Name, g.ID)
		}
		s += clientACE(g.ID)
	}
	return s + clientACE("AU"), nil
}

// clientACE is the DACL entry granting sid what a client needs.
func clientACE(sid string) string {
	return "(A;;0x" + strconv.FormatUint(pipeClientAccess, 16) + ";;;" + sid + ")"
}

// serverACE is the SID to which PipeSDDL must grant full access so
// that self, the identity of the process creating the pipe, may create
// its further instances (one per waiting connection: that takes
// FILE_CREATE_PIPE_INSTANCE, which clients no longer get): "" for
// LocalSystem and an elevated administrator, whom the fixed entries
// cover; self's user otherwise (a daemon a user runs for themselves,
// the one server besides those that clients trust).
func serverACE(self Peer) string {
	if pipeAdmits(self, Group{}) {
		return ""
	}
	return self.SID
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

// pipeAdmits says whether p may do everything with the control pipe
// (RolePrivileged): when its user or one of its enabled groups is
// LocalSystem, the Administrators or g, the SIDs PipeSDDL's DACL names
// besides Authenticated Users and the daemon's own user.
func pipeAdmits(p Peer, g Group) bool {
	want := []string{sidSystem, sidAdmins}
	if g.ID != "" {
		want = append(want, g.ID)
	}
	return slices.Contains(want, p.SID) || slices.ContainsFunc(p.GroupSIDs, func(s string) bool { return slices.Contains(want, s) })
}
