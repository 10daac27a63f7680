//go:build windows

package sdk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/internal/winpipe"
)

// checkLanePrivate: the lane is a local named pipe whose DACL, read back
// from a connection, grants LocalSystem and this user and no one else.
func checkLanePrivate(t *testing.T, path string) {
	t.Helper()
	if !strings.HasPrefix(path, `\\.\pipe\plugfs-lane-`) {
		t.Fatalf("lane address %q is not a local named pipe", path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := winio.DialPipeContext(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	got, want, err := winpipe.PipeDACL(c, fmt.Sprintf("D:P(A;;GA;;;SY)(A;;GA;;;%s)", user.User.Sid))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("DACL of the lane's pipe: %s, want %s", got, want)
	}
}

// laneDir: a lane on Windows is a named pipe and needs no directory (and
// t.TempDir's cleanup fails under Wine).
func laneDir(*testing.T) string { return "" }
