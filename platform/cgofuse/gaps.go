package cgofuse

// KnownGaps names the mount-suite tests (platform/mounttest) that fail on
// Linux through libfuse3's high-level API as cgofuse drives it, with the
// reason. Tests that run the suite through this driver skip exactly these.
// They are limits of libfuse's path-based layer on Linux, not of the
// adapter: WinFsp and macFUSE have neither.
var KnownGaps = map[string]string{
	"FileLifecycle": "cgofuse resets libfuse3's hard_remove option: a file unlinked while open is renamed to .fuse_hiddenNNN until its last close",
	"DirLifecycle":  "libfuse's high-level API has no path for a removed directory: calls through a descriptor of it fail with ESTALE, not ENOENT",
}
