//go:build windows

package mountmgr

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"

	"golang.org/x/sys/windows"
)

// TagMountPoint is IO_REPARSE_TAG_MOUNT_POINT, the reparse tag of folder
// mount points and junctions.
const TagMountPoint = 0xA0000003

// Layout of REPARSE_DATA_BUFFER for a mount point (ntifs.h): ReparseTag
// (ULONG, 0), ReparseDataLength (USHORT, 4: the bytes after this 8-byte
// header), Reserved (USHORT, 6), then MountPointReparseBuffer:
// SubstituteNameOffset, SubstituteNameLength, PrintNameOffset,
// PrintNameLength (USHORTs, 8..15, offsets relative to PathBuffer) and
// PathBuffer (16).
const (
	reparseHeaderSize      = 8
	mountPointPathBufferAt = 16
	// maxReparseSize is MAXIMUM_REPARSE_DATA_BUFFER_SIZE.
	maxReparseSize = 16 * 1024
)

// EncodeMountPointReparse builds the REPARSE_DATA_BUFFER of a mount
// point whose substitute name (the NT path it leads to, such as
// \Device\Volume{GUID}\ or \??\C:\target\) and print name are given;
// each name is followed by a NUL in PathBuffer, as the Windows tools and
// WinFsp write them.
func EncodeMountPointReparse(substitute, print string) ([]byte, error) {
	sub, pr := utf16.Encode([]rune(substitute)), utf16.Encode([]rune(print))
	path := 2 * (len(sub) + 1 + len(pr) + 1)
	if substitute == "" || mountPointPathBufferAt+path > maxReparseSize {
		return nil, fmt.Errorf("%w: mount point substitute name of %d and print name of %d characters: the substitute name must be non-empty and the buffer at most %d bytes", ErrMalformed, len(sub), len(pr), maxReparseSize)
	}
	b := make([]byte, mountPointPathBufferAt+path)
	binary.LittleEndian.PutUint32(b[0:], TagMountPoint)
	binary.LittleEndian.PutUint16(b[4:], uint16(len(b)-reparseHeaderSize))
	binary.LittleEndian.PutUint16(b[8:], 0)
	binary.LittleEndian.PutUint16(b[10:], uint16(2*len(sub)))
	binary.LittleEndian.PutUint16(b[12:], uint16(2*(len(sub)+1)))
	binary.LittleEndian.PutUint16(b[14:], uint16(2*len(pr)))
	at := mountPointPathBufferAt
	for _, s := range [][]uint16{sub, pr} {
		for _, c := range s {
			binary.LittleEndian.PutUint16(b[at:], c)
			at += 2
		}
		at += 2 // NUL
	}
	return b, nil
}

// DecodeMountPointReparse reads the substitute and print names of a
// mount point's REPARSE_DATA_BUFFER, checking the tag and that every
// length and offset lies inside the buffer.
func DecodeMountPointReparse(b []byte) (substitute, print string, err error) {
	if len(b) < mountPointPathBufferAt {
		return "", "", fmt.Errorf("%w: reparse buffer of %d bytes: need at least %d", ErrMalformed, len(b), mountPointPathBufferAt)
	}
	if tag := binary.LittleEndian.Uint32(b); tag != TagMountPoint {
		return "", "", fmt.Errorf("%w: reparse tag %#08x is not a mount point (%#08x)", ErrMalformed, tag, uint32(TagMountPoint))
	}
	end := reparseHeaderSize + int(binary.LittleEndian.Uint16(b[4:]))
	if end > len(b) || end < mountPointPathBufferAt {
		return "", "", fmt.Errorf("%w: reparse data length %d does not fit the %d-byte buffer", ErrMalformed, end-reparseHeaderSize, len(b))
	}
	path := b[mountPointPathBufferAt:end]
	name := func(what string, at int) (string, error) {
		off, n := int(binary.LittleEndian.Uint16(b[at:])), int(binary.LittleEndian.Uint16(b[at+2:]))
		if off%2 != 0 || n%2 != 0 || off+n > len(path) {
			return "", fmt.Errorf("%w: %s name at %d, %d bytes, outside the %d-byte path buffer", ErrMalformed, what, off, n, len(path))
		}
		u := make([]uint16, n/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(path[off+2*i:])
		}
		return string(utf16.Decode(u)), nil
	}
	if substitute, err = name("substitute", 8); err != nil {
		return "", "", err
	}
	if print, err = name("print", 12); err != nil {
		return "", "", err
	}
	return substitute, print, nil
}

// FolderTarget returns where the mount point (junction) at folder leads:
// the substitute name of its reparse point, such as \??\Volume{GUID}\ for
// a folder the mount manager knows or \Device\Volume{GUID}\ for a volume
// WinFsp mounted on a directory without a drive letter. A folder that is
// not a mount point fails with an error wrapping core.ErrNotMounted; a
// missing one with core.ErrMountPointMissing.
func FolderTarget(folder string) (string, error) {
	p, err := windows.UTF16PtrFromString(folder)
	if err != nil {
		return "", folderError("read the mount point", folder, err)
	}
	h, err := windows.CreateFile(p, windows.FILE_READ_ATTRIBUTES,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return "", folderError("open the mount point", folder, err)
	}
	defer windows.CloseHandle(h)
	buf := make([]byte, maxReparseSize)
	var n uint32
	if err := windows.DeviceIoControl(h, windows.FSCTL_GET_REPARSE_POINT, nil, 0, &buf[0], uint32(len(buf)), &n, nil); err != nil {
		return "", folderError("read the mount point", folder, err)
	}
	sub, _, err := DecodeMountPointReparse(buf[:n])
	if err != nil {
		return "", fmt.Errorf("%s: %w", folder, err)
	}
	return sub, nil
}
