//go:build darwin || freebsd || netbsd || openbsd

package errno

import "syscall"

const noAttr = syscall.ENOATTR
