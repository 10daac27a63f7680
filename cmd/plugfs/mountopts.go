package main

import (
	"fmt"
	"strings"

	"github.com/plugfs/plugfs/core"
)

// parsePluginOpts turns repeated --opt key=value flags into a map.
func parsePluginOpts(raw []string) (map[string]string, error) {
	out := make(map[string]string, len(raw))
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("malformed --opt %q: write --opt key=value (for example --opt root=/srv/data)", kv)}
		}
		if _, dup := out[k]; dup {
			return nil, usageError{fmt.Errorf("--opt %s given twice: give each plugin option once", k)}
		}
		out[k] = v
	}
	return out, nil
}

// parseMountOpts applies -o options (comma-separated, repeatable) to m.
// As root, a mount is open to every user by default, as a disk file system
// would be (the kernel still checks mode bits: default_permissions is on);
// "private" keeps it to the mounting user.
func parseMountOpts(raw []string, m *core.MountOptions, root bool) error {
	m.AllowOther = root
	private := false
	for _, group := range raw {
		for _, o := range strings.Split(group, ",") {
			o = strings.TrimSpace(o)
			k, v, hasValue := strings.Cut(o, "=")
			switch {
			case o == "":
			case o == "ro":
				m.ReadOnly = true
			case o == "rw":
				m.ReadOnly = false
			case o == "allow_other":
				m.AllowOther = true
			case o == "private":
				private = true
			case o == "default_permissions":
				m.DefaultPermissions = true
			case k == "fsname" && hasValue && v != "":
				m.FSName = v
			case k == "subtype" && hasValue && v != "":
				m.Subtype = v
			case k == "dataplane" && hasValue:
				dp, err := core.ParseDataPlane(v)
				if err != nil {
					return usageError{fmt.Errorf("mount option -o %s: %w", o, err)}
				}
				m.DataPlane = dp
			case o == "passthrough" || o == "passthrough=on":
				m.NoPassthrough = false
			case o == "nopassthrough" || o == "passthrough=off":
				m.NoPassthrough = true
			case k == "writeback" && hasValue:
				wb, err := core.ParseWriteback(v)
				if err != nil {
					return usageError{fmt.Errorf("mount option -o %s: %w", o, err)}
				}
				m.Writeback = wb
			case o == "readahead" || o == "readahead=on":
				m.ReadAhead, m.NoReadAhead = true, false
			case o == "noreadahead" || o == "readahead=off":
				m.ReadAhead, m.NoReadAhead = false, true
			case o == "readahead=auto":
				m.ReadAhead, m.NoReadAhead = false, false
			case o == "readdirplus" || o == "readdirplus=on":
				m.NoReadDirPlus = false
			case o == "noreaddirplus" || o == "readdirplus=off":
				m.NoReadDirPlus = true
			default:
				return usageError{fmt.Errorf("unknown mount option -o %q: known options are ro, rw, allow_other, private, default_permissions, fsname=NAME, subtype=NAME, dataplane=auto|shm|messages|grpc, passthrough=on|off, readdirplus=on|off, writeback=auto|on|off, readahead=auto|on|off", o)}
			}
		}
	}
	if private {
		m.AllowOther = false
	}
	if m.AllowOther {
		m.DefaultPermissions = true // others must meet the mode bits
	}
	return nil
}
