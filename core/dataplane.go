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
	// DataPlaneMessages sends every byte inside messages, on the fast
	// lane when the plugin has one.
	DataPlaneMessages
	// DataPlaneGRPC sends every call and byte as gRPC messages: the
	// portable fallback, what a plugin without the fast lane gets.
	DataPlaneGRPC
)

// FastLane reports whether calls may travel on the fast lane.
func (d DataPlane) FastLane() bool { return d != DataPlaneGRPC }

// FileChannel reports whether descriptors (donated files, shared memory)
// may travel between host and plugin.
func (d DataPlane) FileChannel() bool { return d == DataPlaneAuto || d == DataPlaneSharedMemory }

// String names the data plane as the mount option does.
func (d DataPlane) String() string {
	switch d {
	case DataPlaneAuto:
		return "auto"
	case DataPlaneSharedMemory:
		return "shm"
	case DataPlaneMessages:
		return "messages"
	case DataPlaneGRPC:
		return "grpc"
	}
	return "unknown"
}

// ParseDataPlane reads a data plane's name: auto, shm, messages or grpc.
func ParseDataPlane(s string) (DataPlane, error) {
	for _, d := range []DataPlane{DataPlaneAuto, DataPlaneSharedMemory, DataPlaneMessages, DataPlaneGRPC} {
		if s == d.String() {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown data plane %q: use auto, shm, messages or grpc", s)
}
