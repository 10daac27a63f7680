//go:build windows

package session

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/plugfs/plugfs/core"
)

// Well-known logon sessions of the service accounts.
const (
	// SystemLUID is the logon session of LocalSystem (SYSTEM_LUID).
	SystemLUID uint64 = 0x3e7
	// LocalServiceLUID is the logon session of LocalService.
	LocalServiceLUID uint64 = 0x3e5
	// NetworkServiceLUID is the logon session of NetworkService.
	NetworkServiceLUID uint64 = 0x3e4
)

// dosDevicesRoot is the object directory holding the per-logon-session
// DOS device directories.
const dosDevicesRoot = `\Sessions\0\DosDevices`

// FormatLUID writes a LUID as the kernel names its DOS devices
// directory: high then low 32-bit half, eight lower-case hex digits each,
// joined by '-' (0x3e7 → 00000000-000003e7).
func FormatLUID(luid uint64) string {
	return fmt.Sprintf("%08x-%08x", uint32(luid>>32), uint32(luid))
}

// ParseLUID reads a LUID written by FormatLUID (hhhhhhhh-llllllll), or as
// one hex number with 0x (0x3e7), as users give an auth id.
func ParseLUID(s string) (uint64, error) {
	if hi, lo, ok := strings.Cut(s, "-"); ok && len(hi) == 8 && len(lo) == 8 {
		h, err1 := strconv.ParseUint(hi, 16, 32)
		l, err2 := strconv.ParseUint(lo, 16, 32)
		if err1 == nil && err2 == nil {
			return h<<32 | l, nil
		}
	} else if rest, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		if v, err := strconv.ParseUint(rest, 16, 64); err == nil {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: auth id %q: write it as hhhhhhhh-llllllll (00000000-000003e7) or 0x3e7", core.ErrMountPointInvalid, s)
}

// SessionDosDevicesPath returns the object directory of a logon
// session's DOS devices: \Sessions\0\DosDevices\hhhhhhhh-llllllll.
func SessionDosDevicesPath(luid uint64) string {
	return dosDevicesRoot + `\` + FormatLUID(luid)
}

// GlobalRoot returns the Win32 path that reaches the object manager path
// ntPath (which starts with '\'): \\?\GLOBALROOT + ntPath, for CreateFile
// and the other Win32 path functions.
func GlobalRoot(ntPath string) string {
	if !strings.HasPrefix(ntPath, `\`) {
		ntPath = `\` + ntPath
	}
	return `\\?\GLOBALROOT` + ntPath
}

// DosDeviceName returns the name to give DefineDosDevice (and
// QueryDosDevice) for the DOS device name (Z:) in the logon session luid:
// GLOBALROOT\Sessions\0\DosDevices\<luid>\Z:, which the API resolves
// below \??\. A luid of 0 means the caller's own session: name itself.
func DosDeviceName(luid uint64, name string) string {
	if luid == 0 {
		return name
	}
	return `GLOBALROOT` + SessionDosDevicesPath(luid) + `\` + name
}
