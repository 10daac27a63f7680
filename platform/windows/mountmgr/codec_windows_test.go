//go:build windows

package mountmgr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func TestIOCTLCodes(t *testing.T) {
	// CTL_CODE(0x6D, f, METHOD_BUFFERED=0, access) =
	// 0x6D<<16 | access<<14 | f<<2: 0x6D0000, plus 0xC000 for
	// FILE_READ_ACCESS|FILE_WRITE_ACCESS (3<<14), 0x4000 for
	// FILE_READ_ACCESS (1<<14), nothing for FILE_ANY_ACCESS.
	for _, tc := range []struct {
		name      string
		got, want uint32
		f, access uint32
	}{
		{"CREATE_POINT", IOCTLCreatePoint, 0x006DC000, 0, 3},
		{"DELETE_POINTS", IOCTLDeletePoints, 0x006DC004, 1, 3},
		{"QUERY_POINTS", IOCTLQueryPoints, 0x006D0008, 2, 0},
		{"DELETE_POINTS_DBONLY", IOCTLDeletePointsDBOnly, 0x006DC00C, 3, 3},
		{"NEXT_DRIVE_LETTER", IOCTLNextDriveLetter, 0x006DC010, 4, 3},
		{"AUTO_DL_ASSIGNMENTS", IOCTLAutoDLAssignments, 0x006DC014, 5, 3},
		{"VOLUME_MOUNT_POINT_CREATED", IOCTLVolumeMountPointCreated, 0x006DC018, 6, 3},
		{"VOLUME_MOUNT_POINT_DELETED", IOCTLVolumeMountPointDeleted, 0x006DC01C, 7, 3},
		{"CHANGE_NOTIFY", IOCTLChangeNotify, 0x006D4020, 8, 1},
		{"KEEP_LINKS_WHEN_OFFLINE", IOCTLKeepLinksWhenOffline, 0x006DC024, 9, 3},
		{"CHECK_UNPROCESSED_VOLUMES", IOCTLCheckUnprocessedVolumes, 0x006D4028, 10, 1},
		{"VOLUME_ARRIVAL_NOTIFICATION", IOCTLVolumeArrivalNotification, 0x006D402C, 11, 1},
		{"QUERY_DOS_VOLUME_PATH", IOCTLQueryDosVolumePath, 0x006D0030, 12, 0},
		{"QUERY_DOS_VOLUME_PATHS", IOCTLQueryDosVolumePaths, 0x006D0034, 13, 0},
	} {
		if tc.got != tc.want {
			t.Errorf("IOCTL_MOUNTMGR_%s = %#08x, want %#08x", tc.name, tc.got, tc.want)
		}
		if c := ctlCode(ControlType, tc.f, methodBuffered, tc.access); c != tc.want {
			t.Errorf("ctlCode(%s) = %#08x, want %#08x", tc.name, c, tc.want)
		}
	}
}

func TestEncodeCreatePointBytes(t *testing.T) {
	got, err := EncodeCreatePoint(`\DosDevices\Z:`, `\Device\V1`)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x08, 0x00, // SymbolicLinkNameOffset = 8 = sizeof(MOUNTMGR_CREATE_POINT_INPUT)
		0x1C, 0x00, // SymbolicLinkNameLength = 14 chars * 2 = 28
		0x24, 0x00, // DeviceNameOffset = 8 + 28 = 36
		0x14, 0x00, // DeviceNameLength = 10 chars * 2 = 20
		// \DosDevices\Z: in UTF-16LE, no terminator (bytes 8..35)
		'\\', 0, 'D', 0, 'o', 0, 's', 0, 'D', 0, 'e', 0, 'v', 0, 'i', 0, 'c', 0, 'e', 0, 's', 0, '\\', 0, 'Z', 0, ':', 0,
		// \Device\V1 (bytes 36..55)
		'\\', 0, 'D', 0, 'e', 0, 'v', 0, 'i', 0, 'c', 0, 'e', 0, '\\', 0, 'V', 0, '1', 0,
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeCreatePoint =\n% x\nwant\n% x", got, want)
	}
	s, d, err := DecodeCreatePoint(got)
	if err != nil || s != `\DosDevices\Z:` || d != `\Device\V1` {
		t.Fatalf("DecodeCreatePoint = %q, %q, %v", s, d, err)
	}
}

