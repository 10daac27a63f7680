package sdk

// Test hooks for the external test package.
var (
	TimeToNsForTest = timeToNs
	NsToTimeForTest = nsToTime
)
