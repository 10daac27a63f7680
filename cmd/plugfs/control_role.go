package main

import (
	"fmt"
	"path"
	"slices"

	"google.golang.org/grpc/metadata"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/controlsock"
)

// readerMethods are the control calls a reader (controlsock.RoleReader:
// on Windows, any authenticated user who is not an administrator or in
// the socket group) may make: they read the daemon's state and change
// nothing. Every other call, a new one included, needs
// controlsock.RolePrivileged.
var readerMethods = []string{
	controlv1.Control_Status_FullMethodName,
	controlv1.Control_List_FullMethodName,
}

// mayCall says whether a peer with role r may make the call method (a
// gRPC full method name, /package.Service/Method).
func mayCall(r controlsock.Role, method string) bool {
	switch r {
	case controlsock.RolePrivileged:
		return true
	case controlsock.RoleReader:
		return slices.Contains(readerMethods, method)
	}
	return false
}

// readerRefusal is the PERMISSION_DENIED message for a reader, p, that
// called method: which call, what the caller may do, and the fix.
func readerRefusal(p controlsock.Peer, method string, g controlsock.Group) string {
	group := "daemon.socket_group (not set: an administrator can set it to a group you are in)"
	if g.Name != "" {
		group = "daemon.socket_group (" + g.Name + ")"
	}
	return fmt.Sprintf("%s may only read the daemon's state (Status, List: plugfs list, plugfs agent), not call %s: "+
		"run it as an administrator (elevated), or as a member of %s", p, path.Base(method), group)
}

// roleHeader is the response header in which the daemon tells a client
// its role (controlsock.Role's String), so that a client about to
// change something learns before it starts that it may only read.
const roleHeader = "plugfs-role"

// isReader says whether the header md of a control response says the
// caller may only read. A daemon that does not send the header (an
// older one) has no readers.
func isReader(md metadata.MD) bool {
	return slices.Contains(md.Get(roleHeader), controlsock.RoleReader.String())
}
