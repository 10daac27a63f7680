//go:build windows

package session

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// TestCurrentAuthenticationID: on Windows a non-zero id, the same on
// every call. Wine 8 leaves AuthenticationId 0 (a FIXME in its ntdll):
// there the call must fail, every time, with errors.ErrUnsupported
// rather than return a made-up id.
func TestCurrentAuthenticationID(t *testing.T) {
	a, err := CurrentAuthenticationID()
	if underWine() {
		if err == nil || !errors.Is(err, errors.ErrUnsupported) || a != 0 {
			t.Fatalf("under Wine: %#x, %v; want 0 and ErrUnsupported (Wine has no logon sessions)", a, err)
		}
		t.Logf("Wine: %v", err)
	} else if err != nil || a == 0 {
		t.Fatalf("CurrentAuthenticationID = %#x, %v", a, err)
	}
	for i := 0; i < 5; i++ {
		b, err2 := CurrentAuthenticationID()
		if b != a || (err2 == nil) != (err == nil) {
			t.Fatalf("call %d: %#x, %v; first call gave %#x, %v", i, b, err2, a, err)
		}
	}
	if err == nil {
		t.Logf("AuthenticationId %#x, DOS devices in %s", a, SessionDosDevicesPath(a))
	}
}

// TestTokenStatisticsLayout reads the process token's TOKEN_STATISTICS
// and checks the fields around AuthenticationId where the layout puts
// them: TokenId (0) non-zero, ExpirationTime (16) the "never" value
// 0x7fffffffffffffff, TokenType (24) TokenPrimary.
func TestTokenStatisticsLayout(t *testing.T) {
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_QUERY, &tok); err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	var buf [tokenStatisticsSize]byte
	var n uint32
	if err := windows.GetTokenInformation(tok, windows.TokenStatistics, &buf[0], uint32(len(buf)), &n); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if n != tokenStatisticsSize {
		t.Errorf("TOKEN_STATISTICS is %d bytes, want %d", n, tokenStatisticsSize)
	}
	if id := le.Uint64(buf[0:]); id == 0 {
		t.Error("TokenId is 0")
	}
	if exp := le.Uint64(buf[16:]); exp != 0x7fffffffffffffff {
		t.Errorf("ExpirationTime = %#x", exp)
	}
	if typ := le.Uint32(buf[24:]); typ != 1 {
		t.Errorf("TokenType = %d, want 1 (TokenPrimary)", typ)
	}
}

func TestParseTokenStatistics(t *testing.T) {
	b := make([]byte, tokenStatisticsSize)
	for i := range b {
		b[i] = 0xEE // every other field is noise
	}
	copy(b[8:], []byte{0xa5, 0xe7, 0x03, 0x00, 0x01, 0x00, 0x00, 0x80}) // LowPart 0x0003e7a5, HighPart 0x80000001
	if got, err := parseTokenStatistics(b); err != nil || got != 0x800000010003e7a5 {
		t.Fatalf("parseTokenStatistics = %#x, %v; want 0x800000010003e7a5", got, err)
	}
	if _, err := parseTokenStatistics(b[:15]); err == nil {
		t.Fatal("short buffer accepted")
	}
	copy(b[8:], make([]byte, 8))
	if _, err := parseTokenStatistics(b); err == nil {
		t.Fatal("zero AuthenticationId accepted")
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		luid                  uint64
		luidStr, dir, defineZ string
	}{
		{0x3e7, "00000000-000003e7", `\Sessions\0\DosDevices\00000000-000003e7`, `GLOBALROOT\Sessions\0\DosDevices\00000000-000003e7\Z:`},
		{0x3e7a5, "00000000-0003e7a5", `\Sessions\0\DosDevices\00000000-0003e7a5`, `GLOBALROOT\Sessions\0\DosDevices\00000000-0003e7a5\Z:`},
		{0x1_0000abcd, "00000001-0000abcd", `\Sessions\0\DosDevices\00000001-0000abcd`, `GLOBALROOT\Sessions\0\DosDevices\00000001-0000abcd\Z:`},
		{0xffffffff_fffffffe, "ffffffff-fffffffe", `\Sessions\0\DosDevices\ffffffff-fffffffe`, `GLOBALROOT\Sessions\0\DosDevices\ffffffff-fffffffe\Z:`},
		{0, "00000000-00000000", `\Sessions\0\DosDevices\00000000-00000000`, `Z:`},
	} {
		if got := FormatLUID(tc.luid); got != tc.luidStr {
			t.Errorf("FormatLUID(%#x) = %q, want %q", tc.luid, got, tc.luidStr)
		}
		if got := SessionDosDevicesPath(tc.luid); got != tc.dir {
			t.Errorf("SessionDosDevicesPath(%#x) = %q, want %q", tc.luid, got, tc.dir)
		}
		if got := DosDeviceName(tc.luid, "Z:"); got != tc.defineZ {
			t.Errorf("DosDeviceName(%#x, Z:) = %q, want %q", tc.luid, got, tc.defineZ)
		}
		if got, err := ParseLUID(tc.luidStr); err != nil || got != tc.luid {
			t.Errorf("ParseLUID(%q) = %#x, %v", tc.luidStr, got, err)
		}
	}
	for in, want := range map[string]string{
		`\Sessions\0\DosDevices\00000000-000003e7\Z:`: `\\?\GLOBALROOT\Sessions\0\DosDevices\00000000-000003e7\Z:`,
		`\Device\HarddiskVolume1`:                     `\\?\GLOBALROOT\Device\HarddiskVolume1`,
		`Device\X`:                                    `\\?\GLOBALROOT\Device\X`,
	} {
		if got := GlobalRoot(in); got != want {
			t.Errorf("GlobalRoot(%q) = %q, want %q", in, got, want)
		}
	}
	if got, err := ParseLUID("0x3E7"); err != nil || got != SystemLUID {
		t.Errorf("ParseLUID(0x3E7) = %#x, %v", got, err)
	}
	for _, bad := range []string{"", "3e7", "0000000-000003e7", "00000000-000003e7-1", "0xzz", "g0000000-000003e7"} {
		if _, err := ParseLUID(bad); !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("ParseLUID(%q) = %v, want ErrMountPointInvalid", bad, err)
		}
	}
}

// TestGlobalRootReachesDevice opens a file through its object-manager
// path: \\?\GLOBALROOT\??\C:\... is the same file as C:\....
func TestGlobalRootReachesDevice(t *testing.T) {
	f, err := os.CreateTemp("", "session-")
	if err != nil {
		t.Fatal(err)
	}
	name := f.Name()
	_, _ = f.WriteString("plugfs")
	f.Close()
	t.Cleanup(func() { _ = os.Remove(name) })
	b, err := os.ReadFile(GlobalRoot(`\??\` + name))
	if underWine() {
		// Wine maps \??\X: to its dosdevices directory and has no
		// GLOBALROOT link: recorded, not checked.
		t.Logf("Wine: %s: %q, %v", GlobalRoot(`\??\`+name), b, err)
		return
	}
	if err != nil || string(b) != "plugfs" {
		t.Fatalf("read %s: %q, %v", GlobalRoot(`\??\`+name), b, err)
	}
}
