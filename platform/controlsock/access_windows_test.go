//go:build windows

package controlsock

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// Wine does not check a pipe's DACL when a client connects (every open
// succeeds), so what the DACL grants is shown here with AccessCheck, the
// system's own evaluation of a descriptor against a token, which Wine
// does run: PipeSDDL's descriptors against this process's token and
// against copies of it restricted to an ordinary user's rights. What the
// connection itself gets is read back from the handle Dial opened
// (NtQueryObject). A refusal at connect time by a real Windows for a
// second user: not run here.

var (
	procNtQueryObject         = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtQueryObject")
	procCreateRestrictedToken = windows.NewLazySystemDLL("advapi32.dll").NewProc("CreateRestrictedToken")
	procAccessCheck           = windows.NewLazySystemDLL("advapi32.dll").NewProc("AccessCheck")
	procMapGenericMask        = windows.NewLazySystemDLL("advapi32.dll").NewProc("MapGenericMask")
)

// fileAllAccess is FILE_ALL_ACCESS, what GA maps to on a file or pipe.
const fileAllAccess = 0x1f01ff

// fileMapping is the generic mapping of file objects, pipes included
// (GENERIC_MAPPING: read, write, execute, all).
var fileMapping = [4]uint32{windows.FILE_GENERIC_READ, windows.FILE_GENERIC_WRITE, windows.FILE_GENERIC_EXECUTE, fileAllAccess}

// TestAccessConstants: the rights spelled in sddl.go are the system's.
func TestAccessConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"FILE_GENERIC_READ", fileGenericRead, windows.FILE_GENERIC_READ},
		{"FILE_GENERIC_WRITE", fileGenericWrite, windows.FILE_GENERIC_WRITE},
		{"FILE_APPEND_DATA", fileAppendData, windows.FILE_APPEND_DATA},
		{"READ_CONTROL", readControl, windows.READ_CONTROL},
		{"SYNCHRONIZE", synchronize, windows.SYNCHRONIZE},
	} {
		if c.got != c.want {
			t.Errorf("%s: %#x here, %#x in x/sys/windows", c.name, c.got, c.want)
		}
	}
}

// grantedAccess is the access the handle h was granted.
func grantedAccess(t *testing.T, h windows.Handle) uint32 {
	t.Helper()
	// OBJECT_BASIC_INFORMATION: Attributes, GrantedAccess, then counts.
	var info [14]uint32
	if r, _, _ := procNtQueryObject.Call(uintptr(h), 0, uintptr(unsafe.Pointer(&info[0])), unsafe.Sizeof(info), 0); r != 0 {
		t.Fatalf("NtQueryObject: NTSTATUS %#x", r)
	}
	return info[1]
}

func handleOf(c any) windows.Handle { return windows.Handle(c.(interface{ Fd() uintptr }).Fd()) }

// TestDialAccess: Dial's connection holds a client's access and nothing
// more (no FILE_CREATE_PIPE_INSTANCE), and everything Dial and a client
// do works with it: the server check (the server's pid, the pipe's
// owner), writing and reading.
func TestDialAccess(t *testing.T) {
	addr := pipeName(t)
	ln := listen(t, addr, Options{Group: Group{Name: "Users", ID: "S-1-5-32-545"}})
	got := acceptAuthorize(ln, Group{})
	c, err := dial(t, addr)
	if err != nil {
		t.Fatalf("Dial with a client's access: %v", err)
	}
	defer c.Close()
	if a := grantedAccess(t, handleOf(c)); a != pipeClientAccess {
		t.Errorf("Dial's handle was granted %#x, want %#x (FILE_GENERIC_READ|FILE_GENERIC_WRITE without FILE_CREATE_PIPE_INSTANCE)", a, pipeClientAccess)
	}
	if s := serverOf(handleOf(c)); s.Owner == "" || s.PID == 0 {
		t.Errorf("the server is not identified through the narrowed handle: %+v", s)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, len("pong ping\n"))
	if _, err := io.ReadFull(c, reply); err != nil || string(reply) != "pong ping\n" {
		t.Fatalf("reply %q, %v", reply, err)
	}
	wait(t, got)

	// Why Dial spells its access out: GENERIC_WRITE, what winio asks for
	// by default, includes FILE_CREATE_PIPE_INSTANCE.
	got = acceptAuthorize(ln, Group{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g, err := winio.DialPipeContext(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if a := grantedAccess(t, handleOf(g)); a&fileCreatePipeInstance == 0 {
		t.Errorf("GENERIC_READ|GENERIC_WRITE was granted %#x, without FILE_CREATE_PIPE_INSTANCE", a)
	}
	_, _ = io.WriteString(g, "ping\n")
	g.Close()
	wait(t, got)
}

// restrictedToken is an impersonation token copied from this process's
// with the SIDs in disable made deny-only (they then grant nothing).
func restrictedToken(t *testing.T, disable ...string) windows.Token {
	t.Helper()
	var proc windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_DUPLICATE|windows.TOKEN_QUERY, &proc); err != nil {
		t.Fatal(err)
	}
	defer proc.Close()
	sa := make([]windows.SIDAndAttributes, len(disable))
	for i, s := range disable {
		sid, err := windows.StringToSid(s)
		if err != nil {
			t.Fatal(err)
		}
		sa[i].Sid = sid
	}
	var restricted windows.Token
	var first *windows.SIDAndAttributes
	if len(sa) > 0 {
		first = &sa[0]
	}
	if r, _, err := procCreateRestrictedToken.Call(uintptr(proc), 0, uintptr(len(sa)), uintptr(unsafe.Pointer(first)), 0, 0, 0, 0, uintptr(unsafe.Pointer(&restricted))); r == 0 {
		t.Fatalf("CreateRestrictedToken: %v", err)
	}
	defer restricted.Close()
	var imp windows.Token
	if err := windows.DuplicateTokenEx(restricted, windows.TOKEN_QUERY, nil, windows.SecurityIdentification, windows.TokenImpersonation, &imp); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imp.Close() })
	return imp
}

