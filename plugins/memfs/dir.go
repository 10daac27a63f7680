package memfs

import "sort"

// dirent is one name in a directory. seq is its insertion number in the
// directory, which is also its ReadDir cookie: a listing goes in seq order
// and resumes after any seq, whatever was added or removed since.
type dirent struct {
	name string
	node *inode // nil once removed
	seq  uint64
}

// dir holds a directory's entries; guarded by FS.mu.
type dir struct {
	byName  map[string]*dirent
	order   []*dirent // ascending seq, removed entries included until compaction
	dead    int       // removed entries still in order
	nextSeq uint64
}

func newDir() *dir {
	return &dir{byName: make(map[string]*dirent), nextSeq: 1}
}

// lookup returns the object named name, or nil.
func (d *dir) lookup(name string) *inode {
	if e := d.byName[name]; e != nil {
		return e.node
	}
	return nil
}

// add inserts name, which must not exist, at the end of the listing order.
func (d *dir) add(name string, n *inode) {
	e := &dirent{name: name, node: n, seq: d.nextSeq}
	d.nextSeq++
	d.byName[name] = e
	d.order = append(d.order, e)
}

// remove deletes name, which must exist, and returns its object.
func (d *dir) remove(name string) *inode {
	e := d.byName[name]
	delete(d.byName, name)
	n := e.node
	e.node = nil
	d.dead++
	if d.dead > 32 && d.dead > len(d.order)/2 {
		d.compact()
	}
	return n
}

// replace points the existing entry name at n, keeping its position.
func (d *dir) replace(name string, n *inode) {
	d.byName[name].node = n
}

// compact drops removed entries from order; seqs, and so cookies, are kept.
func (d *dir) compact() {
	live := make([]*dirent, 0, len(d.byName))
	for _, e := range d.order {
		if e.node != nil {
			live = append(live, e)
		}
	}
	d.order, d.dead = live, 0
}

// after returns the index in order of the first entry listed after cookie.
func (d *dir) after(cookie uint64) int {
	return sort.Search(len(d.order), func(i int) bool { return d.order[i].seq > cookie })
}

// empty reports whether the directory has no entries.
func (d *dir) empty() bool { return len(d.byName) == 0 }
