package memfs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Limits on extended attributes, as Linux sets them.
const (
	xattrNameMax  = 255
	xattrValueMax = 64 << 10
)

// xattrNode resolves p for an xattr operation on attribute name.
func (f *FS) xattrNode(op, p, name string) (*inode, error) {
	if name == "" {
		return nil, pathErr(op, p, fmt.Errorf("empty attribute name: %w", sdk.ErrInvalid))
	}
	if len(name) > xattrNameMax {
		return nil, pathErr(op, p, fmt.Errorf("attribute name longer than %d bytes: %w", xattrNameMax, sdk.ErrRange))
	}
	n, err := f.stat(p)
	if err != nil {
		return nil, pathErr(op, p, err)
	}
	return n, nil
}

// GetXattr implements sdk.Xattrer.
func (f *FS) GetXattr(ctx context.Context, p, name string) ([]byte, error) {
	n, err := f.xattrNode("getxattr", p, name)
	if err != nil {
		return nil, err
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	v, ok := n.xattrs[name]
	if !ok {
		return nil, pathErr("getxattr", p, fmt.Errorf("%s: %w", name, sdk.ErrNoAttr))
	}
	return slices.Clone(v), nil
}

// xattrNamespaces are the namespaces Linux defines; others are refused
// with ErrNotSupported, as Linux file systems do.
var xattrNamespaces = []string{"user.", "trusted.", "security.", "system."}

// SetXattr implements sdk.Xattrer for the Linux namespaces.
func (f *FS) SetXattr(ctx context.Context, p, name string, value []byte, flags sdk.XattrFlags) error {
	if flags&^(sdk.XattrCreate|sdk.XattrReplace) != 0 || flags == sdk.XattrCreate|sdk.XattrReplace {
		return pathErr("setxattr", p, fmt.Errorf("flags %#x: %w", flags, sdk.ErrInvalid))
	}
	if len(value) > xattrValueMax {
		return pathErr("setxattr", p, fmt.Errorf("value longer than %d bytes: %w", xattrValueMax, sdk.ErrRange))
	}
	n, err := f.xattrNode("setxattr", p, name)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(xattrNamespaces, func(ns string) bool { return strings.HasPrefix(name, ns) && len(name) > len(ns) }) {
		return pathErr("setxattr", p, fmt.Errorf("%s: namespace not supported: %w", name, sdk.ErrNotSupported))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	_, exists := n.xattrs[name]
	switch {
	case exists && flags&sdk.XattrCreate != 0:
		return pathErr("setxattr", p, fmt.Errorf("%s: %w", name, sdk.ErrExist))
	case !exists && flags&sdk.XattrReplace != 0:
		return pathErr("setxattr", p, fmt.Errorf("%s: %w", name, sdk.ErrNoAttr))
	}
	if n.xattrs == nil {
		n.xattrs = make(map[string][]byte)
	}
	n.xattrs[name] = append([]byte{}, value...)
	n.ctime = time.Now()
	return nil
}

// ListXattr implements sdk.Xattrer; names come sorted.
func (f *FS) ListXattr(ctx context.Context, p string) ([]string, error) {
	n, err := f.stat(p)
	if err != nil {
		return nil, pathErr("listxattr", p, err)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	names := make([]string, 0, len(n.xattrs))
	for k := range n.xattrs {
		names = append(names, k)
	}
	slices.Sort(names)
	return names, nil
}

// RemoveXattr implements sdk.Xattrer.
func (f *FS) RemoveXattr(ctx context.Context, p, name string) error {
	n, err := f.xattrNode("removexattr", p, name)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.xattrs[name]; !ok {
		return pathErr("removexattr", p, fmt.Errorf("%s: %w", name, sdk.ErrNoAttr))
	}
	delete(n.xattrs, name)
	n.ctime = time.Now()
	return nil
}