// accessCheck asks the system what tok may do to an object with the
// descriptor sddl (PipeSDDL's DACL, given an owner and group as
// AccessCheck requires): the access granted for want (generic rights
// mapped as for a file; MAXIMUM_ALLOWED for all there is), 0 when denied.
func accessCheck(t *testing.T, sddl string, tok windows.Token, want uint32) uint32 {
	t.Helper()
	sd, err := windows.SecurityDescriptorFromString("O:SYG:SY" + sddl)
	if err != nil {
		t.Fatalf("%s: %v", sddl, err)
	}
	procMapGenericMask.Call(uintptr(unsafe.Pointer(&want)), uintptr(unsafe.Pointer(&fileMapping)))
	var privs [256]byte
	n := uint32(len(privs))
	var granted uint32
	var ok int32
	if r, _, err := procAccessCheck.Call(uintptr(unsafe.Pointer(sd)), uintptr(tok), uintptr(want), uintptr(unsafe.Pointer(&fileMapping)),
		uintptr(unsafe.Pointer(&privs[0])), uintptr(unsafe.Pointer(&n)), uintptr(unsafe.Pointer(&granted)), uintptr(unsafe.Pointer(&ok))); r == 0 {
		t.Fatalf("AccessCheck(%s, %#x): %v", sddl, want, err)
	}
	if ok == 0 {
		return 0
	}
	return granted
}

// TestPipeAccessCheck: what PipeSDDL's descriptors grant whom, as the
// system's access check decides. "Ordinary" is this process's token
// with its user and BUILTIN\Administrators made deny-only: a user who
// is no administrator, in BUILTIN\Users (S-1-5-32-545, the socket group
// here), Authenticated Users and the other groups of this token;
// "stranger" is not an authenticated user either.
func TestPipeAccessCheck(t *testing.T) {
	me := selfPeer(t)
	users := Group{Name: "Users", ID: "S-1-5-32-545"}
	if !strings.Contains(strings.Join(me.GroupSIDs, " "), users.ID) {
		t.Fatalf("this process is not in %s (groups %v): the test needs it", users.ID, me.GroupSIDs)
	}
	ordinary := restrictedToken(t, me.SID, sidAdmins)
	stranger := restrictedToken(t, me.SID, sidAdmins, sidAuthenticatedUsers)
	if !strings.Contains(strings.Join(me.GroupSIDs, " "), sidAuthenticatedUsers) {
		t.Fatalf("this process is not an authenticated user (groups %v): the test needs it", me.GroupSIDs)
	}
	full := restrictedToken(t)
	sddl := func(g Group, server string) string {
		s, err := PipeSDDL(g, server)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const genericRW = windows.GENERIC_READ | windows.GENERIC_WRITE
	for _, c := range []struct {
		name       string
		sddl       string
		tok        windows.Token
		want, gets uint32
	}{
		// Authenticated Users: a client's access, to read.
		{"an ordinary user, no group: a client's access", sddl(Group{}, ""), ordinary, windows.MAXIMUM_ALLOWED, pipeClientAccess},
		{"an ordinary user, no group: no new instance", sddl(Group{}, ""), ordinary, fileCreatePipeInstance, 0},
		{"neither a member nor authenticated (anonymous, a guest): nothing", sddl(Group{}, ""), stranger, windows.MAXIMUM_ALLOWED, 0},
		{"a member: all it may have", sddl(users, ""), ordinary, windows.MAXIMUM_ALLOWED, pipeClientAccess},
		{"a member: what Dial asks", sddl(users, ""), ordinary, pipeClientAccess, pipeClientAccess},
		{"a member: no new instance", sddl(users, ""), ordinary, fileCreatePipeInstance, 0},
		{"a member: not GENERIC_WRITE (it holds FILE_CREATE_PIPE_INSTANCE)", sddl(users, ""), ordinary, genericRW, 0},
		// The daemon's own user, when it is not an administrator, must
		// create instances.
		{"the daemon's user: everything", sddl(users, me.SID), restrictedToken(t, sidAdmins), fileCreatePipeInstance, fileCreatePipeInstance},
	} {
		if got := accessCheck(t, c.sddl, c.tok, c.want); got != c.gets {
			t.Errorf("%s: %s grants %#x for %#x, want %#x", c.name, c.sddl, got, c.want, c.gets)
		}
	}
	// This process itself: an administrator (as under Wine) gets all.
	wantFull := uint32(pipeClientAccess) // through the group
	if isAdmin(t) {
		wantFull = fileAllAccess
	}
	if got := accessCheck(t, sddl(users, serverACE(me)), full, windows.MAXIMUM_ALLOWED); got != wantFull {
		t.Errorf("this process (administrator: %v) gets %#x, want %#x", isAdmin(t), got, wantFull)
	}
}
