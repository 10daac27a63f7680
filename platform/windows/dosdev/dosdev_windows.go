//go:build windows

package dosdev

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

// maxQuery bounds the QueryDosDevice buffer, in UTF-16 units.
const maxQuery = 1 << 20

// Define makes name (a drive letter such as "Z:", or another DOS device
// name) point at target. With raw, target is an NT path used as is
// (\Device\WinFsp.Disk\Volume1); without, it is a DOS path that Windows
// turns into \??\<full path>.
//
// A name that is already defined is refused with core.ErrMountPointBusy:
// DefineDosDevice would stack the new target over the old one and hide
// it. (The check and the definition are two steps; two processes racing
// for one letter can still both succeed on Windows.) A malformed name
// wraps core.ErrMountPointInvalid, a refusal by the system
// core.ErrMountPointAccess.
func Define(name, target string, raw bool) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkTarget(target); err != nil {
		return err
	}
	if cur, err := Query(name); err == nil && len(cur) > 0 {
		return fmt.Errorf("%w: %s already maps to %s: choose another drive letter (or * for a free one), or unmount what uses it", core.ErrMountPointBusy, name, strings.Join(cur, ", "))
	}
	if len(name) == 2 && name[1] == ':' {
		if mask, err := windows.GetLogicalDrives(); err == nil && mask&(1<<(upper(name[0])-'A')) != 0 {
			return fmt.Errorf("%w: drive %s is in use: choose another drive letter (or * for a free one)", core.ErrMountPointBusy, name)
		}
	}
	var flags uint32
	if raw {
		flags |= windows.DDD_RAW_TARGET_PATH
	}
	if err := define(flags, name, target); err != nil {
		return fmt.Errorf("define %s -> %s: %w", name, target, err)
	}
	return nil
}

// Remove deletes the definition of name that points at target, and only
// that one. target is matched as QueryDosDevice reports it (the raw NT
// path given to Define with raw) or, failing that, as the NT form of a
// DOS path (what Define without raw stored). If name is not defined, or
// points elsewhere, Remove deletes nothing and returns an error wrapping
// core.ErrNotMounted (and, when name is not defined at all, fs.ErrNotExist).
func Remove(name, target string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkTarget(target); err != nil {
		return err
	}
	cur, err := Query(name)
	if err != nil {
		return fmt.Errorf("%w: remove %s -> %s: not defined: %w", core.ErrNotMounted, name, target, err)
	}
	stored := ""
	for _, want := range []string{target, ntForm(target)} {
		for _, c := range cur {
			if strings.EqualFold(c, want) {
				stored = c
				break
			}
		}
		if stored != "" {
			break
		}
	}
	if stored == "" {
		return fmt.Errorf("%w: %s maps to %s, not to %s: left alone", core.ErrNotMounted, name, strings.Join(cur, ", "), target)
	}
	flags := uint32(windows.DDD_REMOVE_DEFINITION | windows.DDD_EXACT_MATCH_ON_REMOVE | windows.DDD_RAW_TARGET_PATH)
	if err := define(flags, name, stored); err != nil {
		return fmt.Errorf("remove %s -> %s: %w", name, stored, err)
	}
	return nil
}

// Query returns the targets name points at, most recent definition first.
// A name that is not defined gives an error that satisfies
// errors.Is(err, fs.ErrNotExist).
func Query(name string) ([]string, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, name, err)
	}
	for size := 512; ; size *= 2 {
		buf := make([]uint16, size)
		n, err := windows.QueryDosDevice(p, &buf[0], uint32(len(buf)))
		if (errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || errors.Is(err, windows.ERROR_MORE_DATA)) && size < maxQuery {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("query DOS device %s: %w", name, err)
		}
		if int(n) > len(buf) {
			n = uint32(len(buf))
		}
		return parseMultiSz(buf[:n]), nil
	}
}

// UsedLetters returns the drive letters in use (upper case, A to Z) as
// the keys of a set: those GetLogicalDrives reports, and those
// QueryDosDevice finds defined in the caller's device map (a letter
// defined without a volume behind it, which GetLogicalDrives may omit).
// Pass it to core/mountpoint.ChooseLetter as
// func(l byte) bool { return used[l] }.
func UsedLetters() (map[byte]bool, error) {
	mask, err := windows.GetLogicalDrives()
	if err != nil {
		return nil, fmt.Errorf("list drive letters: %w", err)
	}
	used := make(map[byte]bool)
	for l := byte('A'); l <= 'Z'; l++ {
		if mask&(1<<(l-'A')) != 0 {
			used[l] = true
			continue
		}
		if t, err := Query(LetterName(l)); err == nil && len(t) > 0 {
			used[l] = true
		}
	}
	return used, nil
}

// define calls DefineDosDevice and maps access errors to
// core.ErrMountPointAccess.
func define(flags uint32, name, target string) error {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, name, err)
	}
	t, err := windows.UTF16PtrFromString(target)
	if err != nil {
		return fmt.Errorf("%w: %q: %w", core.ErrMountPointInvalid, target, err)
	}
	err = windows.DefineDosDevice(flags, n, t)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PRIVILEGE_NOT_HELD) {
		return fmt.Errorf("%w: %w: a global or other-session name needs administrator rights (run elevated, or as the LocalSystem service)", core.ErrMountPointAccess, err)
	}
	return err
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// fullPath returns the absolute form of a DOS path, or p itself when
// GetFullPathName fails.
func fullPath(p string) string {
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return p
	}
	buf := make([]uint16, windows.MAX_PATH)
	for {
		n, err := windows.GetFullPathName(u, uint32(len(buf)), &buf[0], nil)
		if err != nil || n == 0 {
			return p
		}
		if int(n) < len(buf) {
			return windows.UTF16ToString(buf[:n])
		}
		buf = make([]uint16, n)
	}
}
