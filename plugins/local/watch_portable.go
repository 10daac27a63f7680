//go:build !linux || localportable

package local

import (
	"github.com/plugfs/plugfs/sdk"
)

// newWatching refuses watch=true: this version has no change
// notifications (inotify is Linux's); changes made by others show once
// the mount's cache timeouts expire.
func newWatching(*FS) (sdk.FileSystem, error) {
	return nil, sdk.NewError(sdk.CodeInvalid, "option watch=true needs Linux (inotify); leave it out here: changes made by others then show once the mount's attribute and entry timeouts expire")
}
