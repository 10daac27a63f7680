package core

import "errors"

// Errors of the mount engine. Each names one problem; the CLI maps each to
// its own exit code and prints the wrapped message, which says the fix.
var (
	// ErrMountPointMissing: the mounting point directory does not exist.
	ErrMountPointMissing = errors.New("mount point does not exist")
	// ErrMountPointNotDir: the mounting point is not a directory.
	ErrMountPointNotDir = errors.New("mount point is not a directory")
	// ErrMountPointNotEmpty: the mounting point directory is not empty.
	ErrMountPointNotEmpty = errors.New("mount point is not empty")
	// ErrMountPointBusy: something is already mounted at the mounting point.
	ErrMountPointBusy = errors.New("mount point is already a mount")
	// ErrMountPointAccess: the caller may not use the mounting point.
	ErrMountPointAccess = errors.New("mount point is not accessible")
	// ErrMountPointInvalid: the mounting point specification is malformed
	// or breaks a rule of its kind.
	ErrMountPointInvalid = errors.New("invalid mounting point")
	// ErrNotMounted: the path is not a plugfs mount.
	ErrNotMounted = errors.New("not a plugfs mount")

	// ErrPluginUnknown: no built-in or installed plugin has that name.
	ErrPluginUnknown = errors.New("unknown plugin")
	// ErrPluginStart: the plugin process exited or failed during start-up.
	ErrPluginStart = errors.New("plugin failed to start")
	// ErrPluginStartTimeout: the plugin did not complete the handshake in time.
	ErrPluginStartTimeout = errors.New("plugin start timed out")
	// ErrPluginProtocol: the plugin speaks another protocol (magic cookie,
	// protocol version or service mismatch).
	ErrPluginProtocol = errors.New("plugin protocol mismatch")
	// ErrPluginOption: the plugin refused its options.
	ErrPluginOption = errors.New("invalid plugin option")

	// ErrDriverUnknown: no mount driver of that name is built in for this OS.
	ErrDriverUnknown = errors.New("unknown mount driver")
	// ErrDriverUnavailable: the driver is built in but the OS lacks what it
	// needs (no /dev/fuse, no fusermount3, no WinFsp).
	ErrDriverUnavailable = errors.New("mount driver unavailable")

	// ErrVolumeState: the operation does not fit the volume's lifecycle
	// state (adding a mounting point before media is mounted, say).
	ErrVolumeState = errors.New("operation not allowed in the volume's state")
)
