package sdk

// Declared holds what a plugin says about itself beyond the interfaces it
// implements (see Describer).
type Declared struct {
	// RenameNoReplace and RenameExchange: Rename accepts these flags.
	RenameNoReplace bool
	RenameExchange  bool
	// ReadOnly: the host refuses every change with ErrReadOnly (EROFS)
	// before it reaches the plugin, even though Writer is implemented.
	ReadOnly bool
	// CaseInsensitive: names differing only in case are the same name.
	CaseInsensitive bool
	// StableIno: Attr.Ino is set and stable for the life of an object.
	StableIno bool
	// MaxIO is the largest read or write the plugin wants per call, in
	// bytes; 0 means DefaultMaxIO.
	MaxIO uint32
	// ExclusiveData: file contents, names and attributes change only
	// through the host (memfs: nothing else can reach them). The kernel
	// may then keep a file's cached pages across opens while its size and
	// modification time are unchanged, and the host answers lookups and
	// attributes from what it learned until it changes something itself
	// (including that a name is absent from a directory it made). A
	// plugin whose files can change behind the host's back (a local
	// directory, a network store) must not declare it.
	ExclusiveData bool
	// ReadAhead: each Read waits for something slow (a network round
	// trip, a disk), so the host should read ahead of sequential readers,
	// keeping several Reads in flight, as `-o readahead=on` does. A mount
	// can still turn it off (readahead=off). Plugins that answer from
	// memory or donate their files gain nothing from it.
	ReadAhead bool
}

// DefaultMaxIO is the largest read or write per plugin call unless a plugin
// declares otherwise: 1 MiB.
const DefaultMaxIO = 1 << 20

// Features is everything the host knows about a plugin's abilities: the
// optional interfaces it implements plus what it declared. It is exchanged
// explicitly at handshake, so a plugin in any language can announce it.
type Features struct {
	Declared
	Write, Setattr, Mkdir, Remove, Rename, Symlink, Readlink bool
	Link, Mknod, Flush, Fsync, Statfs, Xattr, StatHandle     bool
	// DonateFiles: the plugin hands over the OS files behind its handles
	// (FileDonor).
	DonateFiles bool
	// Watch: the plugin reports changes made other than through the host
	// (Watcher).
	Watch bool
}

// FeatureReporter is implemented by file systems that know their features
// better than their method set says: a client of a remote plugin, which has
// every method but only the features the plugin announced.
type FeatureReporter interface {
	Features() Features
}

// DetectFeatures folds the optional interfaces fsys implements and what it
// declares (Describer) into Features. A FeatureReporter is asked instead.
func DetectFeatures(fsys FileSystem) Features {
	if r, ok := fsys.(FeatureReporter); ok {
		return r.Features()
	}
	var f Features
	if d, ok := fsys.(Describer); ok {
		f.Declared = d.Describe()
	}
	if f.MaxIO == 0 || f.MaxIO > DefaultMaxIO {
		f.MaxIO = DefaultMaxIO
	}
	_, f.Write = fsys.(Writer)
	_, f.Setattr = fsys.(Setattrer)
	_, f.Mkdir = fsys.(Mkdirer)
	_, f.Remove = fsys.(Remover)
	_, f.Rename = fsys.(Renamer)
	_, f.Symlink = fsys.(Symlinker)
	_, f.Readlink = fsys.(Readlinker)
	_, f.Link = fsys.(Linker)
	_, f.Mknod = fsys.(Mknoder)
	_, f.Flush = fsys.(Flusher)
	_, f.Fsync = fsys.(Fsyncer)
	_, f.Statfs = fsys.(Statfser)
	_, f.Xattr = fsys.(Xattrer)
	_, f.StatHandle = fsys.(HandleStater)
	_, f.DonateFiles = fsys.(FileDonor)
	_, f.Watch = fsys.(Watcher)
	if !f.Write {
		f.ReadOnly = true
	}
	return f
}
