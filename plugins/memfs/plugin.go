package memfs

import (
	"context"
	"fmt"
	"strconv"

	"github.com/plugfs/plugfs/sdk"
)

// Plugin returns memfs as a plugin for sdk.Serve. Its options are size (the
// most bytes of file content to store, with K, M, G or T suffixes; 0 for no
// limit) and mode (the root directory's octal permissions, 0755 by default).
func Plugin() *sdk.Plugin {
	return &sdk.Plugin{
		Name:        "memfs",
		Version:     "1.0.0",
		Description: "in-memory POSIX file system; contents vanish when it stops",
		Options: []sdk.Option{
			{Name: "size", Default: "0", Help: "most bytes of file content to keep, e.g. 512M or 2G; 0 means no limit"},
			{Name: "mode", Default: "0755", Help: "octal permissions of the root directory, e.g. 0755 or 1777"},
		},
		New: func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) {
			opts, err := parseOptions(o)
			if err != nil {
				return nil, err
			}
			return New(opts...), nil
		},
	}
}

// parseOptions turns validated plugin options into New's options.
func parseOptions(o sdk.Options) ([]Option, error) {
	size, err := o.Int("size")
	if err != nil {
		return nil, fmt.Errorf("memfs: %w", err)
	}
	ms := o.String("mode")
	if ms == "" {
		ms = "0755"
	}
	m, err := strconv.ParseUint(ms, 8, 32)
	if err != nil || m > 0o7777 {
		return nil, fmt.Errorf("memfs: option mode=%q: want octal permission bits between 0 and 7777, such as 0755 or 1777: %w", ms, sdk.ErrInvalid)
	}
	return []Option{WithSize(size), WithRootMode(sdk.ModeFromPOSIX(uint32(m)))}, nil
}
