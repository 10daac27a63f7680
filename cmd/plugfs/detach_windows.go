//go:build windows

package main

import "syscall"

// detachAttr starts the background server in its own process group.
func detachAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: 0x00000200} // CREATE_NEW_PROCESS_GROUP
}
