// Package sdktest connects plugins and hosts in one process for tests.
package sdktest

import (
	"context"
	"net"
	"runtime"
	"testing"

	"github.com/hashicorp/go-plugin"

	"github.com/plugfs/plugfs/sdk"
)

// TestClient connects a host-side *Client to p over a real gRPC connection
// in this process (go-plugin's TestPluginGRPCConn), runs the Init capability
// exchange with options, and closes everything when t ends. Plugin authors
// use it to run the conformance suite through the wire protocol without
// building a binary.
//
// The client has the fast data plane a real host sets up: calls on the
// fast lane and, where the system can pass descriptors (Unix), a file
// channel and a shared-memory region, so Read and Write bytes travel
// through shared memory (and donated files can be taken with OpenFile).
// TestClientBytes leaves all of it out.
func TestClient(t testing.TB, p *sdk.Plugin, options map[string]string) (*sdk.Client, sdk.InitResult) {
	t.Helper()
	return testClient(t, p, options, true)
}

// TestClientBytes is TestClient without the fast data plane: every call
// and every byte travels inside gRPC messages, as with a host that offers no file channel
// (Windows, or a plugin written in another language).
func TestClientBytes(t testing.TB, p *sdk.Plugin, options map[string]string) (*sdk.Client, sdk.InitResult) {
	t.Helper()
	return testClient(t, p, options, false)
}

func testClient(t testing.TB, p *sdk.Plugin, options map[string]string, fast bool) (*sdk.Client, sdk.InitResult) {
	t.Helper()
	gp := &sdk.GRPCPlugin{Plugin: p}
	if runtime.GOOS != "windows" {
		// A private directory for the lane's socket; on Windows the lane
		// is a named pipe, which needs none.
		gp.LaneDir = t.TempDir()
	}
	t.Cleanup(func() { _ = gp.Close() })
	var hostEnd *net.UnixConn
	if fast {
		if h, pluginEnd, err := sdk.NewFileChannelPair(); err == nil {
			nc, err := net.FileConn(pluginEnd)
			pluginEnd.Close()
			if err != nil {
				t.Fatalf("file channel: %v", err)
			}
			hostEnd, gp.FileChannel = h, nc.(*net.UnixConn)
			t.Cleanup(func() { _ = gp.FileChannel.Close() })
		}
	}
	gc, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{sdk.PluginName: gp})
	t.Cleanup(func() { _ = gc.Close() })
	raw, err := gc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("dispense plugin: %v", err)
	}
	c := raw.(*sdk.Client)
	if hostEnd != nil {
		c.AttachFileChannel(hostEnd, sdk.DefaultSharedMemory)
	}
	if fast {
		c.UseFastLane()
	}
	t.Cleanup(func() { _ = c.CloseDataPlane() })
	res, err := c.Init(context.Background(), options)
	if err != nil {
		t.Fatalf("plugin %s Init: %v", p.Name, err)
	}
	return c, res
}

// TestPlugin wraps an already built file system as a Plugin with no
// options, for TestClient.
func TestPlugin(fsys sdk.FileSystem) *sdk.Plugin {
	return &sdk.Plugin{Name: "test", New: func(context.Context, sdk.Options) (sdk.FileSystem, error) { return fsys, nil }}
}

// wireFS is a Client that reports the features its plugin announced.
type wireFS struct {
	*sdk.Client
	feat sdk.Features
}

// Features implements sdk.FeatureReporter.
func (w wireFS) Features() sdk.Features { return w.feat }

// OverGRPC serves fsys through the real gRPC transport in this process and
// returns the host's view of it: every call crosses the wire, and
// sdk.DetectFeatures reports what fsys announced at the capability
// exchange. Run a conformance suite on it to prove the protocol carries
// the backend's semantics.
//
// Reads and writes travel through the shared-memory region where the
// system has one (see TestClient); OverGRPCBytes sends them in messages.
func OverGRPC(t testing.TB, fsys sdk.FileSystem) sdk.FileSystem {
	t.Helper()
	c, res := TestClient(t, TestPlugin(fsys), nil)
	return wireFS{Client: c, feat: res.Features}
}

// OverGRPCBytes is OverGRPC with every byte inside gRPC messages.
func OverGRPCBytes(t testing.TB, fsys sdk.FileSystem) sdk.FileSystem {
	t.Helper()
	c, res := TestClientBytes(t, TestPlugin(fsys), nil)
	return wireFS{Client: c, feat: res.Features}
}