func TestEncodeMountPointBytes(t *testing.T) {
	got, err := EncodeMountPoint(Point{SymbolicLinkName: `\X`, UniqueID: []byte{0xAA, 0xBB, 0xCC}, DeviceName: `\D`})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x18, 0, 0, 0, // SymbolicLinkNameOffset = 24 = sizeof(MOUNTMGR_MOUNT_POINT)
		0x04, 0, // SymbolicLinkNameLength = 2 chars * 2
		0, 0, // Reserved1
		0x1C, 0, 0, 0, // UniqueIdOffset = 24 + 4 = 28
		0x03, 0, // UniqueIdLength = 3 bytes
		0, 0, // Reserved2
		0x20, 0, 0, 0, // DeviceNameOffset = 28 + 3 = 31, rounded up to 32 (WCHAR alignment)
		0x04, 0, // DeviceNameLength = 4
		0, 0, // Reserved3
		'\\', 0, 'X', 0, // 24..27 symbolic link name
		0xAA, 0xBB, 0xCC, // 28..30 unique id
		0,               // 31 padding
		'\\', 0, 'D', 0, // 32..35 device name
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeMountPoint =\n% x\nwant\n% x", got, want)
	}

	// Only a device name: the absent fields are offset 0, length 0.
	got, err = EncodeMountPoint(Point{DeviceName: `\D`})
	if err != nil {
		t.Fatal(err)
	}
	want = []byte{
		0, 0, 0, 0, 0, 0, 0, 0, // no symbolic link name
		0, 0, 0, 0, 0, 0, 0, 0, // no unique id
		0x18, 0, 0, 0, 0x04, 0, 0, 0, // DeviceNameOffset 24, length 4
		'\\', 0, 'D', 0,
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeMountPoint(device only) =\n% x\nwant\n% x", got, want)
	}
	// The zero filter is the bare 24-byte structure.
	if got, err := EncodeMountPoint(Point{}); err != nil || !bytes.Equal(got, make([]byte, MountPointSize)) {
		t.Fatalf("EncodeMountPoint(zero) = % x, %v", got, err)
	}
}

func TestEncodeMountPointsBytes(t *testing.T) {
	got, err := EncodeMountPoints([]Point{
		{SymbolicLinkName: `\A`, UniqueID: []byte{1, 2}, DeviceName: `\B`},
		{SymbolicLinkName: `\C`, DeviceName: `\D`},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		74, 0, 0, 0, // Size = 8 + 2*24 + 18 bytes of data = 74
		2, 0, 0, 0, // NumberOfMountPoints
		// MountPoints[0]: \A at 56, id at 60 (2 bytes), \B at 62
		56, 0, 0, 0, 4, 0, 0, 0, 60, 0, 0, 0, 2, 0, 0, 0, 62, 0, 0, 0, 4, 0, 0, 0,
		// MountPoints[1]: \C at 66, no id, \D at 70
		66, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 70, 0, 0, 0, 4, 0, 0, 0,
		'\\', 0, 'A', 0, 1, 2, '\\', 0, 'B', 0, // 56..65
		'\\', 0, 'C', 0, '\\', 0, 'D', 0, // 66..73
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeMountPoints =\n% x\nwant\n% x", got, want)
	}
}

// crafted builds a QUERY_POINTS answer by hand, the way the mount
// manager may lay it out: names in any order, shared between points.
func crafted() ([]byte, []Point) {
	le := binary.LittleEndian
	b := make([]byte, 8+3*24)
	put := func(s string) (uint32, uint16) {
		off := uint32(len(b))
		u := utf16Bytes(s)
		b = append(b, u...)
		return off, uint16(len(u))
	}
	dev := `\Device\HarddiskVolume3`
	devOff, devLen := put(dev) // shared by points 0 and 1
	vol := `\??\Volume{0b1e8b3c-5d4f-11ee-8c99-0242ac120002}`
	volOff, volLen := put(vol)
	idOff := uint32(len(b))
	id := []byte{0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10}
	b = append(b, id...)
	cOff, cLen := put(`\DosDevices\C:`)
	fsp := `\Device\WinFsp.Disk\VolumeX`
	fOff, fLen := put(fsp)
	zOff, zLen := put(`\DosDevices\Z:`)
	hdr := func(i int, so uint32, sl uint16, io uint32, il uint16, do uint32, dl uint16) {
		h := b[8+24*i:]
		le.PutUint32(h[0:], so)
		le.PutUint16(h[4:], sl)
		le.PutUint32(h[8:], io)
		le.PutUint16(h[12:], il)
		le.PutUint32(h[16:], do)
		le.PutUint16(h[20:], dl)
	}
	hdr(0, cOff, cLen, idOff, uint16(len(id)), devOff, devLen)
	hdr(1, volOff, volLen, idOff, uint16(len(id)), devOff, devLen)
	hdr(2, zOff, zLen, 0, 0, fOff, fLen)
	le.PutUint32(b[0:], uint32(len(b)))
	le.PutUint32(b[4:], 3)
	return b, []Point{
		{SymbolicLinkName: `\DosDevices\C:`, UniqueID: id, DeviceName: dev},
		{SymbolicLinkName: vol, UniqueID: id, DeviceName: dev},
		{SymbolicLinkName: `\DosDevices\Z:`, DeviceName: fsp},
	}
}

func TestDecodeCraftedMountPoints(t *testing.T) {
	b, want := crafted()
	got, err := DecodeMountPoints(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeMountPoints =\n%+v\nwant\n%+v", got, want)
	}
	// Bytes after Size (a larger output buffer) are ignored.
	if got, err := DecodeMountPoints(append(b, 0xFF, 0xFF, 0xFF)); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("with trailing bytes: %+v, %v", got, err)
	}
	// Decoded ids do not alias the buffer.
	got[0].UniqueID[0] = 0
	if b2, _ := crafted(); !bytes.Equal(b, b2) {
		t.Fatal("decoded unique id aliases the input buffer")
	}
}

