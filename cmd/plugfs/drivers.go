package main

// Mount drivers register themselves; the build tags of each package decide
// which exist on which OS. On Linux, gofuse is preferred (rank 10) over
// bazil (rank 20).
import (
	_ "github.com/plugfs/plugfs/platform/bazil"
	_ "github.com/plugfs/plugfs/platform/gofuse"
)
