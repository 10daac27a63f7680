package mounttest

// FSXConfig sizes a [RunFSX] run. Zero fields take the defaults; the
// environment variables PLUGFS_FSX_OPS and PLUGFS_FSX_SEED override Ops
// and Seed when set, so a run can be lengthened or reproduced from outside.
type FSXConfig struct {
	// Seed seeds the operation stream; 0 means 1. A failure names the
	// seed, so the run is reproducible.
	Seed int64
	// Ops is the number of operations; 0 means 5000.
	Ops int
	// Files is the number of distinct files (inodes) in play; 0 means 4.
	// Twice as many names are used, for renames and hard links.
	Files int
	// MaxSize bounds the file size; 0 means 256 KiB.
	MaxSize int64
	// MaxIO bounds one read or write; 0 means 64 KiB.
	MaxIO int
	// NoMmap, NoFallocate and NoLinks leave out mapped reads and writes,
	// fallocate, and hard links, for file systems without them.
	// Fallocate modes that fail with EOPNOTSUPP are dropped on their own.
	NoMmap, NoFallocate, NoLinks bool
	// KeepOpenNamed never unlinks a name of an open file nor renames onto
	// one, for file systems that hide such a file under another name
	// instead (libfuse's high-level API without hard_remove renames it to
	// .fuse_hiddenNNN until the last close).
	KeepOpenNamed bool
}
