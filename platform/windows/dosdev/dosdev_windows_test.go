//go:build windows

package dosdev

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
)

func TestParseMultiSz(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", nil},
		{"\x00\x00", nil},
		{`\Device\A` + "\x00\x00", []string{`\Device\A`}},
		{`\Device\A` + "\x00" + `\??\C:\x` + "\x00\x00", []string{`\Device\A`, `\??\C:\x`}},
		{"a\x00b\x00\x00c\x00", []string{"a", "b"}}, // stops at the empty string
		{"a\x00b", []string{"a", "b"}},              // no final terminator
		{"é€\x00", []string{"é€"}},
	} {
		if got := parseMultiSz(utf16.Encode([]rune(tc.in))); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseMultiSz(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Z:", true}, {"a:", true}, {"PLUGFS1", true},
		{`GLOBALROOT\Sessions\0\DosDevices\00000000-0000abcd\Z:`, true},
		{"", false}, {"1:", false}, {`\Z:`, false}, {`Z:\`, false},
		{"Z:/", false}, {"Z\x00:", false}, {strings.Repeat("x", maxName+1), false},
	} {
		err := checkName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("checkName(%q) = %v, not ErrMountPointInvalid", tc.name, err)
		}
	}
	if err := checkTarget(""); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("checkTarget(\"\") = %v", err)
	}
}

func TestLetterName(t *testing.T) {
	for in, want := range map[byte]string{'z': "Z:", 'Z': "Z:", 'c': "C:", 'A': "A:"} {
		if got := LetterName(in); got != want {
			t.Errorf("LetterName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNTForm(t *testing.T) {
	for in, want := range map[string]string{
		`C:\plugfs\x`:       `\??\C:\plugfs\x`,
		`C:\plugfs\..\y`:    `\??\C:\y`,
		`\\server\share\d`:  `\??\UNC\server\share\d`,
		`\\?\C:\plugfs\raw`: `\??\C:\plugfs\raw`,
	} {
		if got := ntForm(in); got != want {
			t.Errorf("ntForm(%q) = %q, want %q", in, got, want)
		}
	}
}

// underWine reports whether the test runs under Wine, whose ntdll
// exports wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// freeLetter picks a letter no drive uses, as the engine will.
func freeLetter(t *testing.T) string {
	t.Helper()
	used, err := UsedLetters()
	if err != nil {
		t.Fatal(err)
	}
	l, err := mountpoint.ChooseLetter(func(l byte) bool { return used[l] })
	if err != nil {
		t.Fatal(err)
	}
	return LetterName(l)
}

func TestDefineQueryRemoveRaw(t *testing.T) {
	name := freeLetter(t)
	target := fmt.Sprintf(`\Device\PlugfsTest%d`, os.Getpid())
	if _, err := Query(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Query(%s) before Define = %v, want fs.ErrNotExist", name, err)
	}
	if err := Define(name, target, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Remove(name, target) })

	got, err := Query(name)
	if err != nil || len(got) == 0 || got[0] != target {
		t.Fatalf("Query(%s) = %q, %v; want [%s]", name, got, err, target)
	}
	used, err := UsedLetters()
	if err != nil || !used[name[0]] {
		t.Fatalf("UsedLetters() = %v, %v; want %s in use", used, err, name)
	}
	if err := Define(name, target+"Other", true); !errors.Is(err, core.ErrMountPointBusy) || !strings.Contains(err.Error(), target) {
		t.Fatalf("second Define = %v, want ErrMountPointBusy naming %s", err, target)
	}
	// Someone else's mapping (another target) is never removed.
	if err := Remove(name, target+"Other"); !errors.Is(err, core.ErrNotMounted) {
		t.Fatalf("Remove(other target) = %v, want ErrNotMounted", err)
	}
	if got, err := Query(name); err != nil || len(got) == 0 || got[0] != target {
		t.Fatalf("after refused Remove: Query = %q, %v", got, err)
	}
	if err := Remove(name, target); err != nil {
		t.Fatal(err)
	}
	if got, err := Query(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Query after Remove = %q, %v; want fs.ErrNotExist", got, err)
	}
	if used, _ := UsedLetters(); used[name[0]] {
		t.Fatalf("%s still in use after Remove", name)
	}
	err = Remove(name, target)
	if !errors.Is(err, core.ErrNotMounted) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("second Remove = %v, want ErrNotMounted and fs.ErrNotExist", err)
	}
}

func TestDefineRemoveDOSPath(t *testing.T) {
	dir, err := os.MkdirTemp("", "dosdev-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	if err := os.WriteFile(dir+`\probe.txt`, []byte("plugfs"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir + `\probe.txt`) })

	name := freeLetter(t)
	if err := Define(name, dir, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Remove(name, dir) })
	got, err := Query(name)
	if err != nil || len(got) == 0 || !strings.EqualFold(got[0], `\??\`+dir) {
		t.Fatalf("Query(%s) = %q, %v; want [\\??\\%s]", name, got, err, dir)
	}
	// The letter really leads to the directory. Wine resolves drive
	// letters through its dosdevices directory, not through the object
	// manager link, so this only holds on Windows.
	if b, err := os.ReadFile(name + `\probe.txt`); underWine() {
		t.Logf("Wine: read through %s not checked (got %q, %v)", name, b, err)
	} else if err != nil || string(b) != "plugfs" {
		t.Fatalf("read through %s: %q, %v", name, b, err)
	}
	if err := Remove(name, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Query(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Query after Remove: %v", err)
	}
}

func TestDefineRefusesLetterInUse(t *testing.T) {
	before, err := Query("C:")
	if err != nil {
		t.Fatalf("Query(C:) = %v (the system drive should be defined)", err)
	}
	err = Define("C:", `\Device\PlugfsTest`, true)
	if !errors.Is(err, core.ErrMountPointBusy) || !strings.Contains(err.Error(), "choose another") {
		t.Fatalf("Define(C:) = %v, want ErrMountPointBusy with a hint", err)
	}
	if after, err := Query("C:"); err != nil || !reflect.DeepEqual(before, after) {
		t.Fatalf("C: changed: %q -> %q (%v)", before, after, err)
	}
	if err := Remove("C:", `\Device\PlugfsTest`); !errors.Is(err, core.ErrNotMounted) {
		t.Fatalf("Remove(C:, not ours) = %v, want ErrNotMounted", err)
	}
	if used, err := UsedLetters(); err != nil || !used['C'] {
		t.Fatalf("UsedLetters = %v, %v; want C in use", used, err)
	}
}

func TestInvalidArguments(t *testing.T) {
	for _, err := range []error{
		Define("", `\Device\X`, true),
		Define("Z:", "", true),
		Define(`Z:\`, `\Device\X`, true),
		Remove("9:", `\Device\X`),
		func() error { _, err := Query("a/b"); return err }(),
	} {
		if !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("got %v, want ErrMountPointInvalid", err)
		}
	}
}
