package main

import (
	"context"
	"errors"
	"testing"

	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

func helloPlugin() *sdk.Plugin {
	return &sdk.Plugin{Name: "hello", Options: []sdk.Option{{Name: "names", Default: "world"}},
		New: func(ctx context.Context, o sdk.Options) (sdk.FileSystem, error) {
			return &helloFS{files: map[string]string{"hello.txt": "hi\n", "greetings/ann": "Hello, ann!\n"}, handles: map[string]sdk.Handle{}}, nil
		}}
}

// TestOverTheWire runs hello through the real gRPC transport, as plugfs
// would talk to it.
func TestOverTheWire(t *testing.T) {
	c, res := sdktest.TestClient(t, helloPlugin(), nil)
	if !res.Features.ReadOnly {
		t.Error("hello implements no Writer, so it must be read-only")
	}
	ctx := context.Background()
	dh, err := c.OpenDir(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	ents, err := c.ReadDir(ctx, dh, 0, 10)
	if err != nil || len(ents) != 2 || ents[0].Name != "greetings" || ents[1].Name != "hello.txt" {
		t.Fatalf("ReadDir = %+v, %v", ents, err)
	}
	fh, a, err := c.Open(ctx, "/greetings/ann", sdk.ReadOnly, 0)
	if err != nil || a.Size != 12 {
		t.Fatalf("Open = %v, %+v", err, a)
	}
	buf := make([]byte, 64)
	n, err := c.Read(ctx, fh, buf, 0)
	if err != nil || string(buf[:n]) != "Hello, ann!\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if _, err := c.Stat(ctx, "/nope"); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("Stat(/nope) = %v", err)
	}
	if _, _, err := c.Open(ctx, "/hello.txt", sdk.WriteOnly, 0); !errors.Is(err, sdk.ErrReadOnly) {
		t.Errorf("open for write = %v", err)
	}
}