func TestRoundTrips(t *testing.T) {
	points := []Point{
		{SymbolicLinkName: `\DosDevices\Q:`, UniqueID: []byte("WINFSP-UNIQUE-ID"), DeviceName: `\Device\WinFsp.Disk\{1234}`},
		{SymbolicLinkName: `\??\Volume{0b1e8b3c-5d4f-11ee-8c99-0242ac120002}`, UniqueID: []byte{7}, DeviceName: `\Device\Vol`},
		{SymbolicLinkName: `\DosDevices\C:\Mounts\Données 🗂`, DeviceName: `\Device\Ünïcode`},
		{UniqueID: []byte{1, 2, 3}},
		{},
	}
	b, err := EncodeMountPoints(points)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeMountPoints(b)
	if err != nil || !reflect.DeepEqual(got, points) {
		t.Fatalf("MountPoints round trip = %+v, %v", got, err)
	}
	if empty, err := EncodeMountPoints(nil); err != nil || len(empty) != 8 {
		t.Fatalf("EncodeMountPoints(nil) = % x, %v", empty, err)
	} else if got, err := DecodeMountPoints(empty); err != nil || len(got) != 0 {
		t.Fatalf("decode empty = %+v, %v", got, err)
	}
	for _, p := range points {
		b, err := EncodeMountPoint(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMountPoint(b)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("MountPoint round trip of %+v = %+v, %v", p, got, err)
		}
		// Every field starts at an even offset.
		le := binary.LittleEndian
		for f := 0; f < 3; f++ {
			if off := le.Uint32(b[8*f:]); off%2 != 0 {
				t.Errorf("%+v: field %d at odd offset %d", p, f, off)
			}
		}
	}
	for _, names := range [][2]string{{`\DosDevices\Z:`, `\Device\X`}, {`\??\Volume{x}`, `\Device\Ñ🗂`}} {
		b, err := EncodeCreatePoint(names[0], names[1])
		if err != nil {
			t.Fatal(err)
		}
		s, d, err := DecodeCreatePoint(b)
		if err != nil || s != names[0] || d != names[1] {
			t.Errorf("CreatePoint round trip of %q = %q, %q, %v", names, s, d, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	long := strings.Repeat("x", 40000) // 80000 bytes of UTF-16
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"create empty link", func() error { _, err := EncodeCreatePoint("", `\Device\X`); return err }()},
		{"create empty device", func() error { _, err := EncodeCreatePoint(`\DosDevices\Z:`, ""); return err }()},
		{"create too long", func() error { _, err := EncodeCreatePoint(long, `\Device\X`); return err }()},
		{"create sum too long", func() error {
			_, err := EncodeCreatePoint(strings.Repeat("x", 20000), strings.Repeat("y", 20000))
			return err
		}()},
		{"point name too long", func() error { _, err := EncodeMountPoint(Point{DeviceName: long}); return err }()},
		{"point id too long", func() error { _, err := EncodeMountPoint(Point{UniqueID: make([]byte, 70000)}); return err }()},
		{"points too long", func() error { _, err := EncodeMountPoints([]Point{{}, {SymbolicLinkName: long}}); return err }()},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	valid, _ := crafted()
	le := binary.LittleEndian
	mut := func(f func(b []byte)) []byte {
		b := append([]byte(nil), valid...)
		f(b)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"7 bytes", valid[:7]},
		{"Size below header", mut(func(b []byte) { le.PutUint32(b, 4) })},
		{"count 2^32-1", mut(func(b []byte) { le.PutUint32(b[4:], 0xFFFFFFFF) })},
		{"count one too many", mut(func(b []byte) { le.PutUint32(b[4:], 4); le.PutUint32(b, 8+4*24) })},
		{"link offset past Size", mut(func(b []byte) { le.PutUint32(b[8:], uint32(len(b))) })},
		{"link offset overflows", mut(func(b []byte) { le.PutUint32(b[8:], 0xFFFFFFFF) })},
		{"link length past Size", mut(func(b []byte) { le.PutUint16(b[12:], 0xFFFE) })},
		{"odd link length", mut(func(b []byte) { le.PutUint16(b[12:], 3) })},
		{"odd device length", mut(func(b []byte) { le.PutUint16(b[8+20:], 5) })},
		{"id past Size", mut(func(b []byte) { le.PutUint32(b[16:], uint32(len(b)-1)) })},
		{"Size shrunk under the data", mut(func(b []byte) { le.PutUint32(b, uint32(len(b)-2)) })},
	} {
		pts, err := DecodeMountPoints(tc.b)
		if err == nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: DecodeMountPoints = %+v, %v; want ErrMalformed", tc.name, pts, err)
		}
	}
	// Every truncation of a valid answer is a ShortBufferError naming
	// the full size.
	for n := MountPointsHeaderSize; n < len(valid); n++ {
		_, err := DecodeMountPoints(valid[:n])
		var short *ShortBufferError
		if !errors.As(err, &short) || int(short.Need) != len(valid) || short.Have != n {
			t.Fatalf("truncated to %d: %v, want ShortBufferError{%d}", n, err, len(valid))
		}
	}
	for _, b := range [][]byte{nil, make([]byte, 23)} {
		if _, err := DecodeMountPoint(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeMountPoint(%d bytes) = %v", len(b), err)
		}
		if _, _, err := DecodeCreatePoint(b[:min(len(b), 7)]); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeCreatePoint(short) = %v", err)
		}
	}
	cp, _ := EncodeCreatePoint(`\DosDevices\Z:`, `\Device\X`)
	for n := CreatePointInputSize; n < len(cp); n++ {
		if _, _, err := DecodeCreatePoint(cp[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("DecodeCreatePoint truncated to %d: %v", n, err)
		}
	}
}

