// Package mountpoint is the portable model of mounting points: the places
// where a volume becomes visible to the system, as CBFS Connect and the
// Windows mount manager define them, plus directories on Linux and macOS.
//
// A Spec is parsed from what a user types (Parse) or built directly, and
// checked against the rules of its kind (Spec.Validate) before any
// platform code sees it. Every rule is one error wrapping
// core.ErrMountPointInvalid whose message names the rule.
//
// # Kinds
//
//	Z:                    drive letter (normalised: z:, Z:\ → Z:)
//	*                     automatic drive letter (the engine picks, Z: downward)
//	\\.\Name              UNC name (not shown in Explorer)
//	Local;Server;Share    network mounting point; Local may be a letter, a
//	                      UNC name or empty
//	C:\Mounts\Data        folder, through the mount manager
//	/mnt/x                directory (Linux, macOS)
//
// # Flags
//
// Simple (the default when neither MountManager nor Network is given) may
// be Local (visible only in one logon session), Global (visible in every
// session), or neither: the default scope. Global and Local exclude each
// other. MountManager makes the volume appear as a physical device and is
// required for folders; it cannot be combined with Network or Local (it
// may be with Global: mount-manager points are global by nature), and a
// volume has at most one mount-manager point. Network takes sub-flags:
// AllowMapAsDrive, Hidden, ReadShare, WriteShare (these two create a real
// share and require an empty Server part, this computer), ClaimServer. A
// non-zero AuthID implies Local, and so excludes Global; network shares
// are always global. NotifyAsync returns without waiting for the system's
// mount notifications.
//
// # Scope
//
// A spec with neither Global nor Local keeps its default scope through
// Parse and Normalize: who sees the point depends on who mounts it, and
// the driver settles it at mount time (Spec.ResolveScope). A driver that
// settles anything the spec left open (the default scope, the letter of
// *) returns a ResolvedMount, and the engine records and lists that spec
// (Spec.Settles checks it settled nothing else), so a listing shows the
// scope actually used. Flags.String writes a default-scope list without
// either word ("notify-async"), and no flags at all as "none".
package mountpoint
