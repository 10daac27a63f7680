// Package mountmgr talks to the Windows mount manager
// (\\.\MountPointManager): the component that owns persistent drive
// letters and volume GUID names (\??\Volume{...}) and that folder mount
// points are built on.
//
// It has three layers:
//
//   - byte-exact encoders and decoders of the IOCTL structures of
//     mountmgr.h (MOUNTMGR_CREATE_POINT_INPUT, MOUNTMGR_MOUNT_POINT,
//     MOUNTMGR_MOUNT_POINTS) and the IOCTL codes, computed with CTL_CODE
//     as the header does; decoders check every offset and length and
//     return errors on truncated or malicious buffers;
//   - name helpers: SymbolicLinkName (\DosDevices\Z:), DriveLetter,
//     IsVolumeName, and the two spellings of a volume GUID name
//     (\??\Volume{GUID} for the mount manager, \\?\Volume{GUID}\ for
//     SetVolumeMountPoint);
//   - Client, which sends CREATE_POINT, DELETE_POINTS and QUERY_POINTS,
//     and SetFolder/DeleteFolder/VolumeNameForMountPoint, which wrap the
//     Win32 folder mount point calls;
//   - the mount point reparse buffer (REPARSE_DATA_BUFFER with
//     IO_REPARSE_TAG_MOUNT_POINT), encoded and decoded byte for byte,
//     and FolderTarget, which reads where a folder mount point or
//     junction leads (FSCTL_GET_REPARSE_POINT): how the Windows driver
//     learns the device of a volume WinFsp mounted without a letter.
//
// The package is Windows-only; on other systems it is empty.
//
// # Privileges
//
// QueryPoints needs no rights. CreatePoint and DeletePoints need a handle
// opened for reading and writing, which only administrators (or
// LocalSystem) get: otherwise Open falls back to a query-only handle and
// those calls fail with core.ErrMountPointAccess. SetFolder and
// DeleteFolder need administrator rights and an NTFS folder.
//
// # Wine
//
// Wine's mount manager answers QUERY_POINTS but implements neither
// CREATE_POINT nor DELETE_POINTS: those fail with an error wrapping
// core.ErrDriverUnavailable. Wine 8 cannot create mount points
// (FSCTL_SET_REPARSE_POINT is "not supported"), so FolderTarget only
// meets plain folders there. Nothing is faked.
package mountmgr
