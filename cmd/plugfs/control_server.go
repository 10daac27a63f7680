package main

import (
	"context"
	"log/slog"
	"net"
	"path"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/platform/controlsock"
)

// authorizeControl identifies the peer of a control connection and
// says its role. Tests replace it to pose as another user, which they
// cannot be (Wine runs every program as one administrator).
var authorizeControl = controlsock.Authorize

// peerInfo is who is at the other end of a control connection, read from
// the system when the connection is accepted (controlsock.Authorize).
type peerInfo struct {
	credentials.CommonAuthInfo
	peer controlsock.Peer
	role controlsock.Role
	why  string // why refused, for RoleNone
}

// AuthType names the mechanism.
func (peerInfo) AuthType() string { return "peercred" }

// peerAuth admits the administrators (root; on Windows LocalSystem and
// elevated Administrators) and members of one group to every call and,
// on Windows, any other authenticated user to the calls that read
// (readerMethods). It checks every connection when it is accepted (the
// transport handshake) and every call on it (the interceptors), so an
// unauthorised peer gets PERMISSION_DENIED with the reason, and nothing
// else; a reader calling anything else gets PERMISSION_DENIED naming the
// call and the fix.
type peerAuth struct {
	gid       controlsock.Group // the socket group (a gid on Unix, a SID on Windows); zero: administrators only
	log       *slog.Logger
	authorize func(net.Conn, controlsock.Group) (controlsock.Peer, controlsock.Role, error)
}

// newPeerAuth admits the administrators and members of group ("" for
// the administrators only).
func newPeerAuth(group string, log *slog.Logger) (*peerAuth, error) {
	g, err := controlsock.LookupGroup(group)
	if err != nil {
		return nil, err
	}
	return &peerAuth{gid: g, log: log, authorize: authorizeControl}, nil
}

// ServerHandshake reads the peer's credentials.
func (p *peerAuth) ServerHandshake(c net.Conn) (net.Conn, credentials.AuthInfo, error) {
	info := peerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}
	var err error
	info.peer, info.role, err = p.authorize(c, p.gid)
	if err != nil {
		info.role, info.why = controlsock.RoleNone, err.Error()
		p.log.Warn("control connection refused", "peer", info.peer.String(), "uid", info.peer.UID, "pid", info.peer.PID, "reason", info.why)
	}
	return c, info, nil
}

// ClientHandshake is not used: the server side only.
func (p *peerAuth) ClientHandshake(_ context.Context, _ string, c net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return c, peerInfo{}, nil
}

// Info describes the protocol.
func (p *peerAuth) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "peercred"}
}

// Clone returns a copy.
func (p *peerAuth) Clone() credentials.TransportCredentials { c := *p; return &c }

// OverrideServerName does nothing.
func (p *peerAuth) OverrideServerName(string) error { return nil }

// check admits the call method on the connection of ctx, or says why
// not. An admitted call learns the caller's role in a response header
// (roleHeader).
func (p *peerAuth) check(ctx context.Context, method string) (metadata.MD, error) {
	pr, ok := peer.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.PermissionDenied, "no peer information")
	}
	info, ok := pr.AuthInfo.(peerInfo)
	if !ok {
		return nil, status.Error(codes.PermissionDenied, "no peer credentials")
	}
	switch {
	case info.role == controlsock.RoleNone:
		why := info.why
		if why == "" {
			why = "no permission to use the control API"
		}
		return nil, status.Error(codes.PermissionDenied, why)
	case !mayCall(info.role, method):
		p.log.Warn("control call refused", "peer", info.peer.String(), "pid", info.peer.PID, "role", info.role.String(), "call", path.Base(method))
		return nil, status.Error(codes.PermissionDenied, readerRefusal(info.peer, method, p.gid))
	}
	return metadata.Pairs(roleHeader, info.role.String()), nil
}

// serverOptions are the gRPC options enforcing p.
func (p *peerAuth) serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.Creds(p),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			md, err := p.check(ctx, info.FullMethod)
			if err != nil {
				return nil, err
			}
			if err := grpc.SetHeader(ctx, md); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			md, err := p.check(ss.Context(), info.FullMethod)
			if err != nil {
				return err
			}
			if err := ss.SetHeader(md); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}
