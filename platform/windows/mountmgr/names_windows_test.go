//go:build windows

package mountmgr

import (
	"errors"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

func TestSymbolicLinkName(t *testing.T) {
	for in, want := range map[byte]string{'Z': `\DosDevices\Z:`, 'z': `\DosDevices\Z:`, 'c': `\DosDevices\C:`} {
		got := SymbolicLinkName(in)
		if got != want {
			t.Errorf("SymbolicLinkName(%q) = %q, want %q", in, got, want)
		}
		if l, ok := DriveLetter(got); !ok || l != want[12] {
			t.Errorf("DriveLetter(%q) = %q, %v", got, l, ok)
		}
	}
	// MOUNTMGR_IS_DRIVE_LETTER: exactly 28 bytes, upper-case letter.
	for _, s := range []string{`\DosDevices\z:`, `\DosDevices\ZZ:`, `\DosDevices\Z`, `\DosDevices\1:`, `\??\Z:`, `\DosDevices\Z:\`} {
		if l, ok := DriveLetter(s); ok {
			t.Errorf("DriveLetter(%q) = %q, true", s, l)
		}
	}
}

const guid = "0b1e8b3c-5d4f-11ee-8c99-0242ac120002"

func TestVolumeNames(t *testing.T) {
	nt, dos := `\??\Volume{`+guid+`}`, `\\?\Volume{`+guid+`}\`
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{nt, true}, {dos, true}, {nt + `\`, true}, {dos[:48], true},
		{`\??\Volume{0B1E8B3C-5D4F-11EE-8C99-0242AC120002}`, true},
		{nt + `\\`, false}, {nt[:47], false}, {`\??\Volumx{` + guid + `}`, false},
		{`\?\\Volume{` + guid + `}`, false}, {`\??\Volume{0b1e8b3c_5d4f-11ee-8c99-0242ac120002}`, false},
		{`\??\Volume{0b1e8b3g-5d4f-11ee-8c99-0242ac120002}`, false}, {`C:\`, false}, {"", false},
	} {
		if got := IsVolumeName(tc.in); got != tc.ok {
			t.Errorf("IsVolumeName(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
	for _, in := range []string{nt, dos, nt + `\`} {
		if got, err := Win32VolumeName(in); err != nil || got != dos {
			t.Errorf("Win32VolumeName(%q) = %q, %v; want %q", in, got, err, dos)
		}
		if got, err := NTVolumeName(in); err != nil || got != nt {
			t.Errorf("NTVolumeName(%q) = %q, %v; want %q", in, got, err, nt)
		}
	}
	if _, err := Win32VolumeName(`C:\`); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("Win32VolumeName(C:\\) = %v", err)
	}
	if _, err := NTVolumeName(`\Device\X`); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("NTVolumeName(\\Device\\X) = %v", err)
	}
	g := windows.GUID{Data1: 0x0b1e8b3c, Data2: 0x5d4f, Data3: 0x11ee, Data4: [8]byte{0x8c, 0x99, 0x02, 0x42, 0xac, 0x12, 0x00, 0x02}}
	if got := VolumeName(g); got != nt || !IsVolumeName(got) {
		t.Errorf("VolumeName = %q, want %q", got, nt)
	}
	for in, want := range map[string]string{`C:\Mounts\Data`: `C:\Mounts\Data\`, `C:\Mounts\Data\`: `C:\Mounts\Data\`, `C:\M\\`: `C:\M\`} {
		if got := MountFolderPath(in); got != want {
			t.Errorf("MountFolderPath(%q) = %q, want %q", in, got, want)
		}
	}
}
