package sdk

import (
	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// registerServer registers p's file system service on s.
func registerServer(s *grpc.Server, p *Plugin) {
	fsv1.RegisterFileSystemServer(s, newGRPCServer(p))
}
