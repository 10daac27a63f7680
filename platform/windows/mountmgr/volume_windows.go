//go:build windows

package mountmgr

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// VolumeNameForMountPoint returns the volume GUID name (\\?\Volume{GUID}\)
// of the volume mounted at path, a drive root (C:\) or a folder mount
// point; a trailing backslash is added when missing.
func VolumeNameForMountPoint(path string) (string, error) {
	p, err := windows.UTF16PtrFromString(MountFolderPath(path))
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, path, err)
	}
	buf := make([]uint16, 64) // 49 characters and a NUL
	if err := windows.GetVolumeNameForVolumeMountPoint(p, &buf[0], uint32(len(buf))); err != nil {
		return "", folderError("find the volume mounted at", path, err)
	}
	return windows.UTF16ToString(buf), nil
}

// SetFolder mounts the volume named volume (a volume GUID name in either
// spelling) on folder, an empty directory on NTFS, through
// SetVolumeMountPoint, which also records the point with the mount
// manager. It needs administrator rights.
func SetFolder(folder, volume string) error {
	v, err := Win32VolumeName(volume)
	if err != nil {
		return err
	}
	f, err := windows.UTF16PtrFromString(MountFolderPath(folder))
	if err != nil {
		return fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, folder, err)
	}
	vp, err := windows.UTF16PtrFromString(v)
	if err != nil {
		return err
	}
	if err := windows.SetVolumeMountPoint(f, vp); err != nil {
		return folderError("mount "+v+" on", folder, err)
	}
	return nil
}

// DeleteFolder removes the folder mount point at folder (the directory
// stays, empty) through DeleteVolumeMountPoint. It needs administrator
// rights.
func DeleteFolder(folder string) error {
	f, err := windows.UTF16PtrFromString(MountFolderPath(folder))
	if err != nil {
		return fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, folder, err)
	}
	if err := windows.DeleteVolumeMountPoint(f); err != nil {
		return folderError("remove the mount point", folder, err)
	}
	return nil
}

// folderError maps a folder mount point error to the core errors.
func folderError(op, folder string, err error) error {
	switch {
	case errors.Is(err, windows.ERROR_ACCESS_DENIED), errors.Is(err, windows.ERROR_PRIVILEGE_NOT_HELD):
		return fmt.Errorf("%w: %s %s: %w: folder mount points need administrator rights (run elevated)", core.ErrMountPointAccess, op, folder, err)
	case errors.Is(err, windows.ERROR_DIR_NOT_EMPTY):
		return fmt.Errorf("%w: %s %s: %w: use an empty folder", core.ErrMountPointNotEmpty, op, folder, err)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s %s: %w: create the folder first (on an NTFS drive)", core.ErrMountPointMissing, op, folder, err)
	case errors.Is(err, windows.ERROR_DIRECTORY):
		return fmt.Errorf("%w: %s %s: %w: a folder mount point must be a directory", core.ErrMountPointNotDir, op, folder, err)
	case errors.Is(err, windows.ERROR_NOT_A_REPARSE_POINT):
		return fmt.Errorf("%w: %s %s: %w: the folder is not a mount point", core.ErrNotMounted, op, folder, err)
	case errors.Is(err, windows.ERROR_INVALID_FUNCTION), errors.Is(err, windows.ERROR_NOT_SUPPORTED),
		errors.Is(err, windows.ERROR_CALL_NOT_IMPLEMENTED):
		return fmt.Errorf("%w: %s %s: %w: the system or the folder's file system does not support folder mount points (use an NTFS drive on Windows; Wine has none)", core.ErrDriverUnavailable, op, folder, err)
	}
	return fmt.Errorf("%s %s: %w", op, folder, err)
}
