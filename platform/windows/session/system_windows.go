//go:build windows

package session

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// IsLocalSystem reports whether this process runs as LocalSystem: the
// user of its token is S-1-5-18. LocalSystem matters to mounting points
// in two ways: its own logon session's DOS devices are the global ones
// (a plain DefineDosDevice("Z:") by LocalSystem is visible to every
// session), and it may broadcast to every desktop (BSM_ALLDESKTOPS).
func IsLocalSystem() (bool, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return false, fmt.Errorf("token user: %w", err)
	}
	return isLocalSystemSID(u.User.Sid), nil
}

// isLocalSystemSID reports whether sid is LocalSystem's, S-1-5-18.
func isLocalSystemSID(sid *windows.SID) bool {
	return sid != nil && sid.IsWellKnown(windows.WinLocalSystemSid)
}

// InSessionZero reports whether this process runs in terminal session
// 0, where services run. WinFsp treats a process there that is not
// LocalSystem as a service and has its launcher (LocalSystem) define its
// drive letters, globally.
func InSessionZero() (bool, error) {
	var id uint32
	if err := windows.ProcessIdToSessionId(windows.GetCurrentProcessId(), &id); err != nil {
		return false, fmt.Errorf("terminal session of this process: %w", err)
	}
	return id == 0, nil
}
