package daemon

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/sdk"
)

// ErrorDomain is the domain of the ErrorInfo detail that every control
// API error carries: its reason names the core sentinel the error wraps,
// so a client rebuilds an error that errors.Is matches (FromStatus).
const ErrorDomain = "plugfs.control.v1"

// errorKinds maps the sentinels a control call can fail with to their
// gRPC code and their portable reason, most specific first.
var errorKinds = []struct {
	err    error
	code   codes.Code
	reason string
}{
	{ErrInvalid, codes.InvalidArgument, "INVALID_CONFIGURATION"},
	{catalog.ErrDigestMismatch, codes.PermissionDenied, "PLUGIN_TAMPERED"},
	{catalog.ErrUntrusted, codes.PermissionDenied, "PLUGIN_UNTRUSTED"},
	{core.ErrMountPointMissing, codes.FailedPrecondition, "MOUNT_POINT_MISSING"},
	{core.ErrMountPointNotDir, codes.FailedPrecondition, "MOUNT_POINT_NOT_DIRECTORY"},
	{core.ErrMountPointNotEmpty, codes.FailedPrecondition, "MOUNT_POINT_NOT_EMPTY"},
	{core.ErrMountPointBusy, codes.FailedPrecondition, "MOUNT_POINT_BUSY"},
	{core.ErrMountPointAccess, codes.FailedPrecondition, "MOUNT_POINT_ACCESS"},
	{core.ErrMountPointInvalid, codes.InvalidArgument, "MOUNT_POINT_INVALID"},
	{core.ErrPluginUnknown, codes.InvalidArgument, "PLUGIN_UNKNOWN"},
	{core.ErrPluginStartTimeout, codes.Unavailable, "PLUGIN_START_TIMEOUT"},
	{core.ErrPluginStart, codes.Unavailable, "PLUGIN_START"},
	{core.ErrPluginProtocol, codes.Unavailable, "PLUGIN_PROTOCOL"},
	{core.ErrPluginOption, codes.InvalidArgument, "PLUGIN_OPTION"},
	{core.ErrDriverUnknown, codes.InvalidArgument, "DRIVER_UNKNOWN"},
	{core.ErrDriverUnavailable, codes.Unavailable, "DRIVER_UNAVAILABLE"},
	{core.ErrNotMounted, codes.NotFound, "NOT_MOUNTED"},
	{sdk.ErrBusy, codes.FailedPrecondition, "BUSY"},
	{core.ErrVolumeState, codes.FailedPrecondition, "VOLUME_STATE"},
	{context.DeadlineExceeded, codes.DeadlineExceeded, "DEADLINE_EXCEEDED"},
	{context.Canceled, codes.Canceled, "CANCELED"},
}

// StatusError turns an error of the supervisor into a gRPC status whose
// code says what kind of problem it is, whose message is the error's, and
// whose ErrorInfo detail names the sentinel it wraps (see FromStatus).
func StatusError(err error) error {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			st := status.New(k.code, err.Error())
			if d, derr := st.WithDetails(&errdetails.ErrorInfo{Domain: ErrorDomain, Reason: k.reason}); derr == nil {
				st = d
			}
			return st.Err()
		}
	}
	return status.Error(codes.Unknown, err.Error())
}

// FromStatus turns a control API error back into an error that wraps the
// sentinel the daemon's error wrapped (by the ErrorInfo reason), with the
// daemon's message. An error without a known reason comes back as an
// error with the status message alone; a non-status error as it is.
func FromStatus(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		if !ok || info.GetDomain() != ErrorDomain {
			continue
		}
		for _, k := range errorKinds {
			if k.reason == info.GetReason() {
				return &remoteError{msg: st.Message(), kind: k.err, code: st.Code()}
			}
		}
	}
	return &remoteError{msg: st.Message(), code: st.Code()}
}

// remoteError is an error the daemon returned: its message as the daemon
// wrote it, matching (errors.Is) the sentinel the daemon's error wrapped.
type remoteError struct {
	msg  string
	kind error // nil when the daemon named no known sentinel
	code codes.Code
}

func (e *remoteError) Error() string { return e.msg }

// Unwrap returns the sentinel, so errors.Is works across the socket.
func (e *remoteError) Unwrap() error { return e.kind }

// GRPCStatus keeps the status code visible to status.FromError.
func (e *remoteError) GRPCStatus() *status.Status { return status.New(e.code, e.msg) }
