package sdk

import (
	"context"
	"errors"
	"math"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// ProtocolRevision is the revision of protocol version 1 this SDK speaks.
// Revisions only add messages, fields and RPCs; both sides announce theirs
// in Init and use the lower. Revision 2 added the file channel (file
// donation and shared memory), revision 3 the fast lane, revision 4
// descriptors on the fast lane.
const ProtocolRevision = 4

// noTime is the wire value of an unknown time (Go's zero time.Time). Zero
// on the wire is the epoch itself, which programs do set (touch -d @0).
const noTime = math.MinInt64

func timeToNs(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixNano()
}

func nsToTime(ns int64) time.Time {
	if ns == noTime {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func attrToWire(a Attr) *fsv1.Attr {
	return &fsv1.Attr{
		Ino: a.Ino, Size: a.Size, Blocks: a.Blocks, Mode: ModeToPOSIX(a.Mode),
		Nlink: a.Nlink, Uid: a.Uid, Gid: a.Gid, Rdev: a.Rdev,
		AtimeNs: timeToNs(a.Atime), MtimeNs: timeToNs(a.Mtime),
		CtimeNs: timeToNs(a.Ctime), BtimeNs: timeToNs(a.Btime),
	}
}

func attrFromWire(w *fsv1.Attr) Attr {
	if w == nil {
		return Attr{}
	}
	return Attr{
		Ino: w.Ino, Size: w.Size, Blocks: w.Blocks, Mode: ModeFromPOSIX(w.Mode),
		Nlink: w.Nlink, Uid: w.Uid, Gid: w.Gid, Rdev: w.Rdev,
		Atime: nsToTime(w.AtimeNs), Mtime: nsToTime(w.MtimeNs),
		Ctime: nsToTime(w.CtimeNs), Btime: nsToTime(w.BtimeNs),
	}
}

func featuresToWire(f Features) *fsv1.Features {
	return &fsv1.Features{
		Write: f.Write, Setattr: f.Setattr, Mkdir: f.Mkdir, Remove: f.Remove,
		Rename: f.Rename, Symlink: f.Symlink, Readlink: f.Readlink, Link: f.Link,
		Mknod: f.Mknod, Flush: f.Flush, Fsync: f.Fsync, Statfs: f.Statfs,
		Xattr: f.Xattr, StatHandle: f.StatHandle,
		RenameNoreplace: f.RenameNoReplace, RenameExchange: f.RenameExchange,
		ReadOnly: f.ReadOnly, CaseInsensitive: f.CaseInsensitive,
		StableIno: f.StableIno, MaxIo: f.MaxIO, DonateFiles: f.DonateFiles, Watch: f.Watch,
		ExclusiveData: f.ExclusiveData, ReadAhead: f.ReadAhead,
	}
}

func featuresFromWire(w *fsv1.Features) Features {
	if w == nil {
		return Features{Declared: Declared{ReadOnly: true, MaxIO: DefaultMaxIO}}
	}
	f := Features{
		Declared: Declared{
			RenameNoReplace: w.RenameNoreplace, RenameExchange: w.RenameExchange,
			ReadOnly: w.ReadOnly, CaseInsensitive: w.CaseInsensitive,
			StableIno: w.StableIno, MaxIO: w.MaxIo, ExclusiveData: w.ExclusiveData, ReadAhead: w.ReadAhead,
		},
		Write: w.Write, Setattr: w.Setattr, Mkdir: w.Mkdir, Remove: w.Remove,
		Rename: w.Rename, Symlink: w.Symlink, Readlink: w.Readlink, Link: w.Link,
		Mknod: w.Mknod, Flush: w.Flush, Fsync: w.Fsync, Statfs: w.Statfs,
		Xattr: w.Xattr, StatHandle: w.StatHandle, DonateFiles: w.DonateFiles, Watch: w.Watch,
	}
	if f.MaxIO == 0 || f.MaxIO > DefaultMaxIO {
		f.MaxIO = DefaultMaxIO
	}
	return f
}

func callerToWire(ctx context.Context) *fsv1.Caller {
	c, ok := CallerFrom(ctx)
	if !ok {
		return nil
	}
	return &fsv1.Caller{Uid: c.Uid, Gid: c.Gid, Pid: c.Pid}
}

func withWireCaller(ctx context.Context, w *fsv1.Caller) context.Context {
	if w == nil {
		return ctx
	}
	return WithCaller(ctx, Caller{Uid: w.Uid, Gid: w.Gid, Pid: w.Pid})
}

// errorToStatus turns a plugin error into a gRPC status carrying its code.
func errorToStatus(err error) error {
	if err == nil {
		return nil
	}
	code := CodeOf(err)
	gc := codes.Unknown
	switch code {
	case CodeCanceled:
		gc = codes.Canceled
	case CodeTimeout:
		gc = codes.DeadlineExceeded
	}
	st, derr := status.New(gc, err.Error()).WithDetails(&fsv1.ErrorDetail{Code: uint32(code)})
	if derr != nil {
		return status.Error(gc, err.Error())
	}
	return st.Err()
}

// errorFromStatus turns a gRPC error back into an *Error with the portable
// code the plugin sent, or the code that best describes a transport failure.
func errorFromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		if errors.Is(err, context.DeadlineExceeded) {
			return &Error{Code: CodeTimeout, Msg: err.Error()}
		}
		if errors.Is(err, context.Canceled) {
			return &Error{Code: CodeCanceled, Msg: err.Error()}
		}
		return &Error{Code: CodeIO, Msg: err.Error()}
	}
	for _, d := range st.Details() {
		if ed, ok := d.(*fsv1.ErrorDetail); ok {
			return &Error{Code: Code(ed.Code), Msg: st.Message()}
		}
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		return &Error{Code: CodeTimeout, Msg: "plugin operation timed out: " + st.Message()}
	case codes.Canceled:
		return &Error{Code: CodeCanceled, Msg: st.Message()}
	case codes.Unavailable:
		return &Error{Code: CodeUnavailable, Msg: "plugin unavailable: " + st.Message()}
	case codes.Unimplemented:
		return &Error{Code: CodeNoSys, Msg: st.Message()}
	}
	return &Error{Code: CodeIO, Msg: "plugin: " + st.Message()}
}
