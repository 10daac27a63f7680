//go:build unix

package runstate

import (
	"os"
	"path/filepath"
)

// defaultDir is /run/plugfs/mounts for root, else
// $XDG_RUNTIME_DIR/plugfs/mounts (or a per-user directory in /tmp).
func defaultDir() string {
	if os.Geteuid() == 0 {
		return "/run/plugfs/mounts"
	}
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
		return filepath.Join(x, "plugfs", "mounts")
	}
	return filepath.Join(os.TempDir(), "plugfs-"+itoa(os.Geteuid()), "mounts")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
