//go:build windows

package controlsock

import (
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
)

// LookupGroup resolves name ("" for none): a SID string (S-1-...) is
// taken as it is, anything else is looked up as an account name (local
// or DOMAIN\name) and must be a group.
func LookupGroup(name string) (Group, error) {
	if name == "" {
		return Group{}, nil
	}
	if isSIDString(strings.ToUpper(name)) {
		sid, err := windows.StringToSid(name)
		if err != nil {
			return Group{}, fmt.Errorf("socket group %q: %w", name, err)
		}
		return Group{Name: name, ID: sid.String()}, nil
	}
	sid, _, typ, err := windows.LookupSID("", name)
	if err != nil {
		return Group{}, fmt.Errorf("socket group %q: no such group on this machine: %w", name, err)
	}
	switch typ {
	case windows.SidTypeGroup, windows.SidTypeAlias, windows.SidTypeWellKnownGroup:
	default:
		return Group{}, fmt.Errorf("socket group %q is not a group (%s is account type %d): give a group name or its SID", name, sid, typ)
	}
	return Group{Name: name, ID: sid.String()}, nil
}
