//go:build windows

package netshare

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// sdRead is the self-relative security descriptor of a read share,
// written out by hand: header, ACL header, one ACE for Everyone.
var sdRead = []byte{
	0x01, 0x00, 0x04, 0x80, // Revision 1, Sbz1, Control SE_SELF_RELATIVE|SE_DACL_PRESENT
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // no owner, group, SACL
	0x14, 0x00, 0x00, 0x00, // DACL at 20
	0x02, 0x00, 0x1C, 0x00, 0x01, 0x00, 0x00, 0x00, // ACL_REVISION, AclSize 28, 1 ACE
	0x00, 0x00, 0x14, 0x00, // ACCESS_ALLOWED_ACE_TYPE, flags 0, AceSize 20
	0xA9, 0x00, 0x12, 0x00, // mask 0x1200A9
	0x01, 0x01, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, // S-1-1-0
}

func TestSecurityDescriptorBytes(t *testing.T) {
	if got := SecurityDescriptor(ReadOnly); !bytes.Equal(got, sdRead) {
		t.Errorf("SecurityDescriptor(ReadOnly) =\n% x\nwant\n% x", got, sdRead)
	}
	change := bytes.Clone(sdRead)
	copy(change[32:], []byte{0xBF, 0x01, 0x13, 0x00})
	if got := SecurityDescriptor(ReadWrite); !bytes.Equal(got, change) {
		t.Errorf("SecurityDescriptor(ReadWrite) =\n% x\nwant\n% x", got, change)
	}
}

// TestSecurityDescriptorMatchesSDDL asks the system (Wine's advapi32
// here) to build the same descriptors from SDDL and compares the bytes.
func TestSecurityDescriptorMatchesSDDL(t *testing.T) {
	for a, sddl := range map[Access]string{ReadOnly: "D:(A;;0x1200a9;;;WD)", ReadWrite: "D:(A;;0x1301bf;;;WD)"} {
		sd, err := windows.SecurityDescriptorFromString(sddl)
		if err != nil {
			t.Fatal(err)
		}
		sys := unsafe.Slice((*byte)(unsafe.Pointer(sd)), sd.Length())
		if got := SecurityDescriptor(a); !bytes.Equal(got, sys) {
			t.Errorf("%s: ours\n% x\nsystem's\n% x", sddl, got, sys)
		}
	}
}

