package sdk

import (
	"context"
	"errors"
	"io/fs"
)

// Code is a portable error code. Codes travel across the plugin boundary and
// are mapped once per platform to errno (Linux, macOS) or NTSTATUS (Windows).
// The numeric values are part of the wire protocol: never renumber them.
type Code uint32

// Portable error codes. CodeOK means no error.
const (
	CodeOK           Code = 0
	CodeIO           Code = 1  // EIO: an I/O or unexpected plugin failure
	CodeNotExist     Code = 2  // ENOENT
	CodeExist        Code = 3  // EEXIST
	CodePermission   Code = 4  // EACCES: permission bits deny access
	CodeNotPermitted Code = 5  // EPERM: operation not permitted for this caller
	CodeInvalid      Code = 6  // EINVAL
	CodeNotDir       Code = 7  // ENOTDIR
	CodeIsDir        Code = 8  // EISDIR
	CodeNotEmpty     Code = 9  // ENOTEMPTY
	CodeNoSpace      Code = 10 // ENOSPC
	CodeNotSupported Code = 11 // ENOTSUP / EOPNOTSUPP / ENOSYS
	CodeNameTooLong  Code = 12 // ENAMETOOLONG
	CodeNoAttr       Code = 13 // ENODATA / ENOATTR
	CodeCrossDevice  Code = 14 // EXDEV
	CodeReadOnly     Code = 15 // EROFS
	CodeBadHandle    Code = 16 // EBADF
	CodeTooManyLinks Code = 17 // EMLINK
	CodeLoop         Code = 18 // ELOOP
	CodeRange        Code = 19 // ERANGE: buffer too small (xattrs)
	CodeFileTooBig   Code = 20 // EFBIG
	CodeBusy         Code = 21 // EBUSY
	CodeStale        Code = 22 // ESTALE: handle from an older plugin generation
	CodeUnavailable  Code = 23 // plugin not reachable (crashed, restarting): EIO to the kernel
	CodeTimeout      Code = 24 // operation deadline exceeded: EIO to the kernel (ETIMEDOUT is not expected by programs)
	CodeCanceled     Code = 25 // EINTR: the caller gave up (kernel interrupt)
	CodeNoSys        Code = 26 // ENOSYS: the plugin does not implement the operation
)

// Portable error values. Where io/fs has an equivalent it is that value, so
// errors.Is(err, fs.ErrNotExist) and errors.Is(err, sdk.ErrNotExist) agree.
// Return these (wrapped with %w as you like) from a FileSystem; they reach the
// host, and the kernel, as the matching code.
var (
	ErrIO           = errors.New("input/output error")
	ErrNotExist     = fs.ErrNotExist
	ErrExist        = fs.ErrExist
	ErrPermission   = fs.ErrPermission
	ErrNotPermitted = errors.New("operation not permitted")
	ErrInvalid      = fs.ErrInvalid
	ErrNotDir       = errors.New("not a directory")
	ErrIsDir        = errors.New("is a directory")
	ErrNotEmpty     = errors.New("directory not empty")
	ErrNoSpace      = errors.New("no space left on device")
	ErrNotSupported = errors.New("operation not supported")
	ErrNameTooLong  = errors.New("file name too long")
	ErrNoAttr       = errors.New("no such attribute")
	ErrCrossDevice  = errors.New("cross-device link")
	ErrReadOnly     = errors.New("read-only file system")
	ErrBadHandle    = errors.New("bad file handle")
	ErrTooManyLinks = errors.New("too many links")
	ErrLoop         = errors.New("too many levels of symbolic links")
	ErrRange        = errors.New("result too large for buffer")
	ErrFileTooBig   = errors.New("file too large")
	ErrBusy         = errors.New("device or resource busy")
	ErrStale        = errors.New("stale file handle")
	ErrUnavailable  = errors.New("plugin unavailable")
	ErrTimeout      = errors.New("plugin operation timed out")
	ErrCanceled     = errors.New("operation canceled")
	ErrNoSys        = errors.New("function not implemented")
)

// codeTable lists every code with its sentinel, in the order CodeOf tries them.
var codeTable = []struct {
	code Code
	err  error
}{
	{CodeNotExist, ErrNotExist},
	{CodeExist, ErrExist},
	{CodePermission, ErrPermission},
	{CodeNotPermitted, ErrNotPermitted},
	{CodeInvalid, ErrInvalid},
	{CodeNotDir, ErrNotDir},
	{CodeIsDir, ErrIsDir},
	{CodeNotEmpty, ErrNotEmpty},
	{CodeNoSpace, ErrNoSpace},
	{CodeNotSupported, ErrNotSupported},
	{CodeNameTooLong, ErrNameTooLong},
	{CodeNoAttr, ErrNoAttr},
	{CodeCrossDevice, ErrCrossDevice},
	{CodeReadOnly, ErrReadOnly},
	{CodeBadHandle, ErrBadHandle},
	{CodeTooManyLinks, ErrTooManyLinks},
	{CodeLoop, ErrLoop},
	{CodeRange, ErrRange},
	{CodeFileTooBig, ErrFileTooBig},
	{CodeBusy, ErrBusy},
	{CodeStale, ErrStale},
	{CodeUnavailable, ErrUnavailable},
	{CodeTimeout, ErrTimeout},
	{CodeCanceled, ErrCanceled},
	{CodeNoSys, ErrNoSys},
	{CodeIO, ErrIO},
}

// Sentinel returns the error value for code, or nil for CodeOK. Unknown codes
// (from a newer peer) map to ErrIO.
func (c Code) Sentinel() error {
	if c == CodeOK {
		return nil
	}
	for _, e := range codeTable {
		if e.code == c {
			return e.err
		}
	}
	return ErrIO
}

// String returns the code's sentinel message.
func (c Code) String() string {
	if c == CodeOK {
		return "ok"
	}
	return c.Sentinel().Error()
}

// CodeOf returns the portable code of err: CodeOK for nil, the code of the
// first matching sentinel, the code of a platform error number (for errors
// from the os package), CodeTimeout/CodeCanceled for context errors, and
// CodeIO for anything else.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	if c, ok := platformCode(err); ok {
		return c
	}
	for _, e := range codeTable {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	}
	return CodeIO
}

// Error is an error with a portable code and a message. It is what errors
// received from the other side of the plugin boundary look like; errors.Is
// matches it against the code's sentinel.
type Error struct {
	Code Code
	Msg  string
}

// NewError returns an *Error with code and message msg.
func NewError(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Error returns the message, or the code's text when the message is empty.
func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Code.String()
	}
	return e.Msg
}

// Unwrap returns the code's sentinel, so errors.Is(err, sdk.ErrNotEmpty) and
// errors.Is(err, fs.ErrNotExist) work.
func (e *Error) Unwrap() error { return e.Code.Sentinel() }
