package sdk

import (
	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// registerServer registers p's file system service on s and returns it;
// files is the host's file channel, or nil, and laneDir where a fast lane
// listens.
func registerServer(s *grpc.Server, p *Plugin, files *fileChannel, laneDir string) *grpcServer {
	srv := newGRPCServer(p, files)
	srv.laneDir = laneDir
	fsv1.RegisterFileSystemServer(s, srv)
	return srv
}
