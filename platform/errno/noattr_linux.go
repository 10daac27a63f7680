//go:build linux

package errno

import "syscall"

const noAttr = syscall.ENODATA
