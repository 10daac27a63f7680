package winpipe

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/windows"
)

// ClaimFirstInstance opens and closes the pipe once, right after
// winio.ListenPipe made it. winio keeps the pipe's first instance open
// without read or write access, to hold the name, and serves clients on
// later instances. Windows 10 and later refuse clients on that first
// instance (the open here gets ERROR_PIPE_BUSY and changes nothing), but
// Windows 7 and Wine connect the first client to it, where nobody ever
// answers (go-winio issues 173 and 313). A client that connected and
// went leaves that instance waiting for a disconnect that never comes,
// so no real client lands there.
func ClaimFirstInstance(addr string) {
	p, err := windows.UTF16PtrFromString(addr)
	if err != nil {
		return
	}
	h, err := windows.CreateFile(p, 0, 0, nil, windows.OPEN_EXISTING, windows.SECURITY_SQOS_PRESENT|windows.SECURITY_ANONYMOUS, 0)
	if err == nil {
		windows.CloseHandle(h)
	}
}

// PipeDACL reads the DACL of the named pipe behind c (a go-winio
// connection) and the DACL that sddl describes, both in the system's own
// spelling (well-known SIDs by alias), so that tests compare them as
// strings. Windows stores GA on a pipe as FA and Wine does not: FA is
// spelled GA.
func PipeDACL(c net.Conn, sddl string) (got, want string, err error) {
	fc, ok := c.(interface{ Fd() uintptr })
	if !ok {
		return "", "", fmt.Errorf("%T is not a pipe connection", c)
	}
	sd, err := windows.GetSecurityInfo(windows.Handle(fc.Fd()), windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", "", fmt.Errorf("the pipe's DACL: %w", err)
	}
	wantSD, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return "", "", fmt.Errorf("%s does not parse: %w", sddl, err)
	}
	return strings.ReplaceAll(sd.String(), ";FA;", ";GA;"), wantSD.String(), nil
}
