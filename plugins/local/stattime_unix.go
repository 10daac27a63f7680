//go:build unix && !darwin && !freebsd && !netbsd && (!linux || localportable)

package local

import (
	"syscall"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

func statTimes(a *sdk.Attr, st *syscall.Stat_t) {
	a.Atime = time.Unix(st.Atim.Unix())
	a.Ctime = time.Unix(st.Ctim.Unix())
}
