//go:build windows

package controlsock

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// identifyServer is how Dial learns who serves a pipe connection. Tests
// wrap it to pose as another user, which Wine cannot run.
var identifyServer = serverOf

// serverOf identifies the process serving the client end h of a pipe:
// its pid (GetNamedPipeServerProcessId), the user and enabled groups of
// its token (PROCESS_QUERY_LIMITED_INFORMATION, TOKEN_QUERY), and the
// pipe's owner. What cannot be read stays empty; trustServer refuses
// what it cannot vouch for. Account names are left to checkServer.
func serverOf(h windows.Handle) serverIdentity {
	var s serverIdentity
	var pid uint32
	if err := windows.GetNamedPipeServerProcessId(h, &pid); err != nil {
		s.TokenErr = fmt.Errorf("GetNamedPipeServerProcessId: %w", err)
	} else {
		s.PID = int(pid)
		s.SID, s.GroupSIDs, s.TokenErr = processUser(pid)
	}
	s.Owner = pipeOwner(h)
	return s
}

// processUser reads the user and enabled groups of process pid's token.
func processUser(pid uint32) (sid string, groups []string, err error) {
	tok, err := processToken(pid)
	if err != nil {
		return "", nil, err
	}
	defer tok.Close()
	var p Peer
	if err := readToken(tok, &p); err != nil {
		return "", nil, fmt.Errorf("process %d: %w", pid, err)
	}
	return p.SID, p.GroupSIDs, nil
}

// pipeOwner is the owner SID of the pipe h is an end of, "" when it
// cannot be read.
func pipeOwner(h windows.Handle) string {
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return ""
	}
	o, _, err := sd.Owner()
	if err != nil || o == nil {
		return ""
	}
	return o.String()
}

// accountName is DOMAIN\name for the SID string sid, or "".
func accountName(sid string) string {
	s, err := windows.StringToSid(sid)
	if err != nil {
		return ""
	}
	account, domain, _, err := s.LookupAccount("")
	switch {
	case err != nil:
		return ""
	case domain == "":
		return account
	}
	return domain + `\` + account
}

// clientSID is the user SID of this process, "" when unreadable.
func clientSID() string {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return ""
	}
	return u.User.Sid.String()
}

// checkServer refuses the server of c, a connection to pipe addr, unless
// trustServer admits it. Account names, which may take a domain
// controller to look up, are looked up for a refusal only.
func checkServer(addr string, c interface{ Fd() uintptr }) error {
	s, client := identifyServer(windows.Handle(c.Fd())), clientSID()
	if trustServer(addr, s, client) == nil {
		return nil
	}
	if s.User == "" && s.SID != "" {
		s.User = accountName(s.SID)
	}
	if s.OwnerName == "" && s.Owner != "" {
		s.OwnerName = accountName(s.Owner)
	}
	return trustServer(addr, s, client)
}
