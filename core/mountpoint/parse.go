package mountpoint

import (
	"fmt"
	"strings"

	"github.com/plugfs/plugfs/core"
)

// Parse reads a mounting point as a user writes it (see the package
// comment for the forms) and applies flags and authID. The result is
// normalised and validated.
func Parse(text string, flags Flags, authID uint64) (Spec, error) {
	s, err := parseShape(strings.TrimSpace(text))
	if err != nil {
		return Spec{}, err
	}
	s.Flags |= flags
	s.AuthID = authID
	s = s.Normalize()
	if err := s.Validate(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{core.ErrMountPointInvalid}, args...)...)
}

func parseShape(t string) (Spec, error) {
	switch {
	case t == "":
		return Spec{}, invalid("empty mounting point: give a directory, a drive letter (Z:), * for any free letter, \\\\.\\Name or Local;Server;Share")
	case t == "*":
		return Spec{Kind: KindAutoDrive}, nil
	case strings.Contains(t, ";"):
		return parseNetwork(t)
	case strings.HasPrefix(t, `\\.\`):
		name := t[len(`\\.\`):]
		if err := checkName("UNC name", name); err != nil {
			return Spec{}, err
		}
		return Spec{Kind: KindUNC, Name: name}, nil
	case strings.HasPrefix(t, `\\`):
		return Spec{}, invalid("%q: a UNC mounting point is written \\\\.\\Name; for a share on a server use Local;Server;Share", t)
	}
	if l, ok := driveLetter(t); ok {
		return Spec{Kind: KindDrive, Letter: l}, nil
	}
	if len(t) >= 3 && isLetter(t[0]) && t[1] == ':' && (t[2] == '\\' || t[2] == '/') {
		return Spec{Kind: KindFolder, Path: strings.ReplaceAll(t, "/", `\`), Flags: MountManager}, nil
	}
	if looksLikeDrive(t) {
		return Spec{}, invalid("%q: a drive letter is one letter and a colon (Z:); a folder is an absolute path (C:\\Mounts\\Data)", t)
	}
	return Spec{Kind: KindDirectory, Path: t}, nil
}

func parseNetwork(t string) (Spec, error) {
	parts := strings.Split(t, ";")
	if len(parts) != 3 {
		return Spec{}, invalid("%q: a network mounting point has three parts, Local;Server;Share (Local and Server may be empty)", t)
	}
	s := Spec{Kind: KindNetwork, Server: parts[1], Share: parts[2], Flags: Network}
	local := parts[0]
	switch {
	case local == "":
	case strings.HasPrefix(local, `\\.\`):
		s.Name = local[len(`\\.\`):]
		if err := checkName("UNC name in the Local part", s.Name); err != nil {
			return Spec{}, err
		}
	default:
		l, ok := driveLetter(local)
		if !ok {
			return Spec{}, invalid("%q: the Local part must be empty, a drive letter (Y:) or a UNC name (\\\\.\\Name)", local)
		}
		s.Letter = l
	}
	if s.Server != "" {
		if err := checkName("server name", s.Server); err != nil {
			return Spec{}, err
		}
	}
	if err := checkName("share name", s.Share); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// driveLetter accepts "z:", "Z:", "Z:\" and "Z:/" and returns 'Z'.
func driveLetter(t string) (byte, bool) {
	if len(t) < 2 || len(t) > 3 || !isLetter(t[0]) || t[1] != ':' {
		return 0, false
	}
	if len(t) == 3 && t[2] != '\\' && t[2] != '/' {
		return 0, false
	}
	return upper(t[0]), true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// checkName refuses empty names and characters Windows does not allow in
// device, server and share names.
func checkName(what, n string) error {
	if n == "" {
		return invalid("the %s is empty", what)
	}
	if len(n) > 80 {
		return invalid("the %s %q is longer than 80 characters", what, n)
	}
	if i := strings.IndexAny(n, `\/:*?"<>|;`); i >= 0 {
		return invalid("the %s %q contains %q, which Windows does not allow there", what, n, n[i])
	}
	for _, c := range n {
		if c < 0x20 {
			return invalid("the %s %q contains a control character", what, n)
		}
	}
	return nil
}

// looksLikeDrive reports a mistyped drive letter: "ZZ:", "Z:x".
func looksLikeDrive(t string) bool {
	if len(t) >= 2 && isLetter(t[0]) && t[1] == ':' {
		return true
	}
	if len(t) > 4 || !strings.HasSuffix(t, ":") {
		return false
	}
	for i := 0; i < len(t)-1; i++ {
		if !isLetter(t[i]) {
			return false
		}
	}
	return true
}
