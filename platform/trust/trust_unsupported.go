//go:build !unix

package trust

import "github.com/plugfs/plugfs/core/catalog"

// New returns catalog.DefaultOpener: without owner ids (Windows uses
// ACLs, which plugfs does not judge) the owner check is skipped, and the
// plugin is started by its path, leaving a window between check and
// start. Install plugins where only administrators may write.
func New() catalog.Opener { return catalog.DefaultOpener{} }
