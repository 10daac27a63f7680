// Package pointwatch follows a daemon's mounting points from outside the
// daemon, for a program that must act when points come and go: the
// per-session agent (plugfs agent) that tells a user's Explorer about
// drive letters a plugfs service in session 0 added or removed, which the
// service's own broadcast cannot reach.
//
// A Point is one mounting point as the daemon's control API lists it
// (volume, path, kind, flags, logon session, start time). Diff compares
// two listings; a Watcher polls a Source and calls its Added and Removed
// callbacks with the difference.
//
// # Which points concern a session
//
// Point.Letter gives the drive letter a point shows in Explorer (drive
// letters, automatic letters as chosen, the Local letter of a network
// point; UNC names, folders and directories have none). Point.VisibleIn
// tells whether a logon session sees the point: a global point is seen by
// every session, a local one only by the session its AuthID names. A
// local point with AuthID 0 lives in the mounting process's own session,
// which the listing does not name: no other session sees it, and the
// mounting process's own announcement reaches its session.
//
// # Errors
//
// A Source that fails cannot see the daemon: after Watcher.Patience
// consecutive failed polls beyond the first, every point known from the
// last successful poll counts as removed (a daemon that stopped took its
// points with it). When the Source answers again, its points are added.
// Failures never stop Watcher.Run.
//
// The package is portable and makes no OS calls.
package pointwatch
