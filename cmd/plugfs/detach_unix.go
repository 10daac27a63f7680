//go:build unix

package main

import "syscall"

// detachAttr puts the background server in its own session, away from the
// terminal's signals.
func detachAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
