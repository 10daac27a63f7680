//go:build !unix

package sdk

// platformCode finds no platform error number on this OS; sentinel matching
// (os errors satisfy errors.Is for fs.ErrNotExist and friends) covers the rest.
func platformCode(err error) (Code, bool) { return 0, false }
