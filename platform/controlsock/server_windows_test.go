//go:build windows

package controlsock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// What Wine cannot show: a pipe served by a second, unprivileged user.
// Wine runs every program as one user, an administrator, so the refusal
// of an impostor is run here by posing as one (identifyServer is wrapped
// to report another user's identity for the real pipe and process), and
// the fallback to the pipe's owner, which a client that is not an
// administrator takes for a LocalSystem service, is only table-tested
// (TestTrustServer): Wine lets this process read every token.

// serveOne accepts one connection on ln and reports what reading from
// it gave: the client's closing shows as io.EOF or a broken pipe.
func serveOne(ln net.Listener) <-chan error {
	got := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Read(make([]byte, 1))
		got <- err
	}()
	return got
}

// TestServerIdentity: the server of a pipe this process serves is this
// process, its user and its groups, and Dial admits it, both as the same
// user and, where the process is an administrator (as under Wine), as
// an administrator for any client.
func TestServerIdentity(t *testing.T) {
	addr := pipeName(t)
	ln := listen(t, addr, Options{})
	go func() {
		if c, err := ln.Accept(); err == nil {
			_, _ = io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	c, err := dial(t, addr)
	if err != nil {
		t.Fatalf("Dial of a pipe this process serves: %v", err)
	}
	defer c.Close()
	s := serverOf(windows.Handle(c.(interface{ Fd() uintptr }).Fd()))
	t.Logf("server: %+v", s)
	if s.PID != os.Getpid() || s.SID != self(t) || s.TokenErr != nil || len(s.GroupSIDs) == 0 {
		t.Fatalf("server identified as %+v; want pid %d, user %s and its groups", s, os.Getpid(), self(t))
	}
	// Wine makes the pipe's owner the primary group (Domain Users, "None"),
	// where Windows puts the creator's default owner: only read here.
	if s.Owner == "" {
		t.Errorf("the pipe's owner was not read: %+v", s)
	}
	if err := trustServer(addr, s, self(t)); err != nil {
		t.Errorf("the same user refused: %v", err)
	}
	if err := trustServer(addr, s, "S-1-5-21-1-2-3-1099"); (err == nil) != isAdmin(t) {
		t.Errorf("for another client: %v; this process is an administrator: %v", err, isAdmin(t))
	}
	if accountName(self(t)) == "" {
		t.Errorf("no account name for this process's user %s", self(t))
	}
	if clientSID() != self(t) {
		t.Errorf("clientSID() = %q, want %q", clientSID(), self(t))
	}
}

// isAdmin says whether CheckTokenMembership counts this process in
// BUILTIN\Administrators.
func isAdmin(t *testing.T) bool {
	t.Helper()
	sid, err := windows.StringToSid(sidAdmins)
	if err != nil {
		t.Fatal(err)
	}
	m, err := windows.Token(0).IsMember(sid)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDialRefusesImpostor: a pipe served by another user that is neither
// LocalSystem nor an administrator is refused and the connection closed.
// The pipe and process are real; their user is posed (see above): once
// with a name, once as a well-known SID whose name checkServer looks up.
func TestDialRefusesImpostor(t *testing.T) {
	const mallory = "S-1-5-21-1-2-3-1099"
	anonymous := accountName("S-1-5-7")
	if anonymous == "" {
		t.Fatal("no account name for S-1-5-7 (ANONYMOUS LOGON)")
	}
	for _, pose := range []struct{ sid, user, wantName string }{
		{mallory, `EVIL\mallory`, `EVIL\mallory`},
		{"S-1-5-7", "", anonymous},
	} {
		real := identifyServer
		identifyServer = func(h windows.Handle) serverIdentity {
			s := real(h)
			s.SID, s.User = pose.sid, pose.user
			s.GroupSIDs = []string{"S-1-1-0", "S-1-5-32-545", "S-1-5-11"} // Everyone, Users, Authenticated Users
			s.Owner = pose.sid
			return s
		}
		refused(t, pose.sid, pose.wantName)
		identifyServer = real
	}
}

// refused dials a pipe this process serves, with identifyServer posing
// as user sid, and checks the refusal; then dials it again as itself.
func refused(t *testing.T, sid, name string) {
	t.Helper()
	addr := pipeName(t) + "-" + sid
	ln := listen(t, addr, Options{})
	got := serveOne(ln)
	c, err := dial(t, addr)
	if err == nil {
		c.Close()
		t.Fatalf("Dial admitted a pipe served by %s, who is not an administrator", sid)
	}
	if !errors.Is(err, ErrServerUntrusted) || errors.Is(err, ErrDenied) || errors.Is(err, ErrNoServer) {
		t.Errorf("Dial: %v; want ErrServerUntrusted only", err)
	}
	for _, want := range []string{addr, fmt.Sprintf("process %d", os.Getpid()), name + " (" + sid + ")",
		fmt.Sprintf("taskkill /PID %d", os.Getpid()), "as a service", "elevated"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %q", err, want)
		}
	}
	select {
	case rerr := <-got:
		if rerr == nil {
			t.Error("the server read a byte from a refused connection")
		}
	case <-time.After(10 * time.Second):
		t.Error("the refused connection was not closed (the server still waits after 10 s)")
	}
}
