package benchref

import "testing"

// BenchmarkMemcpy1MiB measures copying 1 MiB between two buffers in one
// process: the bandwidth ceiling a bulk transfer across the plugin boundary
// is compared with (issue 4 asks for at least half of it).
func BenchmarkMemcpy1MiB(b *testing.B) {
	src := make([]byte, 1<<20)
	dst := make([]byte, 1<<20)
	for i := range src {
		src[i] = byte(i)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		copy(dst, src)
	}
	if dst[12345] != src[12345] {
		b.Fatal("copy did not copy")
	}
}
