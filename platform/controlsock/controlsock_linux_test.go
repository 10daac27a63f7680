//go:build linux

package controlsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary a client: it dials the address in the
// variable and prints "denied", "noserver", "error: ..." or, once
// connected, "connected" and waits (10 s at most) for the server to hang
// up.
const helperEnv = "CONTROLSOCK_TEST_DIAL"

func TestMain(m *testing.M) {
	if addr := os.Getenv(helperEnv); addr != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Dial(ctx, addr)
		switch {
		case errors.Is(err, ErrDenied):
			fmt.Println("denied")
		case errors.Is(err, ErrNoServer):
			fmt.Println("noserver")
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Println("connected")
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a test gone wrong does not hang
			_, _ = io.Copy(io.Discard, c)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
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

func TestRoundTrip(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "sub", "plugfs.sock") // the directory is made
	ln := listen(t, addr, Options{})
	type accepted struct {
		peer Peer
		role Role
		err  error
	}
	got := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- accepted{err: err}
			return
		}
		defer c.Close()
		p, r, aerr := Authorize(c, Group{})
		got <- accepted{p, r, aerr}
		line, _ := bufio.NewReader(c).ReadString('\n')
		_, _ = io.WriteString(c, "pong "+line)
	}()
	c, err := dial(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || reply != "pong ping\n" {
		t.Fatalf("reply %q, %v; want %q", reply, err, "pong ping\n")
	}
	a := <-got
	if a.peer.UID != os.Geteuid() || a.peer.PID != os.Getpid() || !slices.Contains(a.peer.GIDs, os.Getegid()) {
		t.Errorf("peer %+v; want uid %d, pid %d, gid %d among its groups", a.peer, os.Geteuid(), os.Getpid(), os.Getegid())
	}
	if want := os.Geteuid() == 0; (a.err == nil) != want || (a.role == RolePrivileged) != want {
		t.Errorf("Authorize of uid %d without a group: %v, %v; admitted with every right should be %v", os.Geteuid(), a.role, a.err, want)
	}
	if a.role == RoleReader {
		t.Error("Authorize made a reader on Unix")
	}
}

func TestModeAndGroup(t *testing.T) {
	dir := t.TempDir()
	// Without a group: the creator's group.
	plain := filepath.Join(dir, "plain.sock")
	listen(t, plain, Options{})
	checkSocket(t, plain, os.Getegid())

	// With one: a group other than ours when we may chown (root), else
	// one of ours.
	gid := os.Getegid()
	if os.Geteuid() == 0 {
		gid = 65534
	}
	ug, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		t.Fatalf("group %d: %v", gid, err)
	}
	g, err := LookupGroup(ug.Name)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != strconv.Itoa(gid) || g.Name != ug.Name {
		t.Fatalf("LookupGroup(%q) = %+v, want gid %d", ug.Name, g, gid)
	}
	grouped := filepath.Join(dir, "grouped.sock")
	listen(t, grouped, Options{Group: g})
	checkSocket(t, grouped, gid)

	if _, err := LookupGroup("no-such-group-plugfs"); err == nil {
		t.Error("LookupGroup of a missing group: no error")
	}
	if g, err := LookupGroup(""); err != nil || g != (Group{}) {
		t.Errorf(`LookupGroup("") = %+v, %v; want the zero Group`, g, err)
	}
}

func checkSocket(t *testing.T, path string, gid int) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Type() != os.ModeSocket || st.Mode().Perm() != 0o660 {
		t.Errorf("%s: mode %v, want a socket with 0660", path, st.Mode())
	}
	if got := int(st.Sys().(*syscall.Stat_t).Gid); got != gid {
		t.Errorf("%s: group %d, want %d", path, got, gid)
	}
}

func TestStaleSocketReplaced(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "plugfs.sock")
	// A server that died without removing its socket.
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	if _, err := dial(t, addr); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial of a stale socket: %v, want ErrNoServer", err)
	}
	ln := listen(t, addr, Options{})
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := dial(t, addr)
	if err != nil {
		t.Fatalf("Dial after replacing the stale socket: %v", err)
	}
	c.Close()
}

