package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/sdk"
)

// instance is one running plugin process.
type instance struct {
	gen    uint64
	client *plugin.Client
	fs     *sdk.Client
	init   sdk.InitResult
	pid    int
	stderr *tailBuffer
	dead   chan struct{} // closed when the process has exited
}

// exited reports whether the process is gone.
func (in *instance) exited() bool {
	select {
	case <-in.dead:
		return true
	default:
		return false
	}
}

// kill stops the process (reaping it and closing the connection) and
// releases the data plane: the file channel and the shared region. The
// region is unmapped once no call is copying through it.
func (in *instance) kill() {
	in.client.Kill()
	go func() { _ = in.fs.CloseDataPlane() }()
}

// donates reports whether Open should take the plugin's OS files.
func (in *instance) donates(dp core.DataPlane) bool {
	return dp == core.DataPlaneAuto && in.init.Features.DonateFiles
}

// watch closes in.dead once the process exits, polling go-plugin, which
// offers no channel for it. Polling costs one check per interval.
func (in *instance) watch(stop <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if in.client.Exited() {
				close(in.dead)
				return
			}
		}
	}
}

// launch starts one plugin process, negotiates the protocol and runs Init.
// Errors wrap the core error that names what went wrong.
func launch(ctx context.Context, cfg Config, gen uint64, sockDir string) (*instance, error) {
	tail := newTailBuffer(4096)
	var stderr io.Writer = tail
	if cfg.Stderr != nil {
		stderr = io.MultiWriter(tail, cfg.Stderr)
	}
	cmd := cfg.Command()
	// A command that sets its own environment (the catalog's trust policy
	// does) gets only that, plus go-plugin's handshake variables.
	ownEnv := cmd.Env != nil
	// The plugin's socket lives in a directory of this host's, so a plugin
	// killed with SIGKILL leaves nothing behind once the host closes.
	cmd.Env = append(cmd.Env, "PLUGIN_UNIX_SOCKET_DIR="+sockDir)
	// The file channel (donated files, shared memory) is inherited by the
	// plugin; where the system cannot pass descriptors there is none.
	var channel *net.UnixConn
	if cfg.DataPlane.FileChannel() {
		if hostEnd, pluginEnd, err := sdk.NewFileChannelPair(); err == nil {
			channel = hostEnd
			cmd.ExtraFiles = append(cmd.ExtraFiles, pluginEnd)
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", sdk.FileChannelEnv, 2+len(cmd.ExtraFiles)))
			defer pluginEnd.Close() // the child has its copy once started
		}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: sdk.VersionedPlugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     cfg.StartTimeout,
		Logger:           newHclog(cfg.Logger).Named("plugin." + cfg.Name),
		Stderr:           stderr,
		GRPCDialOptions:  sdk.DialOptions(),
		SkipHostEnv:      ownEnv,
		AutoMTLS:         true, // the gRPC connection is mutually authenticated, with fresh keys per launch
		Managed:          false,
	})
	attached := false
	fail := func(kind error, err error) (*instance, error) {
		client.Kill()
		if channel != nil && !attached {
			channel.Close()
		}
		msg := fmt.Sprintf("%s: %v", cfg.Name, err)
		if last := lastWords(tail.String()); last != "" {
			msg += "; the plugin said: " + last
		}
		return nil, fmt.Errorf("%w: %s", kind, msg)
	}
	rpc, err := client.Client()
	if err != nil {
		kind := classifyStartError(err, tail.String())
		// go-plugin appends a page of generic diagnosis; its first line
		// and the plugin's own words say more.
		first, _, _ := strings.Cut(err.Error(), "\n")
		switch {
		case kind == core.ErrPluginStart && strings.HasPrefix(first, "Unrecognized remote plugin message"):
			first = "the plugin exited without completing the handshake"
		case strings.Contains(tail.String(), "This binary is a plugin"):
			first = "it is a plugin for another program (its magic cookie is not plugfs's): use a plugfs plugin"
		}
		return fail(kind, errors.New(strings.TrimSpace(first)))
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		return fail(core.ErrPluginProtocol, fmt.Errorf("no %q service: %w", sdk.PluginName, err))
	}
	fsc, ok := raw.(*sdk.Client)
	if !ok {
		return fail(core.ErrPluginProtocol, fmt.Errorf("unexpected client type %T", raw))
	}
	if channel != nil {
		fsc.AttachFileChannel(channel, cfg.SharedMemory)
		attached = true
	}
	if cfg.DataPlane.FastLane() {
		fsc.UseFastLane()
	}
	ictx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	res, err := fsc.Init(ictx, cfg.Options)
	if err != nil {
		_ = fsc.CloseDataPlane()
		return fail(classifyInitError(err), err)
	}
	in := &instance{gen: gen, client: client, fs: fsc, init: res, stderr: tail, dead: make(chan struct{})}
	if rc := client.ReattachConfig(); rc != nil {
		in.pid = rc.Pid
	}
	return in, nil
}

// classifyStartError maps go-plugin's start-up failures to core errors.
// go-plugin reports them only as text, so this matches its messages.
func classifyStartError(err error, stderr string) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		return core.ErrPluginStartTimeout
	case strings.Contains(msg, "plugin exited before we could connect"),
		strings.Contains(msg, "Failed to read any lines from plugin's stdout") && !strings.Contains(stderr, "This binary is a plugin"):
		return core.ErrPluginStart
	case strings.Contains(stderr, "This binary is a plugin"):
		// The plugin checked the magic cookie and found another one:
		// it belongs to another host.
		return core.ErrPluginProtocol
	case strings.Contains(msg, "Unrecognized remote plugin message"),
		strings.Contains(msg, "incompatible API version"),
		strings.Contains(msg, "incompatible core API version"),
		strings.Contains(msg, "Error parsing protocol version"),
		strings.Contains(msg, "unsupported plugin protocol"):
		return core.ErrPluginProtocol
	}
	return core.ErrPluginStart
}

// classifyInitError maps a failed Init to a core error.
func classifyInitError(err error) error {
	switch sdk.CodeOf(err) {
	case sdk.CodeInvalid, sdk.CodeNotExist, sdk.CodeNotDir, sdk.CodePermission, sdk.CodeNotPermitted:
		return core.ErrPluginOption
	case sdk.CodeTimeout:
		return core.ErrPluginStartTimeout
	case sdk.CodeNoSys:
		return core.ErrPluginProtocol
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return core.ErrPluginStartTimeout
	}
	return core.ErrPluginStart
}

// lastWords condenses a plugin's standard error tail into one line.
func lastWords(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < 3; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, `{"@level":"debug"`) || strings.HasPrefix(l, `{"@level":"trace"`) {
			continue // go-plugin's own chatter
		}
		if l != "" {
			keep = append([]string{l}, keep...)
		}
	}
	return strings.Join(keep, " | ")
}
