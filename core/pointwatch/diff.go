package pointwatch

// Diff returns the points of after that are not in before (added, in
// the order of after) and the points of before that are not in after
// (removed, in the order of before). A point listed twice counts once.
func Diff(before, after []Point) (added, removed []Point) {
	b, a := set(before), set(after)
	return missing(after, b), missing(before, a)
}

// set returns the points of ps as a set.
func set(ps []Point) map[Point]struct{} {
	s := make(map[Point]struct{}, len(ps))
	for _, p := range ps {
		s[p] = struct{}{}
	}
	return s
}

// missing returns, in order and once each, the points of ps not in s.
func missing(ps []Point, s map[Point]struct{}) []Point {
	var out []Point
	seen := make(map[Point]struct{})
	for _, p := range ps {
		if _, ok := s[p]; ok {
			continue
		}
		if _, ok := seen[p]; ok {
			continue
		}
		seen[p] = struct{}{}
		out = append(out, p)
	}
	return out
}
