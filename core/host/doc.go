// Package host launches and supervises one plugin process and presents it
// to the rest of the engine as an sdk.FileSystem that survives the plugin's
// death.
//
// # Launch
//
// Start runs the plugin command through hashicorp/go-plugin (magic cookie,
// protocol version negotiation, gRPC over a Unix socket or loopback TCP),
// bounded by Config.StartTimeout rather than go-plugin's minute, then runs
// the Init capability exchange with the plugin's options. Each way start-up
// can fail maps to one core error (ErrPluginStart, ErrPluginStartTimeout,
// ErrPluginProtocol, ErrPluginOption) with the plugin's own last words
// (its standard error) in the message.
//
// # Deadlines and interrupts
//
// Every call gets Config.OpTimeout on top of the caller's context; a call
// past it fails with sdk.ErrTimeout, which drivers report as EIO. A kernel
// interrupt cancels the caller's context, and gRPC carries the cancellation
// into the plugin. Release never runs with a cancelled context.
//
// # Crash recovery
//
// When the plugin process dies, calls in flight fail at once with
// sdk.ErrUnavailable (the connection breaks), the supervisor restarts the
// plugin with exponential backoff, and calls that arrive meanwhile wait up
// to Config.RestartWait for it. Handles are host-side numbers mapped to the
// plugin's handle and the plugin generation that issued it: a handle from
// an earlier generation fails with sdk.ErrStale, so the VFS can reopen the
// file by path and retry.
package host