// TestEncode502Bytes pins SHARE_INFO_502 and its trailing data byte for
// byte, for 64-bit and 32-bit Windows.
func TestEncode502Bytes(t *testing.T) {
	s := Share{Name: "data", Remark: "r", Path: `Z:\`, Access: ReadOnly}
	u16 := func(v string) []byte {
		var b []byte
		for _, c := range v {
			b = append(b, byte(c), 0)
		}
		return append(b, 0, 0)
	}
	tail := func(pad int) []byte {
		b := append(append(append([]byte{}, u16("data")...), u16("r")...), u16(`Z:\`)...)
		return append(append(b, make([]byte, pad)...), sdRead...)
	}
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	le64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	zero4 := make([]byte, 4)

	// 64-bit: the structure is 72 bytes; name at 72, remark at 82, path
	// at 86, 2 bytes of padding, the descriptor at 96.
	want64 := cat(
		le64(0x10000+72), le32(0), zero4, // netname, type, padding
		le64(0x10000+82),                          // remark
		le32(1), le32(0xFFFFFFFF), le32(0), zero4, // permissions ACCESS_READ, max uses, current uses, padding
		le64(0x10000+86), le64(0), // path, passwd
		le32(0), zero4, // reserved, padding
		le64(0x10000+96), // security descriptor
		tail(2),
	)
	// 32-bit: the structure is 40 bytes; name at 40, remark at 50, path
	// at 54, the descriptor at 64.
	want32 := cat(
		le32(0x2000+40), le32(0), le32(0x2000+50),
		le32(1), le32(0xFFFFFFFF), le32(0),
		le32(0x2000+54), le32(0), le32(0), le32(0x2000+64),
		tail(2),
	)
	for _, tc := range []struct {
		ptr  int
		base uint64
		want []byte
	}{{8, 0x10000, want64}, {4, 0x2000, want32}} {
		got, err := Encode502(s, tc.ptr, tc.base)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("Encode502(ptr %d) =\n% x\nwant\n% x", tc.ptr, got, tc.want)
		}
	}
	rw, err := Encode502(Share{Name: "data", Remark: "r", Path: `Z:\`, Access: ReadWrite}, 8, 0x10000)
	if err != nil {
		t.Fatal(err)
	}
	if p := binary.LittleEndian.Uint32(rw[24:]); p != accessChange {
		t.Errorf("read-write permissions = %#x, want %#x", p, accessChange)
	}
	if !bytes.Equal(rw[96:], SecurityDescriptor(ReadWrite)) {
		t.Error("read-write share does not carry the change descriptor")
	}
}

func TestEncode502Invalid(t *testing.T) {
	for _, s := range []Share{
		{Name: "", Path: `Z:\`, Access: ReadOnly},
		{Name: strings.Repeat("x", 81), Path: `Z:\`, Access: ReadOnly},
		{Name: `a\b`, Path: `Z:\`, Access: ReadOnly},
		{Name: "a,b", Path: `Z:\`, Access: ReadOnly},
		{Name: "data", Path: "", Access: ReadOnly},
		{Name: "data", Path: `Z:\`},
	} {
		if _, err := Encode502(s, 8, 0); !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("Encode502(%+v) = %v, want ErrMountPointInvalid", s, err)
		}
	}
	if _, err := Encode502(Share{Name: "data", Path: `Z:\`, Access: ReadOnly}, 2, 0); err == nil {
		t.Error("pointer size 2 accepted")
	}
}

func TestErrorMapping(t *testing.T) {
	s := Share{Name: "data", Path: `Z:\`, Access: ReadOnly}
	for _, tc := range []struct {
		code, parm uint32
		want       error
		says       string
	}{
		{2118, 0, core.ErrMountPointBusy, "net share data /delete"},
		{2116, 0, core.ErrMountPointMissing, `Z:\`},
		{5, 0, core.ErrMountPointAccess, "run elevated"},
		{87, 8, core.ErrMountPointInvalid, "path"},
		{87, 501, core.ErrMountPointInvalid, "security descriptor"},
		{123, 1, core.ErrMountPointInvalid, "name"},
		{2114, 0, core.ErrDriverUnavailable, "LanmanServer"},
		{1722, 0, core.ErrDriverUnavailable, "LanmanServer"},
		{50, 0, core.ErrDriverUnavailable, "Server service"},
		{2310, 0, core.ErrNotMounted, "no such share"},
		{2999, 0, nil, "net helpmsg 2999"},
	} {
		err := addError(s, tc.code, tc.parm)
		if tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("addError(%d, %d) = %v, want %v saying %q", tc.code, tc.parm, err, tc.want, tc.says)
		}
	}
	if err := shareError("delete", "data", 2310); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NERR_NetNameNotFound: %v, want fs.ErrNotExist", err)
	}
}

// TestAddRemoveForReal calls NetShareAdd, NetShareGetInfo and
// NetShareDel. Under Wine (no Server service) NetShareAdd answers
// ERROR_NOT_SUPPORTED and the error must say so; on Windows an
// administrator gets the share and removes it, anyone else is refused
// with ErrMountPointAccess.
func TestAddRemoveForReal(t *testing.T) {
	dir, err := os.MkdirTemp("", "netshare-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	name := fmt.Sprintf("plugfs-test-%d$", os.Getpid())
	err = Add(Share{Name: name, Path: dir, Remark: "plugfs test", Access: ReadOnly})
	switch {
	case underWine():
		if !errors.Is(err, core.ErrDriverUnavailable) || !errors.Is(err, windows.ERROR_NOT_SUPPORTED) || !strings.Contains(err.Error(), "Server service") {
			t.Fatalf("Add under Wine = %v, want ErrDriverUnavailable wrapping ERROR_NOT_SUPPORTED", err)
		}
		t.Logf("Wine: %v", err)
	case errors.Is(err, core.ErrMountPointAccess):
		t.Logf("not an administrator: %v", err)
	case err != nil:
		t.Fatal(err)
	default:
		if p, err := Path(name); err != nil || !samePath(p, dir) {
			t.Fatalf("Path(%s) = %q, %v; want %s", name, p, err, dir)
		}
		if err := Remove(name, dir+`\other`); !errors.Is(err, core.ErrNotMounted) {
			t.Fatalf("Remove with another path = %v, want ErrNotMounted", err)
		}
		if err := Remove(name, dir); err != nil {
			t.Fatal(err)
		}
	}
	// The share does not exist (any more): nothing to read, nothing
	// deleted.
	if _, err := Path(name); !errors.Is(err, core.ErrNotMounted) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Path of a missing share = %v, want ErrNotMounted and fs.ErrNotExist", err)
	}
	if err := Remove(name, dir); !errors.Is(err, core.ErrNotMounted) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove of a missing share = %v, want ErrNotMounted and fs.ErrNotExist", err)
	}
}

func TestSamePath(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`Z:\`, `z:\`, true}, {`C:\Data\`, `c:\data`, true}, {`C:\Data`, `C:\Data2`, false}, {`Z:\`, `Z:`, false},
	} {
		if got := samePath(tc.a, tc.b); got != tc.want {
			t.Errorf("samePath(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
