//go:build windows

package netshare

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/plugfs/plugfs/core"
)

// Access is what a share lets its users do.
type Access int

// Share access levels.
const (
	// ReadOnly lets everyone read and list (mountpoint.ReadShare).
	ReadOnly Access = iota + 1
	// ReadWrite lets everyone read, write and delete
	// (mountpoint.WriteShare).
	ReadWrite
)

// Access masks of the share's DACL, as the sharing dialog sets them.
const (
	// MaskRead is FILE_GENERIC_READ | FILE_GENERIC_EXECUTE ("Read").
	MaskRead = 0x001200A9
	// MaskChange is MaskRead plus FILE_GENERIC_WRITE and DELETE
	// ("Change").
	MaskChange = 0x001301BF
)

// Share is one share to create.
type Share struct {
	// Name is the share name (\\Computer\Name); a trailing $ hides it.
	Name string
	// Path is the local directory shared, such as Z:\ or C:\Data.
	Path string
	// Remark is shown by "net share" and Explorer.
	Remark string
	// Access is ReadOnly or ReadWrite.
	Access Access
}

// Values of SHARE_INFO_502 fields (lmshare.h).
const (
	typeDiskTree  = 0          // STYPE_DISKTREE
	unlimitedUses = 0xFFFFFFFF // SHI_USES_UNLIMITED
	accessRead    = 0x01       // ACCESS_READ
	accessChange  = 0x3F       // ACCESS_ALL (0x7F) without ACCESS_PERM
)

// maxNameLen is NNLEN, the longest share name.
const maxNameLen = 80

// check validates a share before it is encoded.
func (s Share) check() error {
	switch {
	case s.Name == "" || len(utf16.Encode([]rune(s.Name))) > maxNameLen:
		return fmt.Errorf("%w: share name %q: give 1 to %d characters", core.ErrMountPointInvalid, s.Name, maxNameLen)
	case strings.ContainsAny(s.Name, `\/:*?"<>|;,=+[]`+"\x00"):
		return fmt.Errorf("%w: share name %q contains a character share names cannot have (\\ / : * ? \" < > | ; , = + [ ])", core.ErrMountPointInvalid, s.Name)
	case s.Path == "" || strings.ContainsRune(s.Path, 0):
		return fmt.Errorf("%w: share %s: the shared path %q is empty or contains NUL", core.ErrMountPointInvalid, s.Name, s.Path)
	case s.Access != ReadOnly && s.Access != ReadWrite:
		return fmt.Errorf("%w: share %s: access %d: use ReadOnly or ReadWrite", core.ErrMountPointInvalid, s.Name, s.Access)
	}
	return nil
}

// SecurityDescriptor returns the self-relative security descriptor of a
// share with access a: revision 1, control SE_SELF_RELATIVE |
// SE_DACL_PRESENT, no owner, group or SACL, and a DACL with one
// ACCESS_ALLOWED ACE for Everyone (S-1-1-0) with MaskRead or MaskChange.
// It is what ConvertStringSecurityDescriptorToSecurityDescriptor makes of
// "D:(A;;0x1200a9;;;WD)" and "D:(A;;0x1301bf;;;WD)".
func SecurityDescriptor(a Access) []byte {
	mask := uint32(MaskRead)
	if a == ReadWrite {
		mask = MaskChange
	}
	const (
		sdSize  = 20 // SECURITY_DESCRIPTOR_RELATIVE
		aclSize = 8  // ACL header
		sidSize = 12 // S-1-1-0: one sub-authority
		aceSize = 8 + sidSize
	)
	b := make([]byte, sdSize+aclSize+aceSize)
	le := binary.LittleEndian
	b[0] = 1                     // Revision
	le.PutUint16(b[2:], 0x8004)  // SE_SELF_RELATIVE | SE_DACL_PRESENT
	le.PutUint32(b[16:], sdSize) // OffsetDacl; owner, group, SACL are 0
	acl := b[sdSize:]
	acl[0] = 2                             // ACL_REVISION
	le.PutUint16(acl[2:], aclSize+aceSize) // AclSize
	le.PutUint16(acl[4:], 1)               // AceCount
	ace := acl[aclSize:]
	ace[0] = 0                     // ACCESS_ALLOWED_ACE_TYPE
	le.PutUint16(ace[2:], aceSize) // AceSize
	le.PutUint32(ace[4:], mask)    // Mask
	sid := ace[8:]
	sid[0], sid[1] = 1, 1 // Revision, SubAuthorityCount
	sid[7] = 1            // IdentifierAuthority {0,0,0,0,0,1}: World; SubAuthority 0
	return b
}

// Layout of SHARE_INFO_502 for a pointer size: netname, type, remark,
// permissions, max_uses, current_uses, path, passwd, reserved,
// security_descriptor; pointers aligned to their size.
type layout struct {
	ptr                                         int
	netname, typ, remark, perms, max, cur, path int
	passwd, reserved, sd, size                  int
}

func layoutFor(ptrSize int) (layout, error) {
	switch ptrSize {
	case 8:
		return layout{8, 0, 8, 16, 24, 28, 32, 40, 48, 56, 64, 72}, nil
	case 4:
		return layout{4, 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40}, nil
	}
	return layout{}, fmt.Errorf("pointer size %d: Windows has 4 or 8", ptrSize)
}

// Encode502 lays out a SHARE_INFO_502 for s in one buffer that will sit
// at address base: the structure, then the name, remark and path as
// NUL-terminated UTF-16LE, then the security descriptor (8-aligned);
// the structure's pointers are base plus those offsets, written with
// ptrSize bytes (8 on 64-bit Windows, 4 on 32-bit). The password
// pointer is NULL.
func Encode502(s Share, ptrSize int, base uint64) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	l, err := layoutFor(ptrSize)
	if err != nil {
		return nil, err
	}
	sd := SecurityDescriptor(s.Access)
	var strs [3][]uint16
	for i, v := range []string{s.Name, s.Remark, s.Path} {
		strs[i] = append(utf16.Encode([]rune(v)), 0)
	}
	at := l.size
	var offs [4]int
	for i, u := range strs {
		offs[i] = at
		at += 2 * len(u)
	}
	at = (at + 7) &^ 7
	offs[3] = at
	b := make([]byte, at+len(sd))
	le := binary.LittleEndian
	putPtr := func(field int, v uint64) {
		if l.ptr == 8 {
			le.PutUint64(b[field:], v)
		} else {
			le.PutUint32(b[field:], uint32(v))
		}
	}
	putPtr(l.netname, base+uint64(offs[0]))
	le.PutUint32(b[l.typ:], typeDiskTree)
	putPtr(l.remark, base+uint64(offs[1]))
	perms := uint32(accessRead)
	if s.Access == ReadWrite {
		perms = accessChange
	}
	le.PutUint32(b[l.perms:], perms)
	le.PutUint32(b[l.max:], unlimitedUses)
	le.PutUint32(b[l.cur:], 0)
	putPtr(l.path, base+uint64(offs[2]))
	putPtr(l.passwd, 0)
	le.PutUint32(b[l.reserved:], 0)
	putPtr(l.sd, base+uint64(offs[3]))
	for i, u := range strs {
		for j, c := range u {
			le.PutUint16(b[offs[i]+2*j:], c)
		}
	}
	copy(b[offs[3]:], sd)
	return b, nil
}
