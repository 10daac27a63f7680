//go:build windows

package controlsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/plugfs/plugfs/internal/winpipe"
)

// What Wine cannot show: a refusal by the DACL or by Authorize needs a
// second, unprivileged user, and Wine runs every program as one user
// (an administrator). Those paths are compile-only here; the DACL itself
// is read back from the pipe (TestPipeDACL) and Authorize's decision is
// checked against CheckTokenMembership for this process. Nor does Wine
// refuse a second Listen on a live pipe (TestListenTwice).

func pipeName(t *testing.T) string {
	return fmt.Sprintf(`\\.\pipe\plugfs-test-%d-%s`, os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
}

func listen(t *testing.T, addr string, opts Options) net.Listener {
	t.Helper()
	ln, err := Listen(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func dial(t *testing.T, addr string) (net.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Dial(ctx, addr)
}

// selfPeer is this process's user and enabled groups, as Listen reads
// them.
func selfPeer(t *testing.T) Peer {
	t.Helper()
	var p Peer
	if err := readToken(windows.GetCurrentProcessToken(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// self is this process's user SID.
func self(t *testing.T) string {
	t.Helper()
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	return u.User.Sid.String()
}

// acceptAuthorize accepts one connection on ln, authorizes it against g
// and echoes one line back prefixed with "pong ".
func acceptAuthorize(ln net.Listener, g Group) <-chan result {
	got := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer c.Close()
		p, r, aerr := Authorize(c, g)
		got <- result{p, r, aerr}
		line, _ := bufio.NewReader(c).ReadString('\n')
		_, _ = io.WriteString(c, "pong "+line)
	}()
	return got
}

type result struct {
	peer Peer
	role Role
	err  error
}

// wait returns what acceptAuthorize got, failing after 10 s.
func wait(t *testing.T, got <-chan result) result {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the server accepted no connection in 10 s")
	}
	return result{}
}

func roundTrip(t *testing.T, addr string) {
	t.Helper()
	c, err := dial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || reply != "pong ping\n" {
		t.Fatalf("reply %q, %v; want %q", reply, err, "pong ping\n")
	}
}

func TestPipeRoundTrip(t *testing.T) {
	addr := pipeName(t)
	ln := listen(t, addr, Options{})
	got := acceptAuthorize(ln, Group{})
	roundTrip(t, addr)
	r := wait(t, got)
	if r.peer.PID != os.Getpid() || r.peer.SID != self(t) || r.peer.UID != -1 {
		t.Errorf("peer %+v; want pid %d, user %s", r.peer, os.Getpid(), self(t))
	}
	// Without a group, Authorize gives every right to what
	// CheckTokenMembership says is LocalSystem or an administrator, and
	// reading to another authenticated user.
	admin := false
	for _, s := range []string{sidSystem, sidAdmins} {
		sid, err := windows.StringToSid(s)
		if err != nil {
			t.Fatal(err)
		}
		m, err := windows.Token(0).IsMember(sid)
		if err != nil {
			t.Fatal(err)
		}
		admin = admin || m || r.peer.SID == s
	}
	want := RoleReader
	if admin {
		want = RolePrivileged
	}
	if r.role != want || r.err != nil {
		t.Errorf("Authorize without a group: %v, %v; want %v (administrator or LocalSystem: %v)", r.role, r.err, want, admin)
	}
}

func TestPipeGroupAdmits(t *testing.T) {
	g, err := LookupGroup(self(t)) // a SID string is taken as it is
	if err != nil {
		t.Fatal(err)
	}
	addr := pipeName(t)
	ln := listen(t, addr, Options{Group: g})
	got := acceptAuthorize(ln, g)
	roundTrip(t, addr)
	if r := wait(t, got); r.err != nil || r.role != RolePrivileged {
		t.Errorf("Authorize with the caller's own SID as the group: %v, %v; want privileged", r.role, r.err)
	}
}

// TestAnonymousClient: a client that does not allow identification
// (winio's default Dial) is still identified, by its process's token.
func TestAnonymousClient(t *testing.T) {
	addr := pipeName(t)
	ln := listen(t, addr, Options{})
	got := acceptAuthorize(ln, Group{ID: self(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := winio.DialPipeContext(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	r := wait(t, got)
	if r.err != nil || r.role != RolePrivileged || r.peer.SID != self(t) || r.peer.PID != os.Getpid() {
		t.Errorf("Authorize of an anonymous client: %+v, %v, %v; want user %s, pid %d, privileged", r.peer, r.role, r.err, self(t), os.Getpid())
	}

	// The fallback itself, whichever path Wine took above.
	tok, err := processToken(uint32(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	var p Peer
	if err := readToken(tok, &p); err != nil {
		t.Fatal(err)
	}
	if p.SID != self(t) || len(p.GroupSIDs) == 0 {
		t.Errorf("process token read as %+v; want user %s and its groups", p, self(t))
	}
}

func TestPipeGRPC(t *testing.T) {
	addr := pipeName(t)
	ln := listen(t, addr, Options{})
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()

	conn, err := grpc.NewClient("passthrough:///localhost",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return Dial(ctx, addr) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health %v, want SERVING", res.GetStatus())
	}
}

func TestDialAbsentPipe(t *testing.T) {
	_, err := dial(t, pipeName(t))
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial of an absent pipe: %v, want ErrNoServer", err)
	}
}

// underWine says whether this runs under Wine (ntdll exports
// wine_get_version there).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func TestListenTwice(t *testing.T) {
	if underWine() {
		t.Skip("Wine creates another instance of an existing pipe where Windows fails FILE_CREATE: only Windows can run this")
	}
	addr := pipeName(t)
	listen(t, addr, Options{})
	ln, err := Listen(context.Background(), addr, Options{})
	if err == nil {
		ln.Close()
		t.Fatal("a second Listen on the same pipe succeeded")
	}
	if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second Listen: %v, want it to say the pipe is in use", err)
	}
}

// TestPipeDACL reads the DACL back from a connection to the pipe.
func TestPipeDACL(t *testing.T) {
	for _, g := range []Group{{}, {Name: "Users", ID: "S-1-5-32-545"}} {
		addr := pipeName(t) + g.Name
		ln := listen(t, addr, Options{Group: g})
		go func() {
			if c, err := ln.Accept(); err == nil {
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}
		}()
		c, err := dial(t, addr)
		if err != nil {
			t.Fatal(err)
		}
		sddl, err := PipeSDDL(g, serverACE(selfPeer(t)))
		if err != nil {
			c.Close()
			t.Fatal(err)
		}
		// Compared in the system's own spelling (well-known SIDs by
		// alias, the group's 0x12019b as it prints it).
		got, want, err := winpipe.PipeDACL(c, sddl)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("DACL of the pipe with group %q: %s, want %s", g.Name, got, want)
		}
	}
}

func TestLookupGroup(t *testing.T) {
	if g, err := LookupGroup(""); err != nil || g != (Group{}) {
		t.Errorf(`LookupGroup("") = %+v, %v; want the zero Group`, g, err)
	}
	if g, err := LookupGroup("Administrators"); err != nil || g.ID != sidAdmins || g.Name != "Administrators" {
		t.Errorf("LookupGroup(Administrators) = %+v, %v; want %s", g, err, sidAdmins)
	}
	if g, err := LookupGroup("s-1-5-32-545"); err != nil || g.ID != "S-1-5-32-545" {
		t.Errorf("LookupGroup of a SID string = %+v, %v; want S-1-5-32-545", g, err)
	}
	if _, err := LookupGroup("no-such-group-plugfs"); err == nil {
		t.Error("LookupGroup of a missing group: no error")
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LookupGroup(u.Username); err == nil || !strings.Contains(err.Error(), "is not a group") {
		t.Errorf("LookupGroup of user %s: %v, want an error saying it is not a group", u.Username, err)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, ok := range []string{DefaultPipe, `\\.\PIPE\other`} {
		if err := CheckAddr(ok); err != nil {
			t.Errorf("CheckAddr(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{`C:\ProgramData\plugfs\plugfs.sock`, `\\.\pipe\`, `\\.\pipe\a\b`, `\\server\pipe\plugfs`, "plugfs"} {
		if err := CheckAddr(bad); err == nil {
			t.Errorf("CheckAddr(%q): no error", bad)
		}
	}
}
