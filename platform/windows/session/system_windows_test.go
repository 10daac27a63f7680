//go:build windows

package session

import (
	"testing"

	"golang.org/x/sys/windows"
)

func TestIsLocalSystemSID(t *testing.T) {
	for _, tc := range []struct {
		sid  string
		want bool
	}{
		{"S-1-5-18", true},
		{"S-1-5-19", false}, // LocalService
		{"S-1-5-20", false}, // NetworkService
		{"S-1-5-32-544", false},
		{"S-1-5-21-0-0-0-1000", false},
	} {
		sid, err := windows.StringToSid(tc.sid)
		if err != nil {
			t.Fatal(err)
		}
		if got := isLocalSystemSID(sid); got != tc.want {
			t.Errorf("isLocalSystemSID(%s) = %v, want %v", tc.sid, got, tc.want)
		}
	}
	if isLocalSystemSID(nil) {
		t.Error("isLocalSystemSID(nil) = true")
	}
}

// TestIsLocalSystem: tests run as an ordinary user (under Wine, the Unix
// user mapped to S-1-5-21-0-0-0-1000), never as LocalSystem.
func TestIsLocalSystem(t *testing.T) {
	sys, err := IsLocalSystem()
	if err != nil {
		t.Fatal(err)
	}
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	if want := u.User.Sid.String() == "S-1-5-18"; sys != want {
		t.Fatalf("IsLocalSystem() = %v for user %s", sys, u.User.Sid)
	}
	t.Logf("user %s, LocalSystem %v", u.User.Sid, sys)
}

// TestInSessionZero: tests run in a user's session (Wine says 1), never
// as a service in session 0; on Windows the answer follows
// ProcessIdToSessionId.
func TestInSessionZero(t *testing.T) {
	zero, err := InSessionZero()
	if err != nil {
		t.Fatal(err)
	}
	var id uint32
	if err := windows.ProcessIdToSessionId(windows.GetCurrentProcessId(), &id); err != nil {
		t.Fatal(err)
	}
	if zero != (id == 0) {
		t.Fatalf("InSessionZero() = %v in session %d", zero, id)
	}
	if underWine() && zero {
		t.Fatal("Wine runs programs in session 1, not 0")
	}
}
