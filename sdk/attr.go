package sdk

import (
	"io/fs"
	"time"
)

// Attr describes a file system object, as stat(2) would.
//
// Mode carries the type bits and permission bits (including setuid, setgid
// and sticky) in io/fs form; ModeToPOSIX and ModeFromPOSIX convert.
// Ino is optional: a plugin that knows a stable identity for the object (the
// inode number of a backing file, say) sets it, so hard links to one object
// report the same number. Zero lets the host choose.
type Attr struct {
	Ino    uint64
	Size   uint64
	Blocks uint64 // 512-byte blocks allocated, reported as is (sparse files report what they store)
	Mode   fs.FileMode
	Nlink  uint32
	Uid    uint32
	Gid    uint32
	Rdev   uint32
	Atime  time.Time
	Mtime  time.Time
	Ctime  time.Time
	Btime  time.Time // creation time; zero if unknown
}

// DirEntry is one entry of a directory listing.
//
// Cookie is the position after this entry: passing it back to ReadDir
// continues the listing after this entry. Attr is optional (nil when the
// plugin does not have it cheaply); when set, the host saves a Stat call.
type DirEntry struct {
	Name   string
	Mode   fs.FileMode // type bits only are required
	Ino    uint64
	Cookie uint64
	Attr   *Attr
}

// SetAttrMask says which fields of SetAttr are to be applied.
type SetAttrMask uint32

// The fields Setattr can change.
const (
	SetMode SetAttrMask = 1 << iota
	SetUid
	SetGid
	SetSize
	SetAtime
	SetMtime
	SetAtimeNow // set atime to the plugin's current time; Atime is ignored
	SetMtimeNow // set mtime to the plugin's current time; Mtime is ignored
	SetCtime
)

// SetAttr is a change of attributes: only fields named in Valid apply.
type SetAttr struct {
	Valid SetAttrMask
	Mode  fs.FileMode // permission bits (and setuid/setgid/sticky) only
	Uid   uint32
	Gid   uint32
	Size  uint64
	Atime time.Time
	Mtime time.Time
	Ctime time.Time
}

// Has reports whether every bit in m is set in Valid.
func (s SetAttr) Has(m SetAttrMask) bool { return s.Valid&m == m }

// Statfs describes the capacity of the file system, as statfs(2) would.
type Statfs struct {
	BlockSize   uint32
	Blocks      uint64
	BlocksFree  uint64
	BlocksAvail uint64
	Files       uint64
	FilesFree   uint64
	NameMax     uint32
}

// OpenFlags are portable open(2) flags. Their values are part of the wire
// protocol and do not match any OS's O_ constants.
type OpenFlags uint32

// Open flags. The access mode is OpenFlags&AccessMode.
const (
	ReadOnly   OpenFlags = 0
	WriteOnly  OpenFlags = 1
	ReadWrite  OpenFlags = 2
	AccessMode OpenFlags = 3

	Append    OpenFlags = 1 << 3
	Create    OpenFlags = 1 << 4
	Exclusive OpenFlags = 1 << 5
	Truncate  OpenFlags = 1 << 6
	Sync      OpenFlags = 1 << 7
	Direct    OpenFlags = 1 << 8
	NoFollow  OpenFlags = 1 << 9
)

// Writable reports whether the flags open for writing.
func (f OpenFlags) Writable() bool {
	a := f & AccessMode
	return a == WriteOnly || a == ReadWrite
}

// Readable reports whether the flags open for reading.
func (f OpenFlags) Readable() bool {
	a := f & AccessMode
	return a == ReadOnly || a == ReadWrite
}

// RenameFlags modify Rename, as renameat2(2) flags do.
type RenameFlags uint32

// Rename flags.
const (
	// RenameNoReplace fails with ErrExist when the target exists.
	RenameNoReplace RenameFlags = 1 << iota
	// RenameExchange atomically swaps source and target; both must exist.
	RenameExchange
)

// XattrFlags modify SetXattr, as setxattr(2) flags do.
type XattrFlags uint32

// SetXattr flags.
const (
	// XattrCreate fails with ErrExist when the attribute exists.
	XattrCreate XattrFlags = 1 << iota
	// XattrReplace fails with ErrNoAttr when the attribute does not exist.
	XattrReplace
)

// Handle identifies an open file or directory. The plugin chooses its values;
// the host treats them as opaque and never reuses one after Release.
type Handle uint64

// DefaultStatfs is what statfs reports for a plugin without Statfser: an
// empty file system with 4 KiB blocks and 255-byte names.
var DefaultStatfs = Statfs{BlockSize: 4096, NameMax: 255}