func TestListenRefusesOtherFiles(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "plugfs.sock")
	if err := os.WriteFile(addr, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Listen(context.Background(), addr, Options{})
	if err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Fatalf("Listen over a regular file: %v, want an error saying it is not a socket", err)
	}
	if b, _ := os.ReadFile(addr); string(b) != "keep me" {
		t.Error("Listen touched the regular file")
	}
}

func TestDialMissing(t *testing.T) {
	_, err := dial(t, filepath.Join(t.TempDir(), "none.sock"))
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial of a missing socket: %v, want ErrNoServer", err)
	}
}

func TestCheckAddr(t *testing.T) {
	if err := CheckAddr("/run/plugfs/plugfs.sock"); err != nil {
		t.Error(err)
	}
	if err := CheckAddr("plugfs.sock"); err == nil || !strings.Contains(err.Error(), "not an absolute path") {
		t.Errorf("CheckAddr of a relative path: %v", err)
	}
}

// TestOtherUsers runs this test binary as other users against the
// socket: the mode keeps them out, the peer check refuses those the
// socket's mode lets in, and the group admits its members.
func TestOtherUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run clients as other users (CI runs it as root)")
	}
	dir, err := os.MkdirTemp("", "controlsock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := filepath.Join(dir, "plugfs.sock")

	// client starts bin as uid/gid; it dials addr.
	client := func(uid, gid uint32) (*exec.Cmd, *bufio.Reader) {
		cmd := exec.Command(bin)
		cmd.Env = []string{helperEnv + "=" + addr}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, bufio.NewReader(out)
	}
	says := func(r *bufio.Reader) string {
		line, _ := r.ReadString('\n')
		return strings.TrimSpace(line)
	}
	// authorize accepts the client's connection and checks it against g.
	authorize := func(ln net.Listener, g Group, uid, gid uint32) (Peer, Role, error) {
		cmd, out := client(uid, gid)
		defer cmd.Wait()
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if s := says(out); s != "connected" {
			t.Fatalf("client uid %d: %q, want connected", uid, s)
		}
		return Authorize(c, g)
	}

	ln := listen(t, addr, Options{})
	// The socket's mode keeps uid 65534 out.
	cmd, out := client(65534, 65534)
	if s := says(out); s != "denied" {
		t.Errorf("uid 65534 through a 0660 socket: %q, want denied", s)
		cmd.Process.Kill() // a connected client waits for the server
	}
	cmd.Wait()
	// ...and the peer check does when the mode does not.
	if err := os.Chmod(addr, 0o666); err != nil {
		t.Fatal(err)
	}
	p, r, err := authorize(ln, Group{}, 65534, 65534)
	var de *DeniedError
	if r != RoleNone || !errors.Is(err, ErrDenied) || !errors.As(err, &de) || !strings.Contains(err.Error(), "uid 65534 is not root") {
		t.Errorf("Authorize of uid 65534: %v, %v; want none and a DeniedError naming uid 65534", r, err)
	}
	if p.UID != 65534 || p.PID <= 0 || !slices.Contains(p.GIDs, 65534) {
		t.Errorf("peer %+v, want uid 65534 with gid 65534", p)
	}
	ln.Close()

	// With a group: its members are let in, others are not.
	ug, err := user.LookupGroupId("65534")
	if err != nil {
		t.Fatal(err)
	}
	g, err := LookupGroup(ug.Name)
	if err != nil {
		t.Fatal(err)
	}
	ln = listen(t, addr, Options{Group: g})
	if err := os.Chmod(addr, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, r, err := authorize(ln, g, 65534, 65534); err != nil || r != RolePrivileged {
		t.Errorf("Authorize of a member of %s: %v, %v; want privileged", g.Name, r, err)
	}
	if _, r, err := authorize(ln, g, 12345, 12345); r != RoleNone || !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "not in group "+g.Name) {
		t.Errorf("Authorize of a non-member: %v, %v; want none and a refusal naming group %s", r, err, g.Name)
	}
}
