package main

import (
	"context"
	"log/slog"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/platform/controlsock"
)

// peerInfo is who is at the other end of a control connection, read from
// the system when the connection is accepted (controlsock.Authorize).
type peerInfo struct {
	credentials.CommonAuthInfo
	peer    controlsock.Peer
	allowed bool
	why     string // why not allowed
}

// AuthType names the mechanism.
func (peerInfo) AuthType() string { return "peercred" }

// peerAuth admits the administrators (root; on Windows LocalSystem and
// elevated Administrators) and members of one group. It checks every
// connection when it is accepted (the transport handshake) and every call
// on it (the interceptors), so an unauthorised peer gets PERMISSION_DENIED
// with the reason, and nothing else.
type peerAuth struct {
	gid controlsock.Group // the socket group (a gid on Unix, a SID on Windows); zero: administrators only
	log *slog.Logger
}

// newPeerAuth admits the administrators and members of group ("" for
// the administrators only).
func newPeerAuth(group string, log *slog.Logger) (*peerAuth, error) {
	g, err := controlsock.LookupGroup(group)
	if err != nil {
		return nil, err
	}
	return &peerAuth{gid: g, log: log}, nil
}

// ServerHandshake reads the peer's credentials.
func (p *peerAuth) ServerHandshake(c net.Conn) (net.Conn, credentials.AuthInfo, error) {
	info := peerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}
	var err error
	info.peer, err = controlsock.Authorize(c, p.gid)
	info.allowed = err == nil
	if err != nil {
		info.why = err.Error()
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

func (p *peerAuth) check(ctx context.Context) error {
	pr, ok := peer.FromContext(ctx)
	if !ok {
		return status.Error(codes.PermissionDenied, "no peer information")
	}
	info, ok := pr.AuthInfo.(peerInfo)
	if !ok {
		return status.Error(codes.PermissionDenied, "no peer credentials")
	}
	if !info.allowed {
		return status.Error(codes.PermissionDenied, info.why)
	}
	return nil
}

// serverOptions are the gRPC options enforcing p.
func (p *peerAuth) serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.Creds(p),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := p.check(ctx); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := p.check(ss.Context()); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}
