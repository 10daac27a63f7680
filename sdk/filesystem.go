package sdk

import (
	"context"
	"io/fs"
)

// FileSystem is what every plugin implements: enough to serve a read-only
// tree. Paths are slash-separated, absolute within the volume ("/" is the
// root, "/a/b" a child), already cleaned by the host: no "." or ".." elements,
// no trailing slash, no empty elements.
//
// Every method may be called from many goroutines at once. ctx carries the
// operation's deadline and is cancelled when the kernel interrupts the call;
// a plugin that blocks should watch it. CallerFrom(ctx) tells who asked.
//
// Write support and the rest of the POSIX surface are optional interfaces
// below (Writer, Mkdirer, Remover, ...). The host folds what a plugin
// implements into Features at start-up; an operation whose interface is
// missing fails with the error its doc comment names, without a round trip.
type FileSystem interface {
	// Stat returns the attributes of the object at path without following a
	// final symbolic link (lstat semantics).
	Stat(ctx context.Context, path string) (Attr, error)

	// OpenDir opens the directory at path for listing.
	OpenDir(ctx context.Context, path string) (Handle, error)

	// ReadDir returns up to max entries of the directory open as h,
	// starting after the entry whose Cookie is cookie (0: from the start).
	// It excludes "." and "..". An empty result ends the listing. Entries
	// that are neither added nor removed during a listing must appear
	// exactly once.
	ReadDir(ctx context.Context, h Handle, cookie uint64, max int) ([]DirEntry, error)

	// Open opens the file at path. With Create in flags it creates a regular
	// file with permission bits mode (owned by the caller) when none exists;
	// with Create|Exclusive it fails with ErrExist when one does. Truncate
	// empties the file. It returns the file's attributes after the open.
	// A plugin without Writer receives no flags that write.
	Open(ctx context.Context, path string, flags OpenFlags, mode fs.FileMode) (Handle, Attr, error)

	// Read reads up to len(p) bytes at offset off of the file open as h.
	// It returns fewer bytes only at end of file (and 0, nil at or past it):
	// io.EOF is not used.
	Read(ctx context.Context, h Handle, p []byte, off int64) (int, error)

	// Release closes h, a file or directory handle. The host calls it
	// exactly once per handle, and never with a cancelled context.
	Release(ctx context.Context, h Handle) error
}

// Writer writes to open files. Without it the volume is read-only (EROFS).
type Writer interface {
	// Write writes p at offset off of the file open as h (at end of file
	// when h was opened with Append) and returns how many bytes it wrote.
	Write(ctx context.Context, h Handle, p []byte, off int64) (int, error)
}

// Setattrer changes attributes: chmod, chown, truncate, utimes.
// If not implemented, Setattr fails with ErrNotSupported.
type Setattrer interface {
	// Setattr applies the fields of attr named in attr.Valid to the object
	// at path and returns its attributes after the change. h is the open
	// handle the change was made through (ftruncate, fchmod), or 0.
	Setattr(ctx context.Context, path string, h Handle, attr SetAttr) (Attr, error)
}

// Mkdirer creates directories. If not implemented, mkdir fails with
// ErrNotSupported.
type Mkdirer interface {
	// Mkdir creates a directory at path with permission bits mode, owned by
	// the caller, and returns its attributes.
	Mkdir(ctx context.Context, path string, mode fs.FileMode) (Attr, error)
}

// Remover removes names. If not implemented, unlink and rmdir fail with
// ErrNotSupported.
type Remover interface {
	// Unlink removes the non-directory name path. Open handles to the
	// object stay usable until released.
	Unlink(ctx context.Context, path string) error
	// Rmdir removes the empty directory path (ErrNotEmpty otherwise).
	Rmdir(ctx context.Context, path string) error
}

// Renamer renames. If not implemented, rename fails with ErrCrossDevice, as
// between two file systems (so mv falls back to copying).
type Renamer interface {
	// Rename moves from to to, atomically replacing a compatible to.
	// flags are only set when Features says the plugin supports them.
	Rename(ctx context.Context, from, to string, flags RenameFlags) error
}

// Symlinker creates symbolic links. If not implemented, symlink fails with
// ErrNotSupported.
type Symlinker interface {
	// Symlink creates a symbolic link at path whose content is target.
	Symlink(ctx context.Context, target, path string) (Attr, error)
}

// Readlinker reads symbolic links. If not implemented, readlink fails with
// ErrInvalid, as for an object that is not a link.
type Readlinker interface {
	// Readlink returns the content of the symbolic link at path.
	Readlink(ctx context.Context, path string) (string, error)
}

// Linker creates hard links. If not implemented, link fails with
// ErrNotPermitted, as on a file system without hard links.
type Linker interface {
	// Link makes newpath another name for the non-directory at oldpath and
	// returns the object's attributes (with the new link count).
	Link(ctx context.Context, oldpath, newpath string) (Attr, error)
}

// Mknoder creates special files: named pipes, sockets, device nodes. If not
// implemented, mknod fails with ErrNotSupported.
type Mknoder interface {
	// Mknod creates a special file at path with type and permission mode and
	// device number rdev.
	Mknod(ctx context.Context, path string, mode fs.FileMode, rdev uint32) (Attr, error)
}

// Flusher is told when a file descriptor referring to h is closed (close(2)
// may happen several times per handle, after dup). If not implemented,
// flush succeeds.
type Flusher interface {
	Flush(ctx context.Context, h Handle) error
}

// Fsyncer makes written data durable. If not implemented, fsync succeeds:
// the plugin is taken to write through.
type Fsyncer interface {
	// Fsync flushes the file open as h to stable storage; with dataOnly,
	// metadata that is not needed to read the data may stay behind.
	Fsync(ctx context.Context, h Handle, dataOnly bool) error
}

// Statfser reports capacity. If not implemented, statfs reports an empty
// file system with 4 KiB blocks and 255-byte names.
type Statfser interface {
	Statfs(ctx context.Context) (Statfs, error)
}

// Xattrer stores extended attributes. If not implemented, every xattr
// operation fails with ErrNotSupported.
type Xattrer interface {
	// GetXattr returns the value of attribute name of path (ErrNoAttr if
	// it has none).
	GetXattr(ctx context.Context, path, name string) ([]byte, error)
	// SetXattr sets attribute name of path to value.
	SetXattr(ctx context.Context, path, name string, value []byte, flags XattrFlags) error
	// ListXattr returns the names of path's attributes.
	ListXattr(ctx context.Context, path string) ([]string, error)
	// RemoveXattr removes attribute name of path (ErrNoAttr if absent).
	RemoveXattr(ctx context.Context, path, name string) error
}

// Describer lets a plugin declare features that cannot be detected from the
// interfaces it implements. If not implemented, the declared features are
// all off.
type Describer interface {
	Describe() Declared
}

// Closer is called once when the host shuts the plugin down. If not
// implemented, nothing is called.
type Closer interface {
	Close(ctx context.Context) error
}

// HandleStater returns attributes through an open handle (fstat), which
// matters once the file's name is gone (unlinked while open). If not
// implemented, the host stats the path, and an unlinked open file reports the
// attributes the host last saw. Over the wire, a plugin without it answers
// StatHandle with ErrNoSys (and says so in its Features).
type HandleStater interface {
	StatHandle(ctx context.Context, h Handle) (Attr, error)
}
