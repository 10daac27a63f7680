package memfs_test

import (
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/fstest"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// TestConformance is memfs's whole integration test: the sdk suite.
func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return memfs.New() })
}

// TestConformanceOverGRPC runs the suite through the wire protocol, as
// plugfs talks to the plugin.
func TestConformanceOverGRPC(t *testing.T) {
	fstest.Run(t, func(t *testing.T) sdk.FileSystem { return sdktest.OverGRPC(t, memfs.New()) })
}
