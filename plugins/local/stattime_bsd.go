//go:build darwin || freebsd || netbsd

package local

import (
	"syscall"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

func statTimes(a *sdk.Attr, st *syscall.Stat_t) {
	a.Atime = time.Unix(st.Atimespec.Unix())
	a.Ctime = time.Unix(st.Ctimespec.Unix())
	a.Btime = time.Unix(st.Birthtimespec.Unix())
}
