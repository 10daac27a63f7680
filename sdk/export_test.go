package sdk

import "context"

// Test hooks for the external test package.
var (
	TimeToNsForTest = timeToNs
	NsToTimeForTest = nsToTime
)

// LaneCountsForTest returns how many calls c sent on the fast lane and how
// many on gRPC since Init.
func LaneCountsForTest(c *Client) (lane, grpc uint64) {
	if c.lane == nil {
		return 0, 0
	}
	return c.lane.onLane.Load(), c.lane.onGRPC.Load()
}

// LanePathForTest returns the fast lane's socket path, "" without a lane.
func LanePathForTest(c *Client) string {
	if c.lane == nil {
		return ""
	}
	return c.lane.path
}

// DialLaneForTest connects to the lane at path with key and closes the
// connection; it fails when the plugin refuses the key.
func DialLaneForTest(path string, key []byte) error {
	lc := &laneClient{path: path, key: key}
	c, err := lc.dial(context.Background())
	if err != nil {
		return err
	}
	return c.c.Close()
}
