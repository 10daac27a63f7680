//go:build linux

package memfs

import (
	"bytes"
	"context"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestLargeFileMovesToMemoryFile: a file written by calls moves from heap
// chunks into a memory file when a write takes it to memfdAt, keeping what
// was written before, and later writes and reads (appends too) go there;
// with a size limit it stays in chunks, where the limit can be counted.
func TestLargeFileMovesToMemoryFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		opts    []Option
		flags   sdk.OpenFlags
		inMemfd bool
	}{
		{"unlimited", nil, sdk.ReadWrite, true},
		{"append", nil, sdk.ReadWrite | sdk.Append, true},
		{"size-limit", []Option{WithSize(64 << 20)}, sdk.ReadWrite, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := New(tc.opts...)
			h, _, err := f.Open(ctx, "/big", sdk.Create|tc.flags, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			write := func(p []byte) {
				t.Helper()
				off := int64(len(want))
				if n, err := f.Write(ctx, h, p, off); err != nil || n != len(p) {
					t.Fatalf("write %d bytes at %d: %d, %v", len(p), off, n, err)
				}
				want = append(want, p...)
			}
			write(bytes.Repeat([]byte("a"), 4096))
			f.mu.RLock()
			n, err := f.lookup("/big")
			f.mu.RUnlock()
			if err != nil {
				t.Fatal(err)
			}
			if n.mfd != nil {
				t.Fatal("a 4 KiB file is in a memory file; small files belong in chunks")
			}
			// This write crosses memfdAt.
			write(bytes.Repeat([]byte("b"), memfdAt))
			write([]byte("tail"))
			n.mu.RLock()
			inMemfd := n.mfd != nil
			n.mu.RUnlock()
			if inMemfd != tc.inMemfd {
				t.Fatalf("past %d bytes the file is in a memory file: %v, want %v", memfdAt, inMemfd, tc.inMemfd)
			}
			got := make([]byte, len(want)+10)
			m, err := f.Read(ctx, h, got, 0)
			if err != nil || !bytes.Equal(got[:m], want) {
				t.Fatalf("read back %d bytes (%v), want the %d written", m, err, len(want))
			}
			if a, err := f.Stat(ctx, "/big"); err != nil || a.Size != uint64(len(want)) {
				t.Fatalf("size %d (%v), want %d", a.Size, err, len(want))
			}
			if err := f.Release(ctx, h); err != nil {
				t.Fatal(err)
			}
		})
	}
}
