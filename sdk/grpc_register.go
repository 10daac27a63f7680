package sdk

import (
	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// registerServer registers p's file system service on s; files is the
// host's file channel, or nil.
func registerServer(s *grpc.Server, p *Plugin, files *fileChannel) {
	fsv1.RegisterFileSystemServer(s, newGRPCServer(p, files))
}
