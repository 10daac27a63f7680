//go:build windows

package mountmgr

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/windows/dosdev"
)

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func open(t *testing.T) *Client {
	t.Helper()
	c, err := Open()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestQueryPointsListsDriveC(t *testing.T) {
	c := open(t)
	pts, err := c.QueryPoints(Point{})
	if err != nil {
		t.Fatal(err)
	}
	letters := map[byte]Point{}
	for _, p := range pts {
		t.Logf("point %q id %x device %q", p.SymbolicLinkName, p.UniqueID, p.DeviceName)
		if p.SymbolicLinkName == "" || p.DeviceName == "" {
			t.Errorf("point without names: %+v", p)
		}
		if l, ok := DriveLetter(p.SymbolicLinkName); ok {
			letters[l] = p
		}
	}
	cp, ok := letters['C']
	if !ok {
		t.Fatalf("QueryPoints lists no \\DosDevices\\C: among %d points", len(pts))
	}
	used, err := dosdev.UsedLetters()
	if err != nil {
		t.Fatal(err)
	}
	for l := range letters {
		if !used[l] {
			t.Errorf("mount manager has %c: but UsedLetters does not", l)
		}
	}
	// A filter on C:'s link returns C:'s point.
	got, err := c.QueryPoints(Point{SymbolicLinkName: SymbolicLinkName('C')})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range got {
		if p.SymbolicLinkName == cp.SymbolicLinkName {
			found = true
		}
		if p.DeviceName != cp.DeviceName {
			t.Errorf("filtered query returned another device: %+v", p)
		}
	}
	if !found {
		t.Errorf("QueryPoints(C:) = %+v, want C: among them", got)
	}
}

func TestVolumeNameForMountPoint(t *testing.T) {
	v, err := VolumeNameForMountPoint(`C:\`)
	if err != nil {
		t.Fatal(err)
	}
	if !IsVolumeName(v) || !strings.HasPrefix(v, `\\?\`) || !strings.HasSuffix(v, `\`) {
		t.Fatalf("VolumeNameForMountPoint(C:\\) = %q, not \\\\?\\Volume{GUID}\\", v)
	}
	nt, _ := NTVolumeName(v)
	pts, err := open(t).QueryPoints(Point{SymbolicLinkName: nt})
	if err != nil || len(pts) == 0 {
		t.Fatalf("QueryPoints(%s) = %+v, %v", nt, pts, err)
	}
	if _, err := VolumeNameForMountPoint(`C:\plugfs-no-such-folder\`); err == nil {
		t.Fatal("VolumeNameForMountPoint of a missing folder succeeded")
	}
}

// freeLetter picks a drive letter nothing uses.
func freeLetter(t *testing.T) byte {
	used, err := dosdev.UsedLetters()
	if err != nil {
		t.Fatal(err)
	}
	l, err := mountpoint.ChooseLetter(func(l byte) bool { return used[l] })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCreatePointFailsCleanly asks for a point on a device that does not
// exist: every mount manager must refuse (Wine's has no CREATE_POINT at
// all), with an error, and leave the letter free.
func TestCreatePointFailsCleanly(t *testing.T) {
	c := open(t)
	l := freeLetter(t)
	link := SymbolicLinkName(l)
	err := c.CreatePoint(link, `\Device\PlugfsNoSuchVolume`)
	if err == nil {
		_, _ = c.DeletePoints(Point{SymbolicLinkName: link})
		t.Fatalf("CreatePoint(%s, missing device) succeeded", link)
	}
	t.Logf("CreatePoint: %v", err)
	if underWine() && !errors.Is(err, core.ErrDriverUnavailable) {
		t.Errorf("under Wine: %v, want ErrDriverUnavailable", err)
	}
	if pts, err := c.QueryPoints(Point{SymbolicLinkName: link}); err != nil || len(pts) != 0 {
		t.Errorf("after failed CreatePoint, %s: %+v, %v", link, pts, err)
	}
	if err := c.CreatePoint("", `\Device\X`); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("CreatePoint(\"\") = %v", err)
	}
}

func TestDeletePointsFailsCleanly(t *testing.T) {
	c := open(t)
	if _, err := c.DeletePoints(Point{}); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Fatalf("DeletePoints(everything) = %v, want refusal", err)
	}
	link := SymbolicLinkName(freeLetter(t))
	pts, err := c.DeletePoints(Point{SymbolicLinkName: link})
	if err == nil {
		t.Fatalf("DeletePoints(%s, unused) = %+v, nil", link, pts)
	}
	t.Logf("DeletePoints: %v", err)
	if !errors.Is(err, core.ErrNotMounted) && !errors.Is(err, core.ErrDriverUnavailable) && !errors.Is(err, core.ErrMountPointAccess) {
		t.Errorf("DeletePoints(%s) = %v, want ErrNotMounted, ErrDriverUnavailable or ErrMountPointAccess", link, err)
	}
	// C: is still there.
	if pts, err := c.QueryPoints(Point{SymbolicLinkName: SymbolicLinkName('C')}); err != nil || len(pts) == 0 {
		t.Fatalf("C: after DeletePoints: %+v, %v", pts, err)
	}
}

func TestFolderCallsFailCleanly(t *testing.T) {
	dir, err := os.MkdirTemp("", "mountmgr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	if err := DeleteFolder(dir); err == nil {
		t.Fatalf("DeleteFolder(%s), not a mount point, succeeded", dir)
	} else {
		t.Logf("DeleteFolder(plain dir): %v", err)
	}
	if err := SetFolder(dir, `C:\`); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Fatalf("SetFolder(not a volume name) = %v", err)
	}
	missing := dir + `\missing`
	err = SetFolder(missing, `\??\Volume{`+guid+`}`)
	if err == nil {
		t.Fatalf("SetFolder(%s, unknown volume) succeeded", missing)
	}
	t.Logf("SetFolder(missing folder, unknown volume): %v", err)
}
