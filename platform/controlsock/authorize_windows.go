//go:build windows

package controlsock

import (
	"errors"
	"fmt"
	"net"
	"runtime"

	"golang.org/x/sys/windows"
)

var procImpersonateNamedPipeClient = windows.NewLazySystemDLL("advapi32.dll").NewProc("ImpersonateNamedPipeClient")

// Authorize identifies the client of c, a pipe connection Listen
// accepted, and says what it may do as the pipe's DACL admits it
// (RoleOf): everything when its user or one of its enabled groups is
// LocalSystem, BUILTIN\Administrators or g (an administrator's
// unelevated token holds Administrators for deny only, so it is not
// counted, as the DACL does not count it); reading when it is any other
// authenticated user; nothing otherwise. The identity is the client's
// token, read by impersonating the client; a client that connected
// anonymously is identified by the token of its process instead
// (GetNamedPipeClientProcessId). A refusal (RoleNone) wraps ErrDenied
// and says why.
func Authorize(c net.Conn, g Group) (Peer, Role, error) {
	p := Peer{UID: -1}
	f, ok := c.(interface{ Fd() uintptr })
	if !ok {
		return p, RoleNone, &credError{fmt.Errorf("not a named pipe connection (%T)", c)}
	}
	h := windows.Handle(f.Fd())
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(h, &pid); err == nil {
		p.PID = int(pid)
	}
	tok, err := clientToken(h, pid)
	if err != nil {
		return p, RoleNone, &credError{err}
	}
	defer tok.Close()
	if err := readToken(tok, &p); err != nil {
		return p, RoleNone, &credError{err}
	}
	r, err := RoleOf(p, g)
	return p, r, err
}

// clientToken opens the pipe client's token for querying: the
// impersonation token when the client allows identification, else the
// primary token of process pid.
func clientToken(h windows.Handle, pid uint32) (windows.Token, error) {
	t, err := impersonationToken(h)
	if err == nil {
		return t, nil
	}
	if pid == 0 {
		return 0, err
	}
	t, perr := processToken(pid)
	if perr != nil {
		return 0, errors.Join(err, perr)
	}
	return t, nil
}

// impersonationToken impersonates the client of h on a thread of its
// own, opens that thread's token and reverts. If reverting fails the
// thread stays locked to its goroutine, so that Go ends it with the
// goroutine instead of running other code under the client's identity.
func impersonationToken(h windows.Handle) (windows.Token, error) {
	type result struct {
		t   windows.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if r, _, e := procImpersonateNamedPipeClient.Call(uintptr(h)); r == 0 {
			runtime.UnlockOSThread()
			ch <- result{err: fmt.Errorf("ImpersonateNamedPipeClient: %w", e)}
			return
		}
		var t windows.Token
		err := windows.OpenThreadToken(windows.CurrentThread(), windows.TOKEN_QUERY, true, &t)
		if rerr := windows.RevertToSelf(); rerr != nil {
			if err == nil {
				t.Close()
			}
			ch <- result{err: fmt.Errorf("RevertToSelf: %w", rerr)} // the thread stays locked: see above
			return
		}
		runtime.UnlockOSThread()
		if err != nil {
			err = fmt.Errorf("the client's token (did it connect anonymously?): %w", err)
		}
		ch <- result{t, err}
	}()
	r := <-ch
	return r.t, r.err
}

// processToken opens the primary token of process pid for querying.
func processToken(pid uint32) (windows.Token, error) {
	hp, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return 0, fmt.Errorf("open process %d: %w", pid, err)
	}
	defer windows.CloseHandle(hp)
	var t windows.Token
	if err := windows.OpenProcessToken(hp, windows.TOKEN_QUERY, &t); err != nil {
		return 0, fmt.Errorf("token of process %d: %w", pid, err)
	}
	return t, nil
}

// readToken fills p's user SID and enabled groups from t.
func readToken(t windows.Token, p *Peer) error {
	u, err := t.GetTokenUser()
	if err != nil {
		return fmt.Errorf("token user: %w", err)
	}
	p.SID = u.User.Sid.String()
	gs, err := t.GetTokenGroups()
	if err != nil {
		return fmt.Errorf("token groups: %w", err)
	}
	for _, g := range gs.AllGroups() {
		if g.Attributes&windows.SE_GROUP_ENABLED != 0 && g.Attributes&windows.SE_GROUP_USE_FOR_DENY_ONLY == 0 {
			p.GroupSIDs = append(p.GroupSIDs, g.Sid.String())
		}
	}
	return nil
}
