//go:build windows

package mountmgr

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/plugfs/plugfs/core"
)

// TestEncodeMountPointReparseBytes pins the REPARSE_DATA_BUFFER layout
// byte for byte: tag, data length, the four USHORTs, then both names
// NUL-terminated in UTF-16LE.
func TestEncodeMountPointReparseBytes(t *testing.T) {
	got, err := EncodeMountPointReparse(`\D\V\`, `P`)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x03, 0x00, 0x00, 0xA0, // IO_REPARSE_TAG_MOUNT_POINT
		0x18, 0x00, // ReparseDataLength: 8 + 16 bytes of PathBuffer
		0x00, 0x00, // Reserved
		0x00, 0x00, // SubstituteNameOffset
		0x0A, 0x00, // SubstituteNameLength: 5 characters
		0x0C, 0x00, // PrintNameOffset: after the substitute name and its NUL
		0x02, 0x00, // PrintNameLength
		'\\', 0, 'D', 0, '\\', 0, 'V', 0, '\\', 0, 0, 0,
		'P', 0, 0, 0,
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeMountPointReparse =\n% x\nwant\n% x", got, want)
	}
	sub, pr, err := DecodeMountPointReparse(want)
	if err != nil || sub != `\D\V\` || pr != "P" {
		t.Fatalf("DecodeMountPointReparse = %q, %q, %v", sub, pr, err)
	}
}

func TestMountPointReparseRoundTrip(t *testing.T) {
	for _, tc := range [][2]string{
		{`\Device\Volume{0f2c1b7e-3c3a-4b77-9d1e-2b6c0d9e8a11}\`, ""},
		{`\??\C:\target\`, `C:\target\`},
		{`\??\Volume{0f2c1b7e-3c3a-4b77-9d1e-2b6c0d9e8a11}\`, `Données é€`},
	} {
		b, err := EncodeMountPointReparse(tc[0], tc[1])
		if err != nil {
			t.Fatal(err)
		}
		sub, pr, err := DecodeMountPointReparse(b)
		if err != nil || sub != tc[0] || pr != tc[1] {
			t.Errorf("round trip of %q: %q, %q, %v", tc, sub, pr, err)
		}
	}
	if _, err := EncodeMountPointReparse("", "x"); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty substitute name: %v", err)
	}
}

// TestDecodeMountPointReparseMalformed: every truncation and every bad
// offset is an error, never a panic or a name read past the buffer.
func TestDecodeMountPointReparseMalformed(t *testing.T) {
	good, err := EncodeMountPointReparse(`\Device\Volume{x}\`, `p`)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(good); n++ {
		if _, _, err := DecodeMountPointReparse(good[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("truncated to %d bytes: %v", n, err)
		}
	}
	mutate := func(at int, v byte) []byte {
		b := bytes.Clone(good)
		b[at] = v
		return b
	}
	for name, b := range map[string][]byte{
		"symlink tag":           mutate(0, 0x0C),
		"data length too long":  mutate(4, 0xFF),
		"data length too short": mutate(4, 0x02),
		"odd substitute offset": mutate(8, 0x01),
		"substitute past end":   mutate(10, 0xF0),
		"print offset past end": mutate(12, 0xF0),
		"odd print length":      mutate(14, 0x03),
	} {
		if _, _, err := DecodeMountPointReparse(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFolderTargetNotMountPoint runs FSCTL_GET_REPARSE_POINT for real:
// a plain directory is no mount point (ERROR_NOT_A_REPARSE_POINT, also
// under Wine), a missing one is missing. Wine 8 cannot create mount
// points (FSCTL_SET_REPARSE_POINT answers "request not supported"), so
// reading a real one back is only done on Windows.
func TestFolderTargetNotMountPoint(t *testing.T) {
	// Not t.TempDir: Go 1.26's RemoveAll uses calls Wine 8 lacks.
	dir, err := os.MkdirTemp("", "mountmgr-reparse-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	if _, err := FolderTarget(dir); !errors.Is(err, core.ErrNotMounted) {
		t.Errorf("FolderTarget(plain directory) = %v, want ErrNotMounted", err)
	}
	if _, err := FolderTarget(filepath.Join(dir, "absent")); !errors.Is(err, core.ErrMountPointMissing) {
		t.Errorf("FolderTarget(missing) = %v, want ErrMountPointMissing", err)
	}
	f := filepath.Join(dir, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f)
	if _, err := FolderTarget(f); !errors.Is(err, core.ErrNotMounted) {
		t.Errorf("FolderTarget(file) = %v, want ErrNotMounted", err)
	}
}
