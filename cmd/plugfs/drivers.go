package main

// Mount drivers register themselves; the build tags of each package decide
// which exist on which OS.
import _ "github.com/plugfs/plugfs/platform/bazil"
