// Package cgofuse is the mount driver for WinFsp (Windows), macFUSE and
// FUSE-T (macOS), built on github.com/winfsp/cgofuse: the one FUSE adapter
// those systems use. cgofuse speaks the path-based high-level FUSE API, so
// the driver serves a core/pathfs view of the volume's VFS.
//
// On Linux the same adapter runs over libfuse3's high-level API, built only
// with cgo, libfuse3-dev and the tags cgofuse and fuse3
// (`make test-cgofuse`), so the code Windows and macOS depend on is
// executed by the mount suite here rather than only compiled. gofuse and
// bazil stay the Linux drivers of choice: cgofuse ranks after them.
//
// # What libfuse's high-level API changes
//
// cgofuse resets libfuse3's fuse_config at init, so entry and attribute
// timeouts are 0 (the kernel asks on every access; the path cache in
// core/pathfs answers from memory within the VFS's entry timeout) and
// hard_remove is off: libfuse renames a file unlinked while open to
// .fuse_hiddenNNN in its directory until the last close, and the plugin
// sees that rename. cgofuse also unmounts on SIGINT and SIGTERM itself.
// Neither happens under WinFsp.
package cgofuse
