package daemon

// Change is what a reload does to one volume.
type Change int

// The kinds of change, in the order a reload applies them.
const (
	Unchanged Change = iota // left alone
	Removed                 // unmounted and forgotten
	Remounted               // unmounted, then mounted with the new spec
	Repointed               // same plugin and options; mounting points added or removed
	Added                   // mounted
)

func (c Change) String() string {
	return [...]string{"unchanged", "removed", "remounted", "repointed", "added"}[c]
}

// Step is the change of one volume.
type Step struct {
	Name   string
	Change Change
	Old    VolumeSpec // zero for Added
	New    VolumeSpec // zero for Removed
}

// Diff returns what turns old into new, one Step per volume named in
// either: removals first (freeing mounting points a new volume may
// reuse), then remounts, repoints, additions, then the unchanged; within
// each kind, in the order of the configuration.
func Diff(old, new Config) []Step {
	var byKind [5][]Step
	for _, o := range old.Volumes {
		n, ok := new.Volume(o.Name)
		switch {
		case !ok:
			byKind[Removed] = append(byKind[Removed], Step{o.Name, Removed, o, VolumeSpec{}})
		case o.Equal(n):
			byKind[Unchanged] = append(byKind[Unchanged], Step{o.Name, Unchanged, o, n})
		case o.sameMedia(n):
			byKind[Repointed] = append(byKind[Repointed], Step{o.Name, Repointed, o, n})
		default:
			byKind[Remounted] = append(byKind[Remounted], Step{o.Name, Remounted, o, n})
		}
	}
	for _, n := range new.Volumes {
		if _, ok := old.Volume(n.Name); !ok {
			byKind[Added] = append(byKind[Added], Step{n.Name, Added, VolumeSpec{}, n})
		}
	}
	var out []Step
	for _, k := range []Change{Removed, Remounted, Repointed, Added, Unchanged} {
		out = append(out, byKind[k]...)
	}
	return out
}
