//go:build windows

package mountmgr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// DeviceName is the Win32 name of the mount manager's device.
const DeviceName = `\\.\MountPointManager`

// maxAnswer bounds the QUERY_POINTS / DELETE_POINTS output buffer.
const maxAnswer = 64 << 20

// Client is an open handle on the mount manager. Its methods may be
// called from several goroutines.
type Client struct {
	h windows.Handle
	// write is whether the handle was opened for reading and writing
	// (administrators); without, only QueryPoints works.
	write bool
}

// Open opens the mount manager for reading and writing, or, when that is
// denied (not an administrator), for queries only. Where the system has
// no mount manager, the error wraps core.ErrDriverUnavailable.
func Open() (*Client, error) {
	name, err := windows.UTF16PtrFromString(DeviceName)
	if err != nil {
		return nil, err
	}
	open := func(access uint32) (windows.Handle, error) {
		return windows.CreateFile(name, access, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	}
	h, err := open(windows.GENERIC_READ | windows.GENERIC_WRITE)
	if err == nil {
		return &Client{h: h, write: true}, nil
	}
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		if h, err2 := open(0); err2 == nil {
			return &Client{h: h}, nil
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: open %s: %w: this system has no mount manager; use a plain drive letter (DefineDosDevice) instead", core.ErrDriverUnavailable, DeviceName, err)
	}
	return nil, fmt.Errorf("open %s: %w", DeviceName, err)
}

// Close closes the handle.
func (c *Client) Close() error {
	if c.h == 0 || c.h == windows.InvalidHandle {
		return nil
	}
	err := windows.CloseHandle(c.h)
	c.h = windows.InvalidHandle
	return err
}

// CanWrite reports whether the handle allows CreatePoint and
// DeletePoints (it was opened by an administrator).
func (c *Client) CanWrite() bool { return c.write }

// CreatePoint asks the mount manager to create the persistent symbolic
// link symlink (\DosDevices\Z: from SymbolicLinkName, or a volume GUID
// name) for the volume known by device (its device name, or any name
// the manager already has for it). It needs administrator rights.
func (c *Client) CreatePoint(symlink, device string) error {
	in, err := EncodeCreatePoint(symlink, device)
	if err != nil {
		return fmt.Errorf("%w: %w", core.ErrMountPointInvalid, err)
	}
	var n uint32
	err = windows.DeviceIoControl(c.h, IOCTLCreatePoint, &in[0], uint32(len(in)), nil, 0, &n, nil)
	if err != nil {
		return c.ioctlError("CREATE_POINT", symlink+" -> "+device, err)
	}
	return nil
}

// QueryPoints returns the mount points matching filter (empty fields
// match everything; the zero Point lists all). No match is an empty
// list, not an error.
func (c *Client) QueryPoints(filter Point) ([]Point, error) {
	pts, err := c.call(IOCTLQueryPoints, filter, 4096)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, c.ioctlError("QUERY_POINTS", describe(filter), err)
	}
	return pts, nil
}

// DeletePoints deletes the mount points matching filter and returns
// them. It needs administrator rights. A filter matching nothing is an
// error wrapping core.ErrNotMounted. Beware that the zero Point matches
// every mount point of the system: it is refused.
func (c *Client) DeletePoints(filter Point) ([]Point, error) {
	if filter.SymbolicLinkName == "" && len(filter.UniqueID) == 0 && filter.DeviceName == "" {
		return nil, fmt.Errorf("%w: DeletePoints with an empty filter would delete every mount point of the system: name a symbolic link, unique id or device", core.ErrMountPointInvalid)
	}
	size := 4096
	if pts, err := c.QueryPoints(filter); err == nil {
		// Size the answer up front: the manager refuses (and deletes
		// nothing) when the output buffer is too small.
		if b, err := EncodeMountPoints(pts); err == nil && len(b) > size {
			size = len(b)
		}
	}
	pts, err := c.call(IOCTLDeletePoints, filter, size)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no mount point matches %s: %w", core.ErrNotMounted, describe(filter), err)
	}
	if err != nil {
		return nil, c.ioctlError("DELETE_POINTS", describe(filter), err)
	}
	return pts, nil
}

// call sends a MOUNTMGR_MOUNT_POINT and decodes the MOUNTMGR_MOUNT_POINTS
// answer, growing the output buffer to the Size the manager asks for.
func (c *Client) call(code uint32, filter Point, size int) ([]Point, error) {
	in, err := EncodeMountPoint(filter)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", core.ErrMountPointInvalid, err)
	}
	for {
		out := make([]byte, size)
		var n uint32
		err := windows.DeviceIoControl(c.h, code, &in[0], uint32(len(in)), &out[0], uint32(len(out)), &n, nil)
		if err != nil && !errors.Is(err, windows.ERROR_MORE_DATA) {
			return nil, err
		}
		need := 0
		if n >= 4 || err != nil {
			need = int(binary.LittleEndian.Uint32(out))
		}
		if err != nil || need > int(n) {
			// Windows: ERROR_MORE_DATA with Size; Wine: success
			// (STATUS_MORE_ENTRIES) with only Size written.
			if need <= size {
				need = 2 * size
			}
			if need > maxAnswer {
				return nil, fmt.Errorf("mount manager answer of %d bytes exceeds %d", need, maxAnswer)
			}
			size = need
			continue
		}
		return DecodeMountPoints(out[:n])
	}
}

// ioctlError maps a DeviceIoControl error to the core errors.
func (c *Client) ioctlError(op, what string, err error) error {
	switch {
	case errors.Is(err, windows.ERROR_ACCESS_DENIED):
		hint := "run elevated (administrator) or as LocalSystem"
		if !c.write {
			hint = "the mount manager was opened for queries only: " + hint
		}
		return fmt.Errorf("%w: mount manager %s %s: %w: %s", core.ErrMountPointAccess, op, what, err, hint)
	case errors.Is(err, windows.ERROR_INVALID_FUNCTION), errors.Is(err, windows.ERROR_NOT_SUPPORTED),
		errors.Is(err, windows.ERROR_CALL_NOT_IMPLEMENTED):
		return fmt.Errorf("%w: mount manager %s %s: %w: this mount manager does not implement %s (Wine's does not); use a plain drive letter instead", core.ErrDriverUnavailable, op, what, err, op)
	case errors.Is(err, windows.ERROR_ALREADY_EXISTS), errors.Is(err, windows.ERROR_FILE_EXISTS),
		errors.Is(err, windows.ERROR_OBJECT_NAME_EXISTS):
		return fmt.Errorf("%w: mount manager %s %s: %w: choose another drive letter or folder", core.ErrMountPointBusy, op, what, err)
	}
	return fmt.Errorf("mount manager %s %s: %w", op, what, err)
}

// describe names a filter in messages.
func describe(p Point) string {
	s := fmt.Sprintf("{link %q", p.SymbolicLinkName)
	if len(p.UniqueID) > 0 {
		s += fmt.Sprintf(" id %x", p.UniqueID)
	}
	return s + fmt.Sprintf(" device %q}", p.DeviceName)
}
