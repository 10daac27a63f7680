package memfs

// chunkSize is the unit of file storage. A file is a sparse map of chunks:
// holes have no chunk, and a chunk holds only the span of it that was
// written, so a 1 TiB truncate costs nothing and a 10-byte write costs 10
// bytes wherever it lands.
const chunkSize = 64 << 10

// maxFileSize bounds offsets so that off+len never overflows.
const maxFileSize = 1 << 62

// chunk holds bytes [lo, lo+len(b)) of its chunkSize-long part of a file.
type chunk struct {
	lo int
	b  []byte
}

// chunks is the content of a regular file. Bytes not held by a chunk read
// as zeros. stored is the sum of the chunks' lengths: what the file costs
// against the size limit.
type chunks struct {
	m      map[int64]chunk
	stored int64
}

// readAt fills p with the content at off. The caller clips p to the file size.
func (c *chunks) readAt(p []byte, off int64) {
	for len(p) > 0 {
		idx, in := off/chunkSize, int(off%chunkSize)
		n := min(len(p), chunkSize-in)
		dst := p[:n]
		ch := c.m[idx]
		// dst covers [in, in+n) of the chunk; ch.b covers [lo, hi).
		lo, hi := max(ch.lo, in), min(ch.lo+len(ch.b), in+n)
		if lo < hi {
			clear(dst[:lo-in])
			copy(dst[lo-in:], ch.b[lo-ch.lo:hi-ch.lo])
			clear(dst[hi-in:])
		} else {
			clear(dst)
		}
		p = p[n:]
		off += int64(n)
	}
}

// span returns the span of chunk ch after writing n bytes at in.
func span(ch chunk, in, n int) (lo, hi int) {
	if len(ch.b) == 0 {
		return in, in + n
	}
	return min(ch.lo, in), max(ch.lo+len(ch.b), in+n)
}

// growth returns how many bytes writing n bytes at off adds to stored.
func (c *chunks) growth(off, n int64) int64 {
	var g int64
	for n > 0 {
		idx, in := off/chunkSize, int(off%chunkSize)
		m := int(min(n, int64(chunkSize-in)))
		ch := c.m[idx]
		lo, hi := span(ch, in, m)
		g += int64(hi - lo - len(ch.b))
		n -= int64(m)
		off += int64(m)
	}
	return g
}

// writeAt stores p at off, growing chunks as needed. The caller has
// reserved growth(off, len(p)) bytes.
func (c *chunks) writeAt(p []byte, off int64) {
	if c.m == nil {
		c.m = make(map[int64]chunk)
	}
	for len(p) > 0 {
		idx, in := off/chunkSize, int(off%chunkSize)
		n := min(len(p), chunkSize-in)
		ch := c.m[idx]
		if lo, hi := span(ch, in, n); lo != ch.lo || hi-lo != len(ch.b) {
			c.stored += int64(hi - lo - len(ch.b))
			ch = chunk{lo: lo, b: resize(ch, lo, hi)}
			c.m[idx] = ch
		}
		copy(ch.b[in-ch.lo:], p[:n])
		p = p[n:]
		off += int64(n)
	}
}

// resize returns ch's bytes moved to cover [lo, hi) (a superset of what
// they cover), with zeros in the new parts.
func resize(ch chunk, lo, hi int) []byte {
	n := hi - lo
	if lo == ch.lo && n <= cap(ch.b) {
		old := len(ch.b)
		b := ch.b[:n]
		clear(b[old:])
		return b
	}
	grown := max(n, 2*cap(ch.b))
	nb := make([]byte, n, min(chunkSize-lo, grown))
	if len(ch.b) > 0 {
		copy(nb[ch.lo-lo:], ch.b)
	}
	return nb
}

// truncate drops content at and beyond size and returns the bytes freed.
func (c *chunks) truncate(size int64) int64 {
	before := c.stored
	last, in := size/chunkSize, int(size%chunkSize)
	for idx, ch := range c.m {
		switch {
		case idx > last || (idx == last && in <= ch.lo):
			c.stored -= int64(len(ch.b))
			delete(c.m, idx)
		case idx == last && in < ch.lo+len(ch.b):
			keep := in - ch.lo
			clear(ch.b[keep:])
			c.stored -= int64(len(ch.b) - keep)
			c.m[idx] = chunk{lo: ch.lo, b: ch.b[:keep]}
		}
	}
	return before - c.stored
}

// release drops all content and returns the bytes freed.
func (c *chunks) release() int64 {
	freed := c.stored
	c.m, c.stored = nil, 0
	return freed
}
