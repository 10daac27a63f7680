package sdk

import (
	"context"
	"net"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the go-plugin handshake every plugfs plugin and host share.
// The magic cookie is a UX check (it stops a plugin from being run by hand
// or by the wrong host), not a security measure.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "PLUGFS_PLUGIN",
	MagicCookieValue: "d0f3c1b6-5e0a-4c55-9b4e-plugfs-fs-v1",
}

// ProtocolVersion is the major version of the plugin protocol. Hosts and
// plugins negotiate it at handshake; incompatible changes bump it.
const ProtocolVersion = 1

// PluginName is the name of the file system service within a plugin.
const PluginName = "fs"

// MaxMessageSize is the gRPC message limit both sides set: the largest read
// or write (DefaultMaxIO) plus generous room for framing and listings.
const MaxMessageSize = 16 << 20

// GRPCPlugin adapts a Plugin to go-plugin. Hosts use it with a nil Plugin
// (only GRPCClient is called); Serve uses it with the plugin to serve.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Plugin *Plugin
	// FileChannel is the plugin's end of the host's file channel (file
	// donation, shared memory), or nil. Serve sets it from FileChannelEnv.
	FileChannel *net.UnixConn
	// LaneDir is the directory of the fast lane's socket; Serve uses the
	// host's PLUGIN_UNIX_SOCKET_DIR, empty means the temporary directory.
	LaneDir string

	mu      sync.Mutex
	servers []*grpcServer
}

// GRPCServer registers the file system service.
func (g *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	var files *fileChannel
	if g.FileChannel != nil {
		files = newFileChannel(g.FileChannel)
	}
	srv := registerServer(s, g.Plugin, files, g.LaneDir)
	g.mu.Lock()
	g.servers = append(g.servers, srv)
	g.mu.Unlock()
	return nil
}

// Close releases what serving left behind outside the gRPC server: the
// fast lane's socket and connections. A plugin process need not call it
// (exiting releases everything); in-process tests do.
func (g *GRPCPlugin) Close() error {
	g.mu.Lock()
	servers := g.servers
	g.servers = nil
	g.mu.Unlock()
	for _, s := range servers {
		s.close()
	}
	return nil
}

// GRPCClient returns a *Client for the connection.
func (g *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewClient(c), nil
}

// VersionedPlugins returns the plugin sets by protocol version, for go-plugin.
func VersionedPlugins(p *Plugin) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		ProtocolVersion: {PluginName: &GRPCPlugin{Plugin: p}},
	}
}

// ServerOptions are the gRPC server options plugins serve with.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxSendMsgSize(MaxMessageSize),
	}
}

// DialOptions are the gRPC dial options hosts connect with.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxMessageSize),
			grpc.MaxCallSendMsgSize(MaxMessageSize),
		),
	}
}

// Serve serves p as a plugfs plugin on the process's standard streams, the
// way a host expects, and returns when the host closes the connection. A
// plugin's main is one line: sdk.Serve(&sdk.Plugin{...}). Run by hand
// (not by a host), it prints that it is a plugin and exits with status 1.
//
// Logs written with hclog's default logger, or to standard error, reach the
// host's log. PLUGFS_PLUGIN_LOG_LEVEL (trace, debug, info, warn, error)
// sets the level; the default is warn.
func Serve(p *Plugin) {
	level := hclog.LevelFromString(os.Getenv("PLUGFS_PLUGIN_LOG_LEVEL"))
	if level == hclog.NoLevel {
		level = hclog.Warn
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: p.Name, Level: level, Output: os.Stderr, JSONFormat: true})
	files, err := fileChannelFromEnv()
	if err != nil {
		// The plugin still works, moving bytes in messages.
		logger.Warn("no file channel", "error", err)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			ProtocolVersion: {PluginName: &GRPCPlugin{Plugin: p, FileChannel: files, LaneDir: os.Getenv("PLUGIN_UNIX_SOCKET_DIR")}},
		},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, ServerOptions()...)...)
		},
		Logger: logger,
	})
}
