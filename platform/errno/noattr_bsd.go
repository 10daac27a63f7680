//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package errno

import "syscall"

const noAttr = syscall.ENOATTR
