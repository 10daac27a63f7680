// Package netshare creates and removes real SMB shares of this computer
// (NetShareAdd, NetShareDel, NetShareGetInfo from netapi32.dll, loaded
// lazily): what a network mounting point with read-share or write-share
// makes (core/mountpoint.ReadShare, WriteShare), so that \\ThisComputer\
// Share reaches a volume through the Windows Server service.
//
// # Encoding
//
// Add passes a SHARE_INFO_502: the share's name, a remark, the path it
// shares, and a self-relative security descriptor whose DACL gives
// Everyone read access (ReadOnly: FILE_GENERIC_READ|FILE_GENERIC_EXECUTE,
// 0x1200A9, what the sharing dialog calls Read) or change access
// (ReadWrite: read, write and delete, 0x1301BF, what it calls Change).
// The Server service ignores shi502_permissions under user-level
// security; the descriptor is what it enforces. Encode502 lays out the
// structure, its strings and the descriptor in one buffer; the layout is
// tested byte for byte for 64-bit and 32-bit Windows.
//
// # Ownership
//
// Remove deletes a share only when it still shares the path given (read
// back with NetShareGetInfo), so a share of the same name that somebody
// else made is left alone.
//
// # Privileges
//
// Creating and deleting shares needs membership of Administrators (or
// Server Operators) and the Server service (LanmanServer) running. A
// hidden share is one whose name ends with $ (core/mountpoint.Spec's
// ShareName adds it).
//
// # Wine
//
// Wine 8's netapi32 answers NetShareAdd with ERROR_NOT_SUPPORTED (there
// is no Server service), which Add reports as core.ErrDriverUnavailable;
// NetShareGetInfo answers NERR_NetNameNotFound, so Remove deletes
// nothing. (Wine's NetShareDel claims success for any name: another
// reason to check before deleting.)
//
// The package is Windows-only; on other systems it is empty.
package netshare
