//go:build windows

package runstate

import (
	"os"
	"path/filepath"
)

// defaultDir is %ProgramData%\plugfs\mounts.
func defaultDir() string {
	pd := os.Getenv("ProgramData")
	if pd == "" {
		pd = `C:\ProgramData`
	}
	return filepath.Join(pd, "plugfs", "mounts")
}
