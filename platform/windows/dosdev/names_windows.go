//go:build windows

package dosdev

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/plugfs/plugfs/core"
)

// maxName is the longest device name accepted, in characters: the object
// manager limits a name component to 32767 UTF-16 units, but a DOS device
// name is a short link name; MAX_PATH is generous.
const maxName = 260

// checkName reports whether name can be a DOS device name: not empty, no
// NUL, no forward slash, no leading or trailing backslash (the API puts
// \??\ in front of it), and a two-character "X:" name names a letter.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty DOS device name: give a drive letter such as Z:", core.ErrMountPointInvalid)
	case len(name) > maxName:
		return fmt.Errorf("%w: DOS device name of %d bytes: use at most %d", core.ErrMountPointInvalid, len(name), maxName)
	case strings.ContainsAny(name, "\x00/"):
		return fmt.Errorf("%w: DOS device name %q contains NUL or '/': use a drive letter such as Z: or a plain name", core.ErrMountPointInvalid, name)
	case name[0] == '\\' || name[len(name)-1] == '\\':
		return fmt.Errorf("%w: DOS device name %q starts or ends with '\\': give Z:, not \\\\.\\Z: or Z:\\", core.ErrMountPointInvalid, name)
	case len(name) == 2 && name[1] == ':' && !isLetter(name[0]):
		return fmt.Errorf("%w: drive letter %q: use A: to Z:", core.ErrMountPointInvalid, name)
	}
	return nil
}

// checkTarget reports whether target can be the target of a definition.
func checkTarget(target string) error {
	if target == "" || strings.ContainsRune(target, 0) {
		return fmt.Errorf("%w: DOS device target %q is empty or contains NUL: give an NT path such as \\Device\\WinFsp.Disk\\Volume1", core.ErrMountPointInvalid, target)
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// LetterName returns the DOS device name of a drive letter: 'z' → "Z:".
func LetterName(letter byte) string {
	if letter >= 'a' && letter <= 'z' {
		letter -= 'a' - 'A'
	}
	return string([]byte{letter, ':'})
}

// parseMultiSz splits a REG_MULTI_SZ style buffer (strings each ended by
// NUL, the list ended by an empty string) into its strings. A missing
// final terminator is tolerated: the last string then runs to the end.
func parseMultiSz(buf []uint16) []string {
	var out []string
	start := 0
	for i, c := range buf {
		if c != 0 {
			continue
		}
		if i == start { // empty string: end of list
			return out
		}
		out = append(out, utf16String(buf[start:i]))
		start = i + 1
	}
	if start < len(buf) {
		out = append(out, utf16String(buf[start:]))
	}
	return out
}

func utf16String(s []uint16) string { return string(utf16.Decode(s)) }

// ntForm returns the NT path DefineDosDevice stores for target when
// DDD_RAW_TARGET_PATH is not given: \??\ and the full DOS path, with
// \\server\share as \??\UNC\server\share.
func ntForm(target string) string {
	full := fullPath(target)
	switch {
	case strings.HasPrefix(full, `\\?\`), strings.HasPrefix(full, `\\.\`):
		return `\??\` + full[4:]
	case strings.HasPrefix(full, `\\`):
		return `\??\UNC\` + full[2:]
	}
	return `\??\` + full
}
