// Package daemon is the model and supervisor behind `plugfs daemon`.
//
// A [Config] declares volumes ([VolumeSpec]): the plugin, its options,
// where to mount it, how to mount it and how to restart the plugin.
// [Validate] checks a Config without side effects and names the offending
// key of every problem ([FieldError.Key], such as "volumes[1].mountpoints[0]"),
// so the caller can add a file and line. [Diff] compares two Configs for a
// reload. A [Supervisor] owns an engine.Engine, brings the declared volumes
// up, applies a reload by that difference, serves ad-hoc mounts and shuts
// everything down within a bound.
//
// This package makes no OS calls of its own and knows nothing of files,
// flags or sockets: the command resolves plugins and checks mounting
// points through a [Builder], and parses the configuration file.
//
// # Reload
//
// A reload leaves unchanged volumes alone: their plugin keeps running and
// open files keep working. A volume whose only change is its mounting
// points gains and loses points without a restart. Any other change
// remounts the volume (stop, then start with the new spec). Removing or
// remounting a busy volume fails for that volume only: it keeps running as
// it was, and the reload reports the error.
//
// # Mounting points at run time
//
// [Supervisor.AddMountPoint] and [Supervisor.RemoveMountPoint] change the
// points of a running volume, configured or ad hoc, without restarting its
// plugin. They do not change its spec: a reload that leaves a configured
// volume unchanged keeps such changes, one that changes the volume applies
// the configuration as written (a repoint drops added points and restores
// removed declared ones; a remount starts at the declared points).
package daemon
