//go:build !unix

// Package errno maps portable plugfs error codes to this platform's error
// numbers. On this OS the WinFsp driver maps codes itself (NTSTATUS).
package errno
