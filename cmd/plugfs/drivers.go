package main

// Mount drivers register themselves; the build tags of each package decide
// which exist on which OS. On Linux, gofuse is preferred (rank 10) over
// bazil (rank 20) and cgofuse (rank 30, only in a binary built with
// -tags cgofuse,fuse3); on Windows (WinFsp) and macOS (macFUSE, FUSE-T)
// cgofuse is the driver.
import (
	_ "github.com/plugfs/plugfs/platform/bazil"
	_ "github.com/plugfs/plugfs/platform/cgofuse"
	_ "github.com/plugfs/plugfs/platform/gofuse"
)
