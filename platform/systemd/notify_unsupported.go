//go:build !linux

package systemd

// Notify does nothing outside Linux: there is no systemd to tell.
func Notify(states ...string) (bool, error) { return false, nil }

// MonotonicUsec returns an empty assignment outside Linux.
func MonotonicUsec() string { return "MONOTONIC_USEC=0" }
