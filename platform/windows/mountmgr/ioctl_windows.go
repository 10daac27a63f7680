//go:build windows

package mountmgr

// Constants of the I/O control code layout (devioctl.h) and of mountmgr.h.
const (
	// ControlType is MOUNTMGRCONTROLTYPE, 'm'.
	ControlType = 0x6D

	methodBuffered  = 0 // METHOD_BUFFERED
	fileAnyAccess   = 0 // FILE_ANY_ACCESS
	fileReadAccess  = 1 // FILE_READ_ACCESS
	fileWriteAccess = 2 // FILE_WRITE_ACCESS
	fileRW          = fileReadAccess | fileWriteAccess
)

// ctlCode is the CTL_CODE macro of devioctl.h:
// DeviceType<<16 | Access<<14 | Function<<2 | Method.
func ctlCode(deviceType, function, method, access uint32) uint32 {
	return deviceType<<16 | access<<14 | function<<2 | method
}

// The mount manager IOCTLs, as mountmgr.h defines them with
// CTL_CODE(MOUNTMGRCONTROLTYPE, function, METHOD_BUFFERED, access).
const (
	// IOCTLCreatePoint (function 0, read|write access) creates a
	// persistent symbolic link for a volume.
	IOCTLCreatePoint = ControlType<<16 | fileRW<<14 | 0<<2 | methodBuffered
	// IOCTLDeletePoints (function 1, read|write access) deletes the
	// points matching a MOUNTMGR_MOUNT_POINT and returns them.
	IOCTLDeletePoints = ControlType<<16 | fileRW<<14 | 1<<2 | methodBuffered
	// IOCTLQueryPoints (function 2, any access) returns the points
	// matching a MOUNTMGR_MOUNT_POINT.
	IOCTLQueryPoints = ControlType<<16 | fileAnyAccess<<14 | 2<<2 | methodBuffered
	// IOCTLDeletePointsDBOnly (function 3, read|write access) deletes
	// matching points from the mount manager's database only.
	IOCTLDeletePointsDBOnly = ControlType<<16 | fileRW<<14 | 3<<2 | methodBuffered
	// IOCTLNextDriveLetter (function 4, read|write access) assigns the
	// next free drive letter to a device.
	IOCTLNextDriveLetter = ControlType<<16 | fileRW<<14 | 4<<2 | methodBuffered
	// IOCTLAutoDLAssignments (function 5, read|write access) turns on
	// automatic drive letter assignment.
	IOCTLAutoDLAssignments = ControlType<<16 | fileRW<<14 | 5<<2 | methodBuffered
	// IOCTLVolumeMountPointCreated (function 6, read|write access)
	// tells the manager a folder mount point was created.
	IOCTLVolumeMountPointCreated = ControlType<<16 | fileRW<<14 | 6<<2 | methodBuffered
	// IOCTLVolumeMountPointDeleted (function 7, read|write access)
	// tells the manager a folder mount point was deleted.
	IOCTLVolumeMountPointDeleted = ControlType<<16 | fileRW<<14 | 7<<2 | methodBuffered
	// IOCTLChangeNotify (function 8, read access) waits for a change of
	// the mount points.
	IOCTLChangeNotify = ControlType<<16 | fileReadAccess<<14 | 8<<2 | methodBuffered
	// IOCTLKeepLinksWhenOffline (function 9, read|write access) keeps a
	// volume's links while it is offline.
	IOCTLKeepLinksWhenOffline = ControlType<<16 | fileRW<<14 | 9<<2 | methodBuffered
	// IOCTLCheckUnprocessedVolumes (function 10, read access).
	IOCTLCheckUnprocessedVolumes = ControlType<<16 | fileReadAccess<<14 | 10<<2 | methodBuffered
	// IOCTLVolumeArrivalNotification (function 11, read access) tells
	// the manager a volume arrived.
	IOCTLVolumeArrivalNotification = ControlType<<16 | fileReadAccess<<14 | 11<<2 | methodBuffered
	// IOCTLQueryDosVolumePath (function 12, any access) returns a
	// volume's DOS path.
	IOCTLQueryDosVolumePath = ControlType<<16 | fileAnyAccess<<14 | 12<<2 | methodBuffered
	// IOCTLQueryDosVolumePaths (function 13, any access) returns all of
	// a volume's DOS paths.
	IOCTLQueryDosVolumePaths = ControlType<<16 | fileAnyAccess<<14 | 13<<2 | methodBuffered
)
