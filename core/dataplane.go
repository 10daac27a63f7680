package core

import "fmt"

// DataPlane selects the tiers of the data plane a host uses.
type DataPlane int

const (
	// DataPlaneAuto takes the OS files plugins donate (the host or the
	// kernel then moves the bytes), and moves other bytes through shared
	// memory; each tier only where the system and the plugin support it.
	DataPlaneAuto DataPlane = iota
	// DataPlaneSharedMemory never takes donated files.
	DataPlaneSharedMemory
	// DataPlaneMessages sends every byte inside gRPC messages, the
	// portable fallback.
	DataPlaneMessages
)

// String names the data plane as the mount option does.
func (d DataPlane) String() string {
	switch d {
	case DataPlaneAuto:
		return "auto"
	case DataPlaneSharedMemory:
		return "shm"
	case DataPlaneMessages:
		return "messages"
	}
	return "unknown"
}

// ParseDataPlane reads a data plane's name: auto, shm or messages.
func ParseDataPlane(s string) (DataPlane, error) {
	for _, d := range []DataPlane{DataPlaneAuto, DataPlaneSharedMemory, DataPlaneMessages} {
		if s == d.String() {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown data plane %q: use auto, shm or messages", s)
}
