// Package dosdev defines, queries and removes MS-DOS device names: the
// symbolic links in the object manager's \?? directory that make a drive
// letter (Z:) or any other DOS name point at an NT device path. It wraps
// DefineDosDevice and QueryDosDevice, and lists the drive letters in use
// so that core/mountpoint.ChooseLetter can pick a free one.
//
// The package is Windows-only; on other systems it is empty.
//
// # Ownership
//
// Define refuses a name that is already defined (core.ErrMountPointBusy)
// instead of stacking a second definition on it, as DefineDosDevice would.
// Remove deletes only the exact mapping the caller made: it checks that
// the name still points at that target and passes
// DDD_EXACT_MATCH_ON_REMOVE, so a mapping somebody else made under the
// same name is never deleted.
//
// # Privileges
//
// A name defined by an ordinary process goes into the caller's logon
// session (its LUID device map) and is visible only there. A name defined
// by LocalSystem, or given as Global\Z:, goes into the global \GLOBAL??
// directory, which needs administrator rights (SeCreateGlobalPrivilege).
// To define a name in another logon session, use the name that
// platform/windows/session.DosDeviceName builds; that needs write access
// to that session's DosDevices directory (LocalSystem in practice).
//
// # Wine
//
// Wine 8's DefineDosDevice ignores DDD_EXACT_MATCH_ON_REMOVE (Remove's
// own check still protects other mappings), copies the name into a
// 15-character buffer (only drive-letter names are safe there), and
// resolves drive letters for file access through its dosdevices
// directory, not through the links this package creates.
package dosdev