// TestDecodeRandomCorruption flips random bytes of valid answers: the
// decoders must return (a result or an error), never panic.
func TestDecodeRandomCorruption(t *testing.T) {
	valid, _ := crafted()
	mp, _ := EncodeMountPoint(Point{SymbolicLinkName: `\DosDevices\Z:`, UniqueID: []byte{1, 2, 3}, DeviceName: `\Device\X`})
	cp, _ := EncodeCreatePoint(`\DosDevices\Z:`, `\Device\X`)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		for _, src := range [][]byte{valid, mp, cp} {
			b := append([]byte(nil), src...)
			for k := r.Intn(4) + 1; k > 0; k-- {
				b[r.Intn(len(b))] = byte(r.Intn(256))
			}
			b = b[:r.Intn(len(b)+1)]
			_, _ = DecodeMountPoints(b)
			_, _ = DecodeMountPoint(b)
			_, _, _ = DecodeCreatePoint(b)
		}
	}
}

func FuzzDecodeMountPoints(f *testing.F) {
	valid, _ := crafted()
	f.Add(valid)
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		pts, err := DecodeMountPoints(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes and decodes to the same points.
		again, err := EncodeMountPoints(pts)
		if err != nil {
			return // a decoded name may not re-encode (unpaired surrogate length change)
		}
		pts2, err := DecodeMountPoints(again)
		if err != nil || len(pts2) != len(pts) {
			t.Fatalf("re-decode: %+v, %v", pts2, err)
		}
	})
}
