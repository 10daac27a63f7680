//go:build windows

package cgofuse

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// checkFolder checks a folder mounting point: an existing, empty
// directory (not already a mount point or link) on an NTFS volume, as
// the mount manager requires. Each failure wraps the core error of its
// kind and says what to do.
func checkFolder(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: folder %s does not exist: create it (an empty folder on an NTFS drive), then mount again", core.ErrMountPointMissing, path)
	case err != nil:
		return fmt.Errorf("%w: folder %s: %w", core.ErrMountPointAccess, path, err)
	case fi.Mode()&fs.ModeSymlink != 0 || fi.Mode()&fs.ModeIrregular != 0:
		return fmt.Errorf("%w: folder %s is already a mount point or link: unmount it, or choose another folder", core.ErrMountPointBusy, path)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is a file: a folder mounting point is an empty folder", core.ErrMountPointNotDir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: folder %s: %w", core.ErrMountPointAccess, path, err)
	}
	names, err := f.Readdirnames(1)
	f.Close()
	if len(names) > 0 {
		return fmt.Errorf("%w: folder %s is not empty (it holds %s): use an empty folder", core.ErrMountPointNotEmpty, path, names[0])
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: folder %s: %w", core.ErrMountPointAccess, path, err)
	}
	name, err := ops.fsName(path)
	if err != nil {
		return fmt.Errorf("%w: folder %s: finding its file system: %w", core.ErrMountPointAccess, path, err)
	}
	if !strings.EqualFold(name, "NTFS") {
		return fmt.Errorf("%w: folder %s is on a %s volume: folder mount points need NTFS; choose a folder on an NTFS drive, or use a drive letter", core.ErrMountPointInvalid, path, name)
	}
	return nil
}

// volumeFSName names the file system of the volume holding path
// (GetVolumePathName, then GetVolumeInformation): NTFS, ReFS, FAT32...
func volumeFSName(path string) (string, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return "", err
	}
	root := make([]uint16, windows.MAX_PATH+1)
	if err := windows.GetVolumePathName(p, &root[0], uint32(len(root))); err != nil {
		return "", fmt.Errorf("volume of %s: %w", path, err)
	}
	name := make([]uint16, windows.MAX_PATH+1)
	if err := windows.GetVolumeInformation(&root[0], nil, 0, nil, nil, nil, &name[0], uint32(len(name))); err != nil {
		return "", fmt.Errorf("volume %s: %w", windows.UTF16ToString(root), err)
	}
	return windows.UTF16ToString(name), nil
}
