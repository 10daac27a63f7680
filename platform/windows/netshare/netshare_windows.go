//go:build windows

package netshare

import (
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
)

var (
	netapi32            = windows.NewLazySystemDLL("netapi32.dll")
	procNetShareAdd     = netapi32.NewProc("NetShareAdd")
	procNetShareDel     = netapi32.NewProc("NetShareDel")
	procNetShareGetInfo = netapi32.NewProc("NetShareGetInfo")
)

// Add creates the share s on this computer (NetShareAdd, level 502).
// Errors wrap core.ErrMountPointBusy (the name is taken),
// core.ErrMountPointAccess (not an administrator),
// core.ErrMountPointMissing (the path does not exist),
// core.ErrDriverUnavailable (no Server service) or
// core.ErrMountPointInvalid, and say what to do.
func Add(s Share) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := procNetShareAdd.Find(); err != nil {
		return fmt.Errorf("%w: share %s: netapi32.dll has no NetShareAdd: %w", core.ErrDriverUnavailable, s.Name, err)
	}
	// One Go buffer holds the structure and everything it points to; its
	// address is known before encoding, and Go's heap does not move.
	ptrSize := int(unsafe.Sizeof(uintptr(0)))
	sized, err := Encode502(s, ptrSize, 0)
	if err != nil {
		return err
	}
	buf := make([]byte, len(sized))
	enc, err := Encode502(s, ptrSize, uint64(uintptr(unsafe.Pointer(&buf[0]))))
	if err != nil {
		return err
	}
	copy(buf, enc)
	var parmErr uint32
	r, _, _ := procNetShareAdd.Call(0, 502, uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&parmErr)))
	runtime.KeepAlive(buf)
	if r != 0 {
		return addError(s, uint32(r), parmErr)
	}
	return nil
}

// Path returns the local path the share name shares (NetShareGetInfo,
// level 2). A share that does not exist is an error wrapping
// core.ErrNotMounted and fs.ErrNotExist.
func Path(name string) (string, error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return "", fmt.Errorf("%w: share name %q: %w", core.ErrMountPointInvalid, name, err)
	}
	if err := procNetShareGetInfo.Find(); err != nil {
		return "", fmt.Errorf("%w: share %s: netapi32.dll has no NetShareGetInfo: %w", core.ErrDriverUnavailable, name, err)
	}
	var p *shareInfo2
	r, _, _ := procNetShareGetInfo.Call(0, uintptr(unsafe.Pointer(n)), 2, uintptr(unsafe.Pointer(&p)))
	if r != 0 {
		return "", shareError("look up", name, uint32(r))
	}
	defer windows.NetApiBufferFree((*byte)(unsafe.Pointer(p)))
	if p == nil || p.path == nil {
		return "", fmt.Errorf("share %s: NetShareGetInfo gave no path", name)
	}
	return windows.UTF16PtrToString(p.path), nil
}

// Remove deletes the share name if it still shares path (compared
// without case and trailing backslash); otherwise it deletes nothing and
// returns an error wrapping core.ErrNotMounted (and fs.ErrNotExist when
// the share does not exist at all).
func Remove(name, path string) error {
	cur, err := Path(name)
	if err != nil {
		return fmt.Errorf("remove share %s: %w", name, err)
	}
	if !samePath(cur, path) {
		return fmt.Errorf("%w: share %s shares %s, not %s: left alone", core.ErrNotMounted, name, cur, path)
	}
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return err
	}
	if r, _, _ := procNetShareDel.Call(0, uintptr(unsafe.Pointer(n)), 0); r != 0 {
		return shareError("delete", name, uint32(r))
	}
	return nil
}

// shareInfo2 is SHARE_INFO_2 as NetShareGetInfo returns it.
type shareInfo2 struct {
	netname     *uint16
	typ         uint32
	remark      *uint16
	permissions uint32
	maxUses     uint32
	currentUses uint32
	path        *uint16
	passwd      *uint16
}

func samePath(a, b string) bool {
	trim := func(p string) string {
		if len(p) > 3 {
			p = strings.TrimRight(p, `\`)
		}
		return p
	}
	return strings.EqualFold(trim(a), trim(b))
}

// Network management status codes (lmerr.h) and Win32 codes NetShare*
// answers with.
const (
	nerrServerNotStarted = 2114
	nerrUnknownDevDir    = 2116
	nerrDuplicateShare   = 2118
	nerrNetNameNotFound  = 2310
	rpcServerUnavailable = 1722
)

// parmNames are the SHARE_*_PARMNUM values a refused level-502 call
// names in parm_err.
var parmNames = map[uint32]string{
	1: "name", 3: "type", 4: "remark", 5: "permissions", 6: "max uses",
	8: "path", 9: "password", 501: "security descriptor",
}

// addError turns a NetShareAdd status into an error that says what to do.
func addError(s Share, code, parmErr uint32) error {
	errno := windows.Errno(code)
	switch code {
	case nerrDuplicateShare:
		return fmt.Errorf("%w: share %s already exists: choose another share name, or remove it (net share %s /delete)", core.ErrMountPointBusy, s.Name, s.Name)
	case nerrUnknownDevDir:
		return fmt.Errorf("%w: share %s: the path %s does not exist for the Server service (it must be a global path, not a drive letter of one logon session)", core.ErrMountPointMissing, s.Name, s.Path)
	case uint32(windows.ERROR_INVALID_PARAMETER), uint32(windows.ERROR_INVALID_NAME):
		what := parmNames[parmErr]
		if what == "" {
			what = fmt.Sprintf("parameter %d", parmErr)
		}
		return fmt.Errorf("%w: share %s: the Server service refused its %s (%w)", core.ErrMountPointInvalid, s.Name, what, errno)
	}
	return shareError("create", s.Name, code)
}

// shareError maps the status codes every NetShare call may answer.
func shareError(op, name string, code uint32) error {
	errno := windows.Errno(code)
	switch code {
	case uint32(windows.ERROR_ACCESS_DENIED):
		return fmt.Errorf("%w: %s share %s: %w: shares are managed by administrators: run elevated (or as LocalSystem)", core.ErrMountPointAccess, op, name, errno)
	case nerrNetNameNotFound:
		return fmt.Errorf("%w: %s share %s: no such share: %w", core.ErrNotMounted, op, name, fs.ErrNotExist)
	case nerrServerNotStarted, rpcServerUnavailable, uint32(windows.ERROR_NOT_SUPPORTED), uint32(windows.ERROR_CALL_NOT_IMPLEMENTED):
		return fmt.Errorf("%w: %s share %s: %w: this system has no running Server service to share with (start it: sc start LanmanServer; Wine has none); use Y:;Server;Share without read-share/write-share instead", core.ErrDriverUnavailable, op, name, errno)
	}
	return fmt.Errorf("%s share %s: %w", op, name, netError(code))
}

// netError names a network management status (2100..2999), which
// windows.Errno would print as an unknown Win32 error.
func netError(code uint32) error {
	if code >= 2100 && code < 3000 {
		return fmt.Errorf("network management error %d (net helpmsg %d)", code, code)
	}
	return windows.Errno(code)
}
