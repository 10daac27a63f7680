//go:build windows

package mountmgr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
)

// Sizes of the fixed parts of the mountmgr.h structures, in bytes.
const (
	// CreatePointInputSize is sizeof(MOUNTMGR_CREATE_POINT_INPUT): four
	// USHORTs.
	CreatePointInputSize = 8
	// MountPointSize is sizeof(MOUNTMGR_MOUNT_POINT): three
	// {ULONG offset, USHORT length, USHORT reserved} triples.
	MountPointSize = 24
	// MountPointsHeaderSize is the offset of MountPoints[0] in
	// MOUNTMGR_MOUNT_POINTS: ULONG Size, ULONG NumberOfMountPoints.
	MountPointsHeaderSize = 8
)

// ErrMalformed is wrapped by every decoding error: the buffer is too
// short, or an offset or length points outside it.
var ErrMalformed = errors.New("malformed mount manager buffer")

// ShortBufferError is returned by DecodeMountPoints when the buffer is
// shorter than the Size the mount manager wrote into it: the caller
// retries with a buffer of Need bytes.
type ShortBufferError struct {
	// Need is the Size field: the bytes the whole answer takes.
	Need uint32
	// Have is the length of the buffer given.
	Have int
}

// Error says how many bytes the answer needs.
func (e *ShortBufferError) Error() string {
	return fmt.Sprintf("mount manager answer needs %d bytes, buffer has %d", e.Need, e.Have)
}

// Unwrap makes a ShortBufferError match ErrMalformed.
func (e *ShortBufferError) Unwrap() error { return ErrMalformed }

// Point is one mount manager mount point: a symbolic link name
// (\DosDevices\Z:, \??\Volume{GUID}), the volume's unique id (opaque
// bytes) and its device name (\Device\HarddiskVolume3,
// \Device\WinFsp.Disk\...). As a filter for QueryPoints and DeletePoints,
// empty fields match everything.
type Point struct {
	SymbolicLinkName string
	UniqueID         []byte
	DeviceName       string
}

// utf16Bytes encodes s as UTF-16LE without terminator.
func utf16Bytes(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// utf16String decodes UTF-16LE bytes (of even length).
func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// EncodeCreatePoint builds the input of IOCTL_MOUNTMGR_CREATE_POINT:
// a MOUNTMGR_CREATE_POINT_INPUT followed by the symbolic link name and
// then the device name, both UTF-16LE without terminator, offsets from
// the start of the structure. All offsets and lengths are USHORTs, so the
// whole input must fit in 65535 bytes.
func EncodeCreatePoint(symlink, device string) ([]byte, error) {
	if symlink == "" || device == "" {
		return nil, fmt.Errorf("create point: symbolic link name %q and device name %q must both be given", symlink, device)
	}
	s, d := utf16Bytes(symlink), utf16Bytes(device)
	total := CreatePointInputSize + len(s) + len(d)
	if total > math.MaxUint16 {
		return nil, fmt.Errorf("create point: names of %d bytes do not fit the USHORT offsets (65535 at most)", len(s)+len(d))
	}
	b := make([]byte, total)
	le := binary.LittleEndian
	le.PutUint16(b[0:], CreatePointInputSize)                // SymbolicLinkNameOffset
	le.PutUint16(b[2:], uint16(len(s)))                      // SymbolicLinkNameLength
	le.PutUint16(b[4:], uint16(CreatePointInputSize+len(s))) // DeviceNameOffset
	le.PutUint16(b[6:], uint16(len(d)))                      // DeviceNameLength
	copy(b[CreatePointInputSize:], s)
	copy(b[CreatePointInputSize+len(s):], d)
	return b, nil
}

// DecodeCreatePoint reads a MOUNTMGR_CREATE_POINT_INPUT buffer (the
// inverse of EncodeCreatePoint).
func DecodeCreatePoint(b []byte) (symlink, device string, err error) {
	if len(b) < CreatePointInputSize {
		return "", "", fmt.Errorf("%w: create point input of %d bytes, need %d", ErrMalformed, len(b), CreatePointInputSize)
	}
	le := binary.LittleEndian
	sb, err := name(b, len(b), uint32(le.Uint16(b[0:])), le.Uint16(b[2:]), "symbolic link name")
	if err != nil {
		return "", "", err
	}
	db, err := name(b, len(b), uint32(le.Uint16(b[4:])), le.Uint16(b[6:]), "device name")
	if err != nil {
		return "", "", err
	}
	return utf16String(sb), utf16String(db), nil
}

// EncodeMountPoint builds the input of IOCTL_MOUNTMGR_QUERY_POINTS,
// DELETE_POINTS and DELETE_POINTS_DBONLY: a MOUNTMGR_MOUNT_POINT followed
// by the symbolic link name, the unique id, and the device name, each at
// an even offset from the start of the structure. An empty field gets
// offset 0 and length 0 (matches everything).
func EncodeMountPoint(p Point) ([]byte, error) {
	var hdr [MountPointSize]byte
	b, err := appendPointData(make([]byte, MountPointSize), hdr[:], p)
	if err != nil {
		return nil, err
	}
	copy(b, hdr[:])
	return b, nil
}

// appendPointData appends p's three fields to buf, each at an even
// offset, and fills the MOUNTMGR_MOUNT_POINT hdr with their offsets
// (relative to the start of buf) and lengths.
func appendPointData(buf, hdr []byte, p Point) ([]byte, error) {
	fields := [3][]byte{utf16Bytes(p.SymbolicLinkName), p.UniqueID, utf16Bytes(p.DeviceName)}
	names := [3]string{"symbolic link name", "unique id", "device name"}
	var offs [3]int
	for i, f := range fields {
		if len(f) > math.MaxUint16 {
			return nil, fmt.Errorf("mount point %s of %d bytes: at most 65535 (USHORT length)", names[i], len(f))
		}
		if len(f) == 0 {
			continue
		}
		if len(buf)%2 != 0 {
			buf = append(buf, 0) // WCHAR alignment
		}
		offs[i] = len(buf)
		if uint64(offs[i]) > math.MaxUint32 {
			return nil, fmt.Errorf("mount point buffer over 4 GiB")
		}
		buf = append(buf, f...)
	}
	le := binary.LittleEndian
	for i, f := range fields {
		le.PutUint32(hdr[8*i:], uint32(offs[i]))  // ...NameOffset / UniqueIdOffset
		le.PutUint16(hdr[8*i+4:], uint16(len(f))) // ...Length
		le.PutUint16(hdr[8*i+6:], 0)              // ReservedN
	}
	return buf, nil
}

// DecodeMountPoint reads a MOUNTMGR_MOUNT_POINT whose offsets are
// relative to the start of b (the inverse of EncodeMountPoint).
func DecodeMountPoint(b []byte) (Point, error) {
	if len(b) < MountPointSize {
		return Point{}, fmt.Errorf("%w: mount point of %d bytes, need %d", ErrMalformed, len(b), MountPointSize)
	}
	return decodePoint(b, len(b), b[:MountPointSize])
}

// decodePoint reads the MOUNTMGR_MOUNT_POINT hdr whose offsets are
// relative to the start of b, and must stay below limit.
func decodePoint(b []byte, limit int, hdr []byte) (Point, error) {
	le := binary.LittleEndian
	var p Point
	s, err := name(b, limit, le.Uint32(hdr[0:]), le.Uint16(hdr[4:]), "symbolic link name")
	if err != nil {
		return Point{}, err
	}
	u, err := field(b, limit, le.Uint32(hdr[8:]), le.Uint16(hdr[12:]), "unique id")
	if err != nil {
		return Point{}, err
	}
	d, err := name(b, limit, le.Uint32(hdr[16:]), le.Uint16(hdr[20:]), "device name")
	if err != nil {
		return Point{}, err
	}
	p.SymbolicLinkName, p.DeviceName = utf16String(s), utf16String(d)
	if len(u) > 0 {
		p.UniqueID = append([]byte(nil), u...)
	}
	return p, nil
}

// field returns b[off:off+n], checking that it lies within b[:limit].
func field(b []byte, limit int, off uint32, n uint16, what string) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	end := uint64(off) + uint64(n)
	if end > uint64(limit) || limit > len(b) {
		return nil, fmt.Errorf("%w: %s at %d+%d runs past the %d-byte buffer", ErrMalformed, what, off, n, limit)
	}
	return b[off:end], nil
}

