package main

import (
	"context"
	"fmt"
	"net"
	"os/user"
	"slices"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// peerInfo is who is at the other end of a control connection, read from
// the kernel (SO_PEERCRED) when the connection is accepted.
type peerInfo struct {
	credentials.CommonAuthInfo
	uid, pid int
	gids     []int // primary and supplementary
	allowed  bool
	why      string // why not allowed
}

// AuthType names the mechanism.
func (peerInfo) AuthType() string { return "peercred" }

// peerAuth admits root and members of one group. It checks every
// connection when it is accepted (the transport handshake) and every call
// on it (the interceptors), so an unauthorised peer gets PERMISSION_DENIED
// with the reason, and nothing else.
type peerAuth struct {
	gid   int    // -1: root only
	group string // for messages
	log   hclog.Logger
}

// newPeerAuth admits root and members of group ("" for root only).
func newPeerAuth(group string, log hclog.Logger) (*peerAuth, error) {
	p := &peerAuth{gid: -1, group: group, log: log}
	if group == "" {
		return p, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return nil, fmt.Errorf("socket group %q: %w", group, err)
	}
	if p.gid, err = strconv.Atoi(g.Gid); err != nil {
		return nil, fmt.Errorf("socket group %q has gid %q", group, g.Gid)
	}
	return p, nil
}

func (p *peerAuth) admit(uid int, gids []int) (bool, string) {
	if uid == 0 {
		return true, ""
	}
	if p.gid >= 0 && slices.Contains(gids, p.gid) {
		return true, ""
	}
	if p.gid < 0 {
		return false, fmt.Sprintf("uid %d is not root (no socket group is configured)", uid)
	}
	return false, fmt.Sprintf("uid %d is not root and not in group %s", uid, p.group)
}

// ServerHandshake reads the peer's credentials.
func (p *peerAuth) ServerHandshake(c net.Conn) (net.Conn, credentials.AuthInfo, error) {
	info := peerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}, uid: -1}
	uid, pid, gids, err := peerCred(c)
	if err != nil {
		info.why = fmt.Sprintf("cannot read the caller's credentials: %v", err)
	} else {
		info.uid, info.pid, info.gids = uid, pid, gids
		info.allowed, info.why = p.admit(uid, gids)
	}
	if !info.allowed {
		p.log.Warn("control connection refused", "uid", info.uid, "pid", info.pid, "reason", info.why)
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
