//go:build windows

package shellnotify

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/platform/windows/session"
)

// Event is what happened to a drive letter.
type Event int

// Events.
const (
	// Arrival: the letter was defined.
	Arrival Event = iota
	// Removal: the letter was removed.
	Removal
)

func (e Event) String() string {
	if e == Removal {
		return "removal"
	}
	return "arrival"
}

// Values from winuser.h, dbt.h and shlobj_core.h.
const (
	WMDeviceChange          = 0x0219     // WM_DEVICECHANGE
	DBTDeviceArrival        = 0x8000     // DBT_DEVICEARRIVAL
	DBTDeviceRemoveComplete = 0x8004     // DBT_DEVICEREMOVECOMPLETE
	DBTDevtypVolume         = 0x00000002 // DBT_DEVTYP_VOLUME
	DBTFNet                 = 0x0002     // DBTF_NET
	BSMApplications         = 0x00000008 // BSM_APPLICATIONS
	BSMAllDesktops          = 0x00000010 // BSM_ALLDESKTOPS
	BSFIgnoreCurrentTask    = 0x00000002 // BSF_IGNORECURRENTTASK
	BSFPostMessage          = 0x00000010 // BSF_POSTMESSAGE
	SHCNEDriveRemoved       = 0x00000080 // SHCNE_DRIVEREMOVED
	SHCNEDriveAdd           = 0x00000100 // SHCNE_DRIVEADD
	SHCNFPathW              = 0x0005     // SHCNF_PATHW
)

// VolumeSize is sizeof(DEV_BROADCAST_VOLUME): four DWORDs and a WORD,
// padded to a DWORD boundary.
const VolumeSize = 20

// BroadcastFlags are the BroadcastSystemMessage flags used.
const BroadcastFlags = BSFPostMessage | BSFIgnoreCurrentTask

var (
	procBroadcastSystemMessageW = windows.NewLazySystemDLL("user32.dll").NewProc("BroadcastSystemMessageW")
	procSHChangeNotify          = windows.NewLazySystemDLL("shell32.dll").NewProc("SHChangeNotify")
)

// EncodeVolume returns the DEV_BROADCAST_VOLUME announcing letter (A to
// Z, either case): dbcv_size 20, dbcv_devicetype DBT_DEVTYP_VOLUME,
// dbcv_reserved 0, dbcv_unitmask with bit letter-'A', dbcv_flags
// DBTF_NET for a network drive, else 0.
func EncodeVolume(letter byte, network bool) ([]byte, error) {
	l, err := upper(letter)
	if err != nil {
		return nil, err
	}
	b := make([]byte, VolumeSize)
	binary.LittleEndian.PutUint32(b[0:], VolumeSize)
	binary.LittleEndian.PutUint32(b[4:], DBTDevtypVolume)
	binary.LittleEndian.PutUint32(b[12:], 1<<(l-'A'))
	if network {
		binary.LittleEndian.PutUint16(b[16:], DBTFNet)
	}
	return b, nil
}

// Recipients are the BroadcastSystemMessage recipients: applications,
// on every desktop when the caller runs as LocalSystem.
func Recipients(localSystem bool) uint32 {
	r := uint32(BSMApplications)
	if localSystem {
		r |= BSMAllDesktops
	}
	return r
}

// Broadcast posts WM_DEVICECHANGE for letter to the applications (see
// the package comment). It returns an error only when the system refuses
// the broadcast.
func Broadcast(letter byte, ev Event, network bool) error {
	vol, err := EncodeVolume(letter, network)
	if err != nil {
		return err
	}
	sys, err := session.IsLocalSystem()
	if err != nil {
		sys = false // applications of this desktop still get it
	}
	if err := procBroadcastSystemMessageW.Find(); err != nil {
		return fmt.Errorf("%w: announce drive %c: user32.dll has no BroadcastSystemMessageW: %w", core.ErrDriverUnavailable, letter, err)
	}
	wparam := uintptr(DBTDeviceArrival)
	if ev == Removal {
		wparam = DBTDeviceRemoveComplete
	}
	recipients := Recipients(sys)
	r, _, callErr := procBroadcastSystemMessageW.Call(BroadcastFlags, uintptr(unsafe.Pointer(&recipients)), WMDeviceChange, wparam, uintptr(unsafe.Pointer(&vol[0])))
	runtime.KeepAlive(vol)
	if int32(r) <= 0 {
		return fmt.Errorf("announce the %s of drive %c: the WM_DEVICECHANGE broadcast was refused: %w", ev, letter, callErr)
	}
	return nil
}

// Shell tells the shell that letter was added or removed
// (SHChangeNotify, which reports no errors).
func Shell(letter byte, ev Event) error {
	l, err := upper(letter)
	if err != nil {
		return err
	}
	if err := procSHChangeNotify.Find(); err != nil {
		return fmt.Errorf("%w: announce drive %c: shell32.dll has no SHChangeNotify: %w", core.ErrDriverUnavailable, l, err)
	}
	root, err := windows.UTF16PtrFromString(string([]byte{l, ':', '\\'}))
	if err != nil {
		return err
	}
	event := uintptr(SHCNEDriveAdd)
	if ev == Removal {
		event = SHCNEDriveRemoved
	}
	procSHChangeNotify.Call(event, SHCNFPathW, uintptr(unsafe.Pointer(root)), 0)
	return nil
}

// Drive announces letter both ways: the WM_DEVICECHANGE broadcast, then
// the shell notification (which is sent even when the broadcast fails).
func Drive(letter byte, ev Event, network bool) error {
	err := Broadcast(letter, ev, network)
	if err2 := Shell(letter, ev); err == nil {
		err = err2
	}
	return err
}

func upper(l byte) (byte, error) {
	if l >= 'a' && l <= 'z' {
		l -= 'a' - 'A'
	}
	if l < 'A' || l > 'Z' {
		return 0, fmt.Errorf("%w: drive letter %q: use A to Z", core.ErrMountPointInvalid, l)
	}
	return l, nil
}
