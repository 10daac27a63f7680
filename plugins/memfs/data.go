package memfs

// chunkSize is the unit of file storage. A file is a sparse map of chunks:
// holes have no chunk, and a chunk holds only up to its last written byte,
// so a 1 TiB truncate costs nothing and a 10-byte file costs 10 bytes.
const chunkSize = 64 << 10

// maxFileSize bounds offsets so that off+len never overflows.
const maxFileSize = 1 << 62

// chunks is the content of a regular file. Bytes of the file beyond a
// chunk's length (or in a missing chunk) read as zeros. stored is the sum of
// the chunks' lengths: what the file costs against the size limit.
type chunks struct {
	m      map[int64][]byte
	stored int64
}

// readAt fills p with the content at off. The caller clips p to the file size.
func (c *chunks) readAt(p []byte, off int64) {
	for len(p) > 0 {
		idx, in := off/chunkSize, int(off%chunkSize)
		n := min(len(p), chunkSize-in)
		k := 0
		if b := c.m[idx]; in < len(b) {
			k = copy(p[:n], b[in:])
		}
		clear(p[k:n])
		p = p[n:]
		off += int64(n)
	}
}

// growth returns how many bytes writing n bytes at off adds to stored.
func (c *chunks) growth(off, n int64) int64 {
	var g int64
	for n > 0 {
		idx, in := off/chunkSize, off%chunkSize
		m := min(n, chunkSize-in)
		if need := in + m; need > int64(len(c.m[idx])) {
			g += need - int64(len(c.m[idx]))
		}
		n -= m
		off += m
	}
	return g
}

// writeAt stores p at off, growing chunks as needed. The caller has
// reserved growth(off, len(p)) bytes.
func (c *chunks) writeAt(p []byte, off int64) {
	if c.m == nil {
		c.m = make(map[int64][]byte)
	}
	for len(p) > 0 {
		idx, in := off/chunkSize, int(off%chunkSize)
		n := min(len(p), chunkSize-in)
		b := c.m[idx]
		if need := in + n; need > len(b) {
			b = extend(b, need)
			c.stored += int64(need - len(c.m[idx]))
			c.m[idx] = b
		}
		copy(b[in:], p[:n])
		p = p[n:]
		off += int64(n)
	}
}

// extend returns b grown to length n with zeros in the new part.
func extend(b []byte, n int) []byte {
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	nb := make([]byte, n, min(chunkSize, max(n, 2*cap(b))))
	copy(nb, b)
	return nb
}

// truncate drops content at and beyond size and returns the bytes freed.
// Dropped bytes are zeroed so a later extension reads zeros.
func (c *chunks) truncate(size int64) int64 {
	before := c.stored
	last, in := size/chunkSize, int(size%chunkSize)
	for idx, b := range c.m {
		switch {
		case idx > last || (idx == last && in == 0):
			c.stored -= int64(len(b))
			delete(c.m, idx)
		case idx == last && in < len(b):
			clear(b[in:])
			c.stored -= int64(len(b) - in)
			c.m[idx] = b[:in]
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
