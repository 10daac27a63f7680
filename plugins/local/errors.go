package local

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/plugfs/plugfs/sdk"
)

// pathErr turns an OS error into an *sdk.Error naming the operation and the
// volume path, so errors.Is matches the sdk sentinels in process and the
// code survives the wire. An escape refused by os.Root becomes
// ErrCrossDevice, like openat2's EXDEV. Errors that already carry a code pass unchanged.
func pathErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var se *sdk.Error
	if errors.As(err, &se) {
		return err
	}
	code := sdk.CodeOf(err)
	if code == sdk.CodeIO && strings.Contains(err.Error(), "path escapes from parent") {
		// os.Root's refusal has no exported value; give it the code
		// openat2 gives the same attempt (EXDEV).
		code = sdk.CodeCrossDevice
	}
	return sdk.NewError(code, (&fs.PathError{Op: "local: " + op, Path: p, Err: err}).Error())
}

// rel checks a volume path and turns it into a path relative to the root
// ("." for "/"). The host sends cleaned paths; anything else (a "..", ".",
// empty element, NUL, relative path) is refused with ErrInvalid rather than
// trusted, because a final ".." given to an *at call would name the root's
// parent.
func rel(p string) (string, error) {
	if p == "/" {
		return ".", nil
	}
	if !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("local: path %q: %w", p, sdk.ErrInvalid)
	}
	r := p[1:]
	for _, e := range strings.Split(r, "/") {
		if e == "" || e == "." || e == ".." {
			return "", fmt.Errorf("local: path %q: not clean: %w", p, sdk.ErrInvalid)
		}
	}
	return r, nil
}

// split returns the parent (relative to the root) and last element of the
// volume path p; the root itself is ".", ".".
func split(p string) (dir, name string, err error) {
	r, err := rel(p)
	if err != nil || r == "." {
		return ".", ".", err
	}
	i := strings.LastIndexByte(r, '/')
	if i < 0 {
		return ".", r, nil
	}
	return r[:i], r[i+1:], nil
}
