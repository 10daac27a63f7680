//go:build unix

package controlsock

import (
	"fmt"
	"os/user"
	"strconv"
)

// LookupGroup resolves the group named name ("" for none) in the group
// database.
func LookupGroup(name string) (Group, error) {
	if name == "" {
		return Group{}, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return Group{}, fmt.Errorf("socket group %q: %w", name, err)
	}
	if _, err := strconv.Atoi(g.Gid); err != nil {
		return Group{}, fmt.Errorf("socket group %q has gid %q", name, g.Gid)
	}
	return Group{Name: name, ID: g.Gid}, nil
}
