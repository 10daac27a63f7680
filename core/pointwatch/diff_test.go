package pointwatch

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	x := Point{Volume: "a", Path: "X:", Kind: "drive", Flags: "global", Since: 1}
	y := Point{Volume: "a", Path: "Y:;srv;share", Kind: "network", Flags: "global", Since: 1}
	z := Point{Volume: "b", Path: "Z:", Kind: "drive", Flags: "local", AuthID: 7, Since: 2}
	xAgain := x
	xAgain.Since = 9 // removed and added again between two listings
	xOther := x
	xOther.Volume = "b" // the letter now belongs to another volume
	xLocal := x
	xLocal.Flags, xLocal.AuthID = "local", 7
	for _, tc := range []struct {
		name                   string
		before, after          []Point
		wantAdded, wantRemoved []Point
	}{
		{name: "nothing"},
		{name: "first listing", after: []Point{x, y}, wantAdded: []Point{x, y}},
		{name: "all gone", before: []Point{x, y}, wantRemoved: []Point{x, y}},
		{name: "unchanged", before: []Point{x, y}, after: []Point{x, y}},
		{name: "order does not matter", before: []Point{x, y}, after: []Point{y, x}},
		{name: "one added", before: []Point{x}, after: []Point{x, z}, wantAdded: []Point{z}},
		{name: "one removed", before: []Point{x, y, z}, after: []Point{x, z}, wantRemoved: []Point{y}},
		{name: "both ways", before: []Point{x, y}, after: []Point{z, y}, wantAdded: []Point{z}, wantRemoved: []Point{x}},
		{name: "added again", before: []Point{x, y}, after: []Point{y, xAgain}, wantAdded: []Point{xAgain}, wantRemoved: []Point{x}},
		{name: "moved to another volume", before: []Point{x}, after: []Point{xOther}, wantAdded: []Point{xOther}, wantRemoved: []Point{x}},
		{name: "flags changed", before: []Point{x}, after: []Point{xLocal}, wantAdded: []Point{xLocal}, wantRemoved: []Point{x}},
		{name: "duplicates count once", before: []Point{x, x}, after: []Point{y, y, y}, wantAdded: []Point{y}, wantRemoved: []Point{x}},
		{name: "duplicate kept", before: []Point{x}, after: []Point{x, x}},
		{name: "order of each side kept", before: []Point{z, y, x}, after: []Point{xOther, xAgain}, wantAdded: []Point{xOther, xAgain}, wantRemoved: []Point{z, y, x}},
	} {
		added, removed := Diff(tc.before, tc.after)
		if !slices.Equal(added, tc.wantAdded) || !slices.Equal(removed, tc.wantRemoved) {
			t.Errorf("%s: Diff = added %v, removed %v; want added %v, removed %v", tc.name, added, removed, tc.wantAdded, tc.wantRemoved)
		}
	}
}
