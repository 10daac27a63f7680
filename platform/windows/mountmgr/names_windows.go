//go:build windows

package mountmgr

import (
	"fmt"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// SymbolicLinkName returns the mount manager's name of a drive letter:
// 'z' → \DosDevices\Z:. letter must be A to Z (either case).
func SymbolicLinkName(letter byte) string {
	if letter >= 'a' && letter <= 'z' {
		letter -= 'a' - 'A'
	}
	return `\DosDevices\` + string([]byte{letter, ':'})
}

// DriveLetter reports whether name is a drive-letter mount point, as
// mountmgr.h's MOUNTMGR_IS_DRIVE_LETTER defines it (\DosDevices\X:, X
// upper case), and returns the letter.
func DriveLetter(name string) (byte, bool) {
	const prefix = `\DosDevices\`
	if len(name) != len(prefix)+2 || !strings.HasPrefix(name, prefix) || name[len(name)-1] != ':' {
		return 0, false
	}
	l := name[len(prefix)]
	if l < 'A' || l > 'Z' {
		return 0, false
	}
	return l, true
}

// IsVolumeName reports whether name is a volume GUID name, as
// MOUNTMGR_IS_VOLUME_NAME defines it: \??\Volume{GUID} or
// \\?\Volume{GUID}, optionally with one trailing backslash.
func IsVolumeName(name string) bool {
	if len(name) == 49 && name[48] == '\\' {
		name = name[:48]
	}
	if len(name) != 48 || name[0] != '\\' || (name[1] != '?' && name[1] != '\\') || name[2] != '?' || name[3] != '\\' {
		return false
	}
	if name[4:11] != "Volume{" || name[47] != '}' {
		return false
	}
	for i := 11; i < 47; i++ {
		c := name[i]
		switch i {
		case 19, 24, 29, 34:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// VolumeName returns the mount manager (NT) name of the volume with the
// given GUID: \??\Volume{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, lower-case
// hex as Windows writes it.
func VolumeName(g windows.GUID) string {
	return fmt.Sprintf(`\??\Volume{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}`,
		g.Data1, g.Data2, g.Data3, g.Data4[0], g.Data4[1],
		g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7])
}

// Win32VolumeName turns a volume GUID name in either spelling into the
// one SetVolumeMountPoint and GetVolumeNameForVolumeMountPoint use:
// \\?\Volume{GUID}\ (with the trailing backslash).
func Win32VolumeName(name string) (string, error) {
	if !IsVolumeName(name) {
		return "", notVolume(name)
	}
	return `\\?\` + name[4:48] + `\`, nil
}

// NTVolumeName turns a volume GUID name in either spelling into the
// mount manager's: \??\Volume{GUID} (no trailing backslash), the form
// QUERY_POINTS returns and CREATE_POINT takes.
func NTVolumeName(name string) (string, error) {
	if !IsVolumeName(name) {
		return "", notVolume(name)
	}
	return `\??\` + name[4:48], nil
}

func notVolume(name string) error {
	return fmt.Errorf("%w: %q is not a volume GUID name: expected \\\\?\\Volume{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}\\ or \\??\\Volume{...}", core.ErrMountPointInvalid, name)
}

// MountFolderPath returns folder as SetVolumeMountPoint and
// DeleteVolumeMountPoint need it: ending with exactly one backslash.
func MountFolderPath(folder string) string {
	return strings.TrimRight(folder, `\`) + `\`
}
