package memfs

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestChunksAgainstModel drives the sparse store and a plain byte slice
// with the same random writes and truncations and compares every read, and
// that stored never exceeds what was written.
func TestChunksAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var c chunks
	var model []byte
	const span = 5 * chunkSize
	src := make([]byte, 2*chunkSize)
	for i := range src {
		src[i] = byte(r.Uint32()) | 1 // never zero, so holes show
	}
	for step := range 2000 {
		switch op := r.IntN(10); {
		case op < 7: // write
			off := r.Int64N(span)
			n := 1 + r.IntN(3*chunkSize/2)
			start := r.IntN(len(src) - n + 1)
			p := src[start : start+n]
			g := c.growth(off, int64(len(p)))
			before := c.stored
			c.writeAt(p, off)
			if c.stored-before != g {
				t.Fatalf("step %d: growth said %d, stored grew %d", step, g, c.stored-before)
			}
			if end := int(off) + len(p); end > len(model) {
				model = append(model, make([]byte, end-len(model))...)
			}
			copy(model[off:], p)
		case op < 9: // truncate
			size := r.Int64N(span)
			c.truncate(size)
			if int(size) < len(model) {
				model = model[:size]
			} else {
				model = append(model, make([]byte, int(size)-len(model))...)
			}
		default: // verify everything
			got := make([]byte, len(model))
			c.readAt(got, 0)
			if !bytes.Equal(got, model) {
				t.Fatalf("step %d: content differs from the model", step)
			}
		}
		off := r.IntN(len(model) + 1)
		n := r.IntN(len(model) - off + 1)
		got := make([]byte, n)
		copy(got, src) // readAt must overwrite every byte
		c.readAt(got, int64(off))
		if !bytes.Equal(got, model[off:off+n]) {
			t.Fatalf("step %d: read %d at %d differs from the model", step, n, off)
		}
		if c.stored > int64(len(model)) {
			t.Fatalf("step %d: stored %d bytes for a %d-byte file", step, c.stored, len(model))
		}
	}
}
