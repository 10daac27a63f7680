// Package testplugin is a plugin that misbehaves on request, for testing
// how the host copes: it can exit or hang at start, speak the wrong
// protocol, or hang in an operation. Its normal mode serves a small
// in-memory file system.
package testplugin

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/plugins/local"
	"github.com/plugfs/plugfs/sdk"
)

// ModeEnv names the environment variable that selects the behaviour.
const ModeEnv = "PLUGFS_TESTPLUGIN_MODE"

// Modes of the test plugin.
const (
	ModeServe   = "serve"   // serve the in-memory file system
	ModeLocal   = "local"   // serve the local plugin (option root), which donates files
	ModeExit    = "exit"    // print a message and exit 3 before the handshake
	ModeHang    = "hang"    // never complete the handshake
	ModeCookie  = "cookie"  // expect another host's magic cookie
	ModeVersion = "version" // speak protocol version 99 only
	ModeGarbage = "garbage" // print a line that is no handshake, then hang
)

// Plugin returns the test plugin's description. Option "hang_init" makes
// Init block forever; "slow_reads" declares slow reads (sdk.Declared.ReadAhead).
func Plugin() *sdk.Plugin {
	return &sdk.Plugin{
		Name:        "testplugin",
		Version:     "test",
		Description: "in-memory test file system; /hang blocks every operation forever",
		Options: []sdk.Option{
			{Name: "hang_init", Help: "block in Init forever"},
			{Name: "slow_reads", Help: "declare that reads are slow (the host then reads ahead)"},
		},
		New: func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) {
			if hang, _ := o.Bool("hang_init"); hang {
				select {}
			}
			if slow, _ := o.Bool("slow_reads"); slow {
				return slowReadsFS{newFS()}, nil
			}
			return newFS(), nil
		},
	}
}

// Main runs the plugin in the mode named by $PLUGFS_TESTPLUGIN_MODE.
func Main() {
	switch mode := os.Getenv(ModeEnv); mode {
	case "", ModeServe:
		sdk.Serve(Plugin())
	case ModeLocal:
		sdk.Serve(local.Plugin())
	case ModeExit:
		fmt.Fprintln(os.Stderr, "testplugin: cannot open my database, giving up")
		os.Exit(3)
	case ModeHang:
		time.Sleep(time.Hour)
	case ModeGarbage:
		fmt.Println("hello, I am not a plugin")
		time.Sleep(time.Hour)
	case ModeCookie:
		hs := sdk.Handshake
		hs.MagicCookieKey, hs.MagicCookieValue = "OTHER_APP_PLUGIN", "something-else"
		serveWith(hs, sdk.VersionedPlugins(Plugin()))
	case ModeVersion:
		serveWith(sdk.Handshake, map[int]plugin.PluginSet{99: {sdk.PluginName: &sdk.GRPCPlugin{Plugin: Plugin()}}})
	default:
		fmt.Fprintf(os.Stderr, "testplugin: unknown mode %q\n", mode)
		os.Exit(2)
	}
}

func serveWith(hs plugin.HandshakeConfig, vp map[int]plugin.PluginSet) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: vp,
		GRPCServer:       func(o []grpc.ServerOption) *grpc.Server { return grpc.NewServer(o...) },
	})
}
