// Package winpipe holds what the named pipes of plugfs (the daemon's
// control pipe, the plugins' fast lanes) share on Windows; it has nothing
// elsewhere.
package winpipe
