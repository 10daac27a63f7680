// Package session identifies logon sessions and names their private DOS
// device directories, so that a drive letter can be made visible in one
// logon session only (a "local" mounting point, core/mountpoint.Local,
// and Spec.AuthID).
//
// Every logon session has an AuthenticationId, a LUID, written here as
// one uint64: HighPart<<32 | LowPart. Its DOS devices (drive letters
// defined by processes of that session) live in the object directory
// \Sessions\0\DosDevices\hhhhhhhh-llllllll (high then low half, eight
// lower-case hex digits each; the kernel creates it on first use). The
// 0 is not the terminal session: all logon sessions live there.
//
// # Defining a letter in another session
//
// DefineDosDevice prefixes the name it is given with \??\. Given
// DosDeviceName(luid, "Z:") — GLOBALROOT\Sessions\0\DosDevices\<luid>\Z: —
// the link is created through \??\GLOBALROOT (the object manager root)
// directly in that session's directory, so only that session sees Z:.
// GlobalRoot turns an object path into its Win32 form
// (\\?\GLOBALROOT\Sessions\...) for CreateFile and friends.
//
// # Privileges
//
// CurrentAuthenticationID needs nothing (TOKEN_QUERY on the caller's own
// token). Writing into another session's DosDevices directory needs
// write access to it, which its security grants to LocalSystem: in
// practice the definer is a service running as LocalSystem. A process
// may always define letters in its own session, where the plain name
// ("Z:") is equivalent. The directory exists only once the session has
// used its device map; before that the definition fails with "path not
// found". The alternative is to impersonate a token of that session
// (ImpersonateLoggedOnUser) and define the plain name.
//
// IsLocalSystem tells whether this process runs as LocalSystem, whose
// own device map is the global one: a name it defines without a session
// prefix is visible to every session.
//
// The package is Windows-only; on other systems it is empty.
package session
