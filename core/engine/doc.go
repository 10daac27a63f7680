// Package engine owns volumes and their lifecycle:
//
//	Create → MountMedia → AddMountPoint / RemoveMountPoint … → Unmount → Delete
//
// Create records a volume's configuration. MountMedia starts its plugin
// (core/host) and builds its VFS (core/vfs). AddMountPoint asks a driver to
// make the VFS visible at one more place; a volume may have several, all
// served by the one VFS and the one plugin process. Unmount removes every
// mounting point and stops the plugin; Delete forgets the volume.
//
// Every method is safe for concurrent use. A method called in the wrong
// state fails with core.ErrVolumeState and changes nothing; a failed
// MountMedia or AddMountPoint leaves nothing behind (no plugin process, no
// mount).
package engine
