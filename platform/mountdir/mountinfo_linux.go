//go:build linux

package mountdir

import (
	"bufio"
	"os"
	"strings"
)

// inMountInfo reports whether abs is a mount point according to
// /proc/self/mountinfo, and whether that file could be read.
func inMountInfo(abs string) (bool, bool) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, false
	}
	defer f.Close()
	esc := strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`).Replace(abs)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && fields[4] == esc {
			return true, true
		}
	}
	return false, true
}
