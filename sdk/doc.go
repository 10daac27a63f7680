// Package sdk is what a plugfs plugin author needs: the FileSystem
// interface to implement, the error values to return, and Serve to run it.
//
// A plugin is a program whose main is one call:
//
//	func main() {
//		sdk.Serve(&sdk.Plugin{
//			Name:    "myfs",
//			Options: []sdk.Option{{Name: "root", Required: true}},
//			New:     func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) { ... },
//		})
//	}
//
// plugfs runs it as its own process, talks to it over gRPC (through
// hashicorp/go-plugin's handshake, which Serve hides), and turns it into a
// kernel file system. examples/hello is a complete read-only plugin.
//
// # The interface
//
// FileSystem is the required set: Stat, OpenDir, ReadDir, Open, Read,
// Release — enough for a read-only tree. Everything else is an optional
// one-method (or small) interface: Writer, Setattrer, Mkdirer, Remover,
// Renamer, Symlinker, Readlinker, Linker, Mknoder, Flusher, Fsyncer,
// Statfser, Xattrer, HandleStater, Closer. Each says in its doc comment what
// plugfs does when a plugin does not implement it. Describer declares what
// cannot be seen from the interfaces (rename flags, stable inode numbers,
// case-insensitivity). At start-up the SDK folds all of this into Features
// and sends it to the host: the capability exchange is explicit, so plugins
// in other languages announce the same thing.
//
// Paths are slash-separated and absolute within the volume ("/", "/a/b"),
// already cleaned. Inode numbers, lookups and forgets stay in the host: a
// plugin deals in paths and its own handles.
//
// # Error handling
//
// Return the sentinel values in this package (ErrNotExist, ErrNotEmpty,
// ErrExist, …), wrapped with %w as you like, or an *Error with a Code.
// Errors from the os package work too: their errno is mapped. Each error
// crosses the process boundary as a portable Code and comes back on the
// host as an *Error whose Unwrap is the same sentinel, so
// errors.Is(err, fs.ErrNotExist) holds on both sides; the host maps codes to
// errno (or NTSTATUS) once per platform. Anything unrecognised becomes EIO.
// The message travels too and shows up in plugfs's logs.
//
// # Contexts, deadlines and interrupts
//
// Every method takes a context. It carries the host's per-operation
// deadline (30s by default) and is cancelled when the kernel interrupts the
// system call (a user pressing Ctrl-C on a slow read). A plugin that blocks
// on the network should watch it. CallerFrom(ctx) tells which uid, gid and
// pid asked, for the owner of new files.
//
// # Concurrency
//
// Methods are called from many goroutines at once, for different files and
// for the same one. Guard shared state; do not hold a lock while blocking on
// I/O that could take long, or one slow file stalls the whole volume.
//
// # Crashes and restarts
//
// If a plugin process dies, plugfs restarts it and calls New again with the
// same options; the mount stays. Handles of the dead process are reopened
// by path, so a plugin must not rely on handles surviving, and state kept
// only in memory is gone (that is what memfs does).
//
// # Testing
//
// sdk/fstest is the conformance suite: fstest.Run(t, newFS) checks the
// documented semantics of every interface the backend implements.
// sdk/sdktest.TestClient connects a plugin over the real gRPC transport in
// one process, so the suite can run across the wire as well.
package sdk
