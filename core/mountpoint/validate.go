package mountpoint

// Normalize applies the implications between flags: a non-zero AuthID
// implies Local; a network kind implies the Network flag; a folder implies
// MountManager; drive letters are upper case. It never settles a default
// scope (neither Global nor Local): the driver does, when it mounts
// (ResolveScope).
func (s Spec) Normalize() Spec {
	if s.AuthID != 0 {
		s.Flags |= Local
	}
	switch s.Kind {
	case KindNetwork:
		s.Flags |= Network
	case KindFolder:
		s.Flags |= MountManager
	}
	s.Letter = upper(s.Letter)
	return s
}

// validateScope checks the scope flags of the kinds that have a scope
// (a directory takes no flags at all, which Validate says itself):
// global and local exclude each other, and an auth id, which makes a
// point local to a logon session, excludes global.
func (s Spec) validateScope() error {
	if s.Kind == KindDirectory || s.Flags&Global == 0 {
		return nil
	}
	if s.AuthID != 0 {
		return invalid("global cannot be combined with an auth id (%#x), which makes the point local to that logon session: drop global, or the auth id", s.AuthID)
	}
	if s.Flags&Local != 0 {
		return invalid("global and local cannot be combined: a point is seen by every logon session (global) or by one (local); give one, or neither for the default scope")
	}
	return nil
}

const networkSubFlags = AllowMapAsDrive | Hidden | ReadShare | WriteShare | ClaimServer

// Validate checks the rules of the spec's kind and flags. Each broken rule
// is its own error, wrapping core.ErrMountPointInvalid, that names it.
func (s Spec) Validate() error {
	if err := s.validateScope(); err != nil {
		return err
	}
	switch s.Kind {
	case KindDrive:
		if s.Letter < 'A' || s.Letter > 'Z' {
			return invalid("drive letter %q: use A: to Z:", s.Letter)
		}
	case KindAutoDrive:
		if s.Letter != 0 {
			return invalid("an automatic drive letter (*) must not also name a letter (%c:): give either * or the letter", s.Letter)
		}
	case KindUNC:
		if err := checkName("UNC name", s.Name); err != nil {
			return err
		}
	case KindNetwork:
		if s.Letter != 0 && s.Name != "" {
			return invalid("the Local part of a network mounting point is a drive letter or a UNC name, not both")
		}
		if err := checkName("share name", s.Share); err != nil {
			return err
		}
		if s.Flags&(ReadShare|WriteShare) != 0 && s.Server != "" {
			return invalid("read-share and write-share create a real share on this computer: leave the Server part empty (;;%s), not %q", s.Share, s.Server)
		}
		if s.Flags&Local != 0 && s.Letter == 0 && s.Name == "" {
			return invalid("network shares are always global: local applies only to a drive letter or UNC name in the Local part")
		}
	case KindFolder:
		if len(s.Path) < 3 || !isLetter(s.Path[0]) || s.Path[1] != ':' || s.Path[2] != '\\' {
			return invalid("folder %q: a folder mounting point is an absolute path on an NTFS drive, like C:\\Mounts\\Data", s.Path)
		}
	case KindDirectory:
		if s.Path == "" {
			return invalid("empty directory")
		}
		if s.Flags != 0 || s.AuthID != 0 {
			return invalid("directory %s: flags (%v) and auth ids are Windows mounting-point options; a directory takes none", s.Path, s.Flags)
		}
		return nil
	default:
		return invalid("unknown kind %d", s.Kind)
	}
	if s.Flags&MountManager != 0 && s.Flags&Network != 0 {
		return invalid("mount-manager cannot be combined with network: a mount-manager point is a local device")
	}
	if s.Flags&MountManager != 0 && s.Flags&Local != 0 {
		return invalid("mount-manager points are global: mount-manager cannot be combined with local (or an auth id)")
	}
	if s.Flags&MountManager != 0 && s.Kind != KindDrive && s.Kind != KindAutoDrive && s.Kind != KindFolder {
		return invalid("mount-manager applies to drive letters and folders, not to a %s", s.Kind)
	}
	if s.Kind == KindFolder && s.Flags&MountManager == 0 {
		return invalid("a folder mounting point requires mount-manager")
	}
	if s.Flags&networkSubFlags != 0 && s.Flags&Network == 0 {
		return invalid("%v apply only to network mounting points (Local;Server;Share)", s.Flags&networkSubFlags)
	}
	if s.Kind != KindNetwork && s.Flags&Network != 0 {
		return invalid("the network flag needs the Local;Server;Share form")
	}
	return nil
}

// ShareName is the name of the share a network point creates: the Share
// part, with $ appended when Hidden.
func (s Spec) ShareName() string {
	if s.Flags&Hidden != 0 && s.Share != "" && s.Share[len(s.Share)-1] != '$' {
		return s.Share + "$"
	}
	return s.Share
}

// CheckAdd checks that s may join a volume that already has existing: at
// most one mount-manager point, hence at most one persistent drive letter,
// and no point twice.
func CheckAdd(existing []Spec, s Spec) error {
	for _, e := range existing {
		if e.Flags&MountManager != 0 && s.Flags&MountManager != 0 {
			return invalid("the volume already has a mount-manager point (%s): a volume has at most one", e)
		}
		if e.String() == s.String() && e.AuthID == s.AuthID && s.Kind != KindAutoDrive {
			return invalid("the volume already has the mounting point %s", s)
		}
	}
	return nil
}

// ChooseLetter picks a free drive letter for an automatic point, from Z:
// downward to C: (A: and B: are left alone, as Windows does), given the
// letters in use. It fails when all are taken.
func ChooseLetter(used func(letter byte) bool) (byte, error) {
	for l := byte('Z'); l >= 'C'; l-- {
		if !used(l) {
			return l, nil
		}
	}
	return 0, invalid("no free drive letter from C: to Z:: free one, or name a UNC mounting point instead")
}
