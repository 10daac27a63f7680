//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

// Package errno maps portable plugfs error codes to this platform's error
// numbers. It has no table on this OS: Windows drivers map codes to
// NTSTATUS themselves, and other systems have no plugfs driver.
package errno
