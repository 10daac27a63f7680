package sdk

import "io/fs"

// POSIX st_mode type bits and permission extras, as they travel on the wire.
const (
	posixIFMT   = 0o170000
	posixIFSOCK = 0o140000
	posixIFLNK  = 0o120000
	posixIFREG  = 0o100000
	posixIFBLK  = 0o060000
	posixIFDIR  = 0o040000
	posixIFCHR  = 0o020000
	posixIFIFO  = 0o010000
	posixISUID  = 0o4000
	posixISGID  = 0o2000
	posixISVTX  = 0o1000
)

// ModeToPOSIX converts an io/fs mode to a POSIX st_mode value.
func ModeToPOSIX(m fs.FileMode) uint32 {
	v := uint32(m.Perm())
	switch {
	case m&fs.ModeDir != 0:
		v |= posixIFDIR
	case m&fs.ModeSymlink != 0:
		v |= posixIFLNK
	case m&fs.ModeNamedPipe != 0:
		v |= posixIFIFO
	case m&fs.ModeSocket != 0:
		v |= posixIFSOCK
	case m&fs.ModeDevice != 0:
		if m&fs.ModeCharDevice != 0 {
			v |= posixIFCHR
		} else {
			v |= posixIFBLK
		}
	default:
		v |= posixIFREG
	}
	if m&fs.ModeSetuid != 0 {
		v |= posixISUID
	}
	if m&fs.ModeSetgid != 0 {
		v |= posixISGID
	}
	if m&fs.ModeSticky != 0 {
		v |= posixISVTX
	}
	return v
}

// ModeFromPOSIX converts a POSIX st_mode value to an io/fs mode. A value
// without type bits is a regular file.
func ModeFromPOSIX(v uint32) fs.FileMode {
	m := fs.FileMode(v & 0o777)
	switch v & posixIFMT {
	case posixIFDIR:
		m |= fs.ModeDir
	case posixIFLNK:
		m |= fs.ModeSymlink
	case posixIFIFO:
		m |= fs.ModeNamedPipe
	case posixIFSOCK:
		m |= fs.ModeSocket
	case posixIFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case posixIFBLK:
		m |= fs.ModeDevice
	}
	if v&posixISUID != 0 {
		m |= fs.ModeSetuid
	}
	if v&posixISGID != 0 {
		m |= fs.ModeSetgid
	}
	if v&posixISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// PermMode returns the permission bits of m together with setuid, setgid and
// sticky: the part of a mode that chmod changes.
func PermMode(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}
