package mountpoint

import (
	"fmt"
	"strings"

	"github.com/plugfs/plugfs/core"
)

// Kind is the kind of a mounting point.
type Kind int

// Kinds of mounting points.
const (
	KindDirectory Kind = iota // an empty directory (Linux, macOS)
	KindDrive                 // a drive letter, "Z:"
	KindAutoDrive             // a drive letter the engine picks
	KindUNC                   // a UNC name, \\.\Name
	KindNetwork               // Local;Server;Share
	KindFolder                // a folder on NTFS, through the mount manager
)

func (k Kind) String() string {
	return [...]string{"directory", "drive", "auto-drive", "unc", "network", "folder"}[k]
}

// Flags modify a mounting point.
type Flags uint32

// Mounting-point flags.
const (
	// Local makes the point visible only in one logon session.
	Local Flags = 1 << iota
	// MountManager registers the volume with the Windows mount manager.
	MountManager
	// Network makes a network mounting point.
	Network
	// AllowMapAsDrive lets users map the network share to a drive letter.
	AllowMapAsDrive
	// Hidden hides the share (its name gets a trailing $).
	Hidden
	// ReadShare creates a real SMB share with read access.
	ReadShare
	// WriteShare creates a real SMB share with read-write access.
	WriteShare
	// ClaimServer claims the server name for this computer.
	ClaimServer
	// NotifyAsync returns without waiting for mount notifications.
	NotifyAsync
	// Global makes the point visible in every logon session. With
	// neither Global nor Local a point has the default scope, which the
	// driver settles when it mounts (see ResolveScope).
	Global
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{Local, "local"}, {Global, "global"}, {MountManager, "mount-manager"}, {Network, "network"},
	{AllowMapAsDrive, "allow-map-as-drive"}, {Hidden, "hidden"}, {ReadShare, "read-share"},
	{WriteShare, "write-share"}, {ClaimServer, "claim-server"}, {NotifyAsync, "notify-async"},
}

// noFlags is how String writes, and ParseFlags reads, no flags at all.
const noFlags = "none"

// String returns the flags as ParseFlags reads them: their names joined
// by commas, in a fixed order, or "none" for no flags. A list that names
// neither global nor local is a point of the default scope.
func (f Flags) String() string {
	var parts []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return noFlags
	}
	return strings.Join(parts, ",")
}

// ParseFlags parses a comma-separated list of flag names (as String
// prints them); "" and "none" are no flags.
func ParseFlags(s string) (Flags, error) {
	var f Flags
	if strings.TrimSpace(s) == noFlags {
		return 0, nil
	}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if p == noFlags {
			return 0, fmt.Errorf("%w: %q: none means no flags at all and cannot be combined with others: give none alone, or only the flags", core.ErrMountPointInvalid, s)
		}
		found := false
		for _, n := range flagNames {
			if n.name == p {
				f |= n.f
				found = true
			}
		}
		if !found {
			names := make([]string, len(flagNames))
			for i, n := range flagNames {
				names[i] = n.name
			}
			return 0, fmt.Errorf("%w: unknown flag %q (known: %s)", core.ErrMountPointInvalid, p, strings.Join(names, ", "))
		}
	}
	return f, nil
}

// Spec is one mounting point as requested.
type Spec struct {
	Kind Kind
	// Letter is the drive letter, upper case, for KindDrive, and for
	// KindNetwork when Local is a letter.
	Letter byte
	// Name is the UNC name (without \\.\) for KindUNC, and for KindNetwork
	// when Local is a UNC name.
	Name string
	// Server and Share are the network parts of KindNetwork.
	Server, Share string
	// Path is the directory or folder for KindDirectory and KindFolder.
	Path  string
	Flags Flags
	// AuthID is the logon session (AuthenticationId LUID) a Local point is
	// visible in; 0 means the caller's session.
	AuthID uint64
}

// String returns the spec in the form Parse reads.
func (s Spec) String() string {
	switch s.Kind {
	case KindDrive:
		return string(s.Letter) + ":"
	case KindAutoDrive:
		if s.Letter != 0 {
			return string(s.Letter) + ":"
		}
		return "*"
	case KindUNC:
		return `\\.\` + s.Name
	case KindNetwork:
		local := ""
		if s.Letter != 0 {
			local = string(s.Letter) + ":"
		} else if s.Name != "" {
			local = `\\.\` + s.Name
		}
		return local + ";" + s.Server + ";" + s.Share
	}
	return s.Path
}
