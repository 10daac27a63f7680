package daemon_test

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/catalog"
	"github.com/plugfs/plugfs/core/daemon"
	"github.com/plugfs/plugfs/sdk"
)

// TestErrorsCrossTheSocket: a supervisor error keeps its sentinel through
// StatusError and FromStatus (the status is marshalled as on the wire).
func TestErrorsCrossTheSocket(t *testing.T) {
	for _, c := range []struct {
		err  error
		code codes.Code
	}{
		{core.ErrMountPointNotEmpty, codes.FailedPrecondition},
		{core.ErrMountPointInvalid, codes.InvalidArgument},
		{core.ErrPluginStartTimeout, codes.Unavailable},
		{core.ErrPluginStart, codes.Unavailable},
		{core.ErrNotMounted, codes.NotFound},
		{sdk.ErrBusy, codes.FailedPrecondition},
		{&catalog.TrustError{Path: "/p", Reason: catalog.ReasonDigest}, codes.PermissionDenied},
		{&daemon.FieldError{Key: "volumes[0].name", Msg: "missing"}, codes.InvalidArgument},
	} {
		orig := fmt.Errorf("mount volume v at /mnt/x: %w", c.err)
		st := status.Convert(daemon.StatusError(orig))
		if st.Code() != c.code {
			t.Errorf("%v: code %v, want %v", c.err, st.Code(), c.code)
		}
		// Through the wire form of the status.
		wire := status.FromProto(st.Proto()).Err()
		back := daemon.FromStatus(wire)
		target := c.err
		var fe *daemon.FieldError
		if errors.As(c.err, &fe) {
			target = daemon.ErrInvalid
		}
		var te *catalog.TrustError
		if errors.As(c.err, &te) {
			target = catalog.ErrDigestMismatch
		}
		if !errors.Is(back, target) {
			t.Errorf("%v: FromStatus = %v, does not match its sentinel", c.err, back)
		}
		if back.Error() != orig.Error() {
			t.Errorf("message %q, want %q", back.Error(), orig.Error())
		}
		if status.Code(back) != c.code {
			t.Errorf("%v: code after FromStatus %v, want %v", c.err, status.Code(back), c.code)
		}
	}
	// An error of no known kind stays Unknown and matches no sentinel.
	back := daemon.FromStatus(daemon.StatusError(errors.New("something else")))
	if status.Code(back) != codes.Unknown || errors.Is(back, core.ErrNotMounted) || back.Error() != "something else" {
		t.Errorf("unknown error came back as %v (%v)", back, status.Code(back))
	}
}