// name is field for a UTF-16 name, whose length must be even.
func name(b []byte, limit int, off uint32, n uint16, what string) ([]byte, error) {
	if n%2 != 0 {
		return nil, fmt.Errorf("%w: %s length %d is odd (UTF-16)", ErrMalformed, what, n)
	}
	return field(b, limit, off, n, what)
}

// EncodeMountPoints builds a MOUNTMGR_MOUNT_POINTS as the mount manager
// returns it from QUERY_POINTS: Size (the whole buffer), the count, the
// array of MOUNTMGR_MOUNT_POINT, then each point's fields at even
// offsets from the start of the buffer.
func EncodeMountPoints(points []Point) ([]byte, error) {
	n := MountPointsHeaderSize + len(points)*MountPointSize
	buf := make([]byte, n)
	var err error
	for i, p := range points {
		at := MountPointsHeaderSize + i*MountPointSize
		var hdr [MountPointSize]byte
		if buf, err = appendPointData(buf, hdr[:], p); err != nil {
			return nil, fmt.Errorf("point %d: %w", i, err)
		}
		copy(buf[at:], hdr[:])
	}
	if uint64(len(buf)) > math.MaxUint32 {
		return nil, fmt.Errorf("mount points buffer over 4 GiB")
	}
	binary.LittleEndian.PutUint32(buf[0:], uint32(len(buf)))
	binary.LittleEndian.PutUint32(buf[4:], uint32(len(points)))
	return buf, nil
}

// DecodeMountPoints reads the MOUNTMGR_MOUNT_POINTS that QUERY_POINTS
// and DELETE_POINTS return. Offsets are relative to the start of b and
// must stay within Size. When Size exceeds len(b), the error is a
// *ShortBufferError telling the size to retry with.
func DecodeMountPoints(b []byte) ([]Point, error) {
	if len(b) < MountPointsHeaderSize {
		return nil, fmt.Errorf("%w: mount points answer of %d bytes, need %d", ErrMalformed, len(b), MountPointsHeaderSize)
	}
	le := binary.LittleEndian
	size, count := le.Uint32(b[0:]), le.Uint32(b[4:])
	if uint64(size) > uint64(len(b)) {
		return nil, &ShortBufferError{Need: size, Have: len(b)}
	}
	if size < MountPointsHeaderSize {
		return nil, fmt.Errorf("%w: Size %d is smaller than the %d-byte header", ErrMalformed, size, MountPointsHeaderSize)
	}
	limit := int(size)
	if uint64(count) > uint64(limit-MountPointsHeaderSize)/MountPointSize {
		return nil, fmt.Errorf("%w: %d mount points do not fit in %d bytes", ErrMalformed, count, limit)
	}
	points := make([]Point, count)
	for i := range points {
		at := MountPointsHeaderSize + i*MountPointSize
		p, err := decodePoint(b, limit, b[at:at+MountPointSize])
		if err != nil {
			return nil, fmt.Errorf("mount point %d: %w", i, err)
		}
		points[i] = p
	}
	return points, nil
}
