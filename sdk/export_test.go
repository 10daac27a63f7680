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

// LaneFilesForTest returns how many donated files came with lane replies.
func LaneFilesForTest(c *Client) uint64 {
	if c.lane == nil {
		return 0
	}
	return c.lane.filesOnLane.Load()
}

// SetLaneFilesForTest makes c ask for files with lane replies or not, as
// with a plugin of revision 4 or of an earlier one.
func SetLaneFilesForTest(c *Client, on bool) {
	if c.lane != nil {
		c.lane.files = on
	}
}
