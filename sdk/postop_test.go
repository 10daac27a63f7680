package sdk_test

import (
	"context"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// Post-operation attributes come back with the change, on the fast lane
// and in plain gRPC: the parent's after a create, mkdir, unlink and
// rmdir, the file's after a release; and a call without a PostOp asks
// for nothing.
func TestPostOpAttributes(t *testing.T) {
	for name, client := range map[string]func(testing.TB, *sdk.Plugin, map[string]string) (*sdk.Client, sdk.InitResult){
		"lane": sdktest.TestClient, "grpc": sdktest.TestClientBytes,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := client(t, memfs.Plugin(), nil)
			ctx := context.Background()
			if _, err := c.Mkdir(ctx, "/d", 0o755); err != nil {
				t.Fatal(err)
			}
			dirSize := func() uint64 {
				a, err := c.Stat(ctx, "/d")
				if err != nil {
					t.Fatal(err)
				}
				return a.Size
			}
			check := func(op string, po *sdk.PostOp) {
				t.Helper()
				if po.Parent == nil {
					t.Fatalf("%s: no parent attributes", op)
				}
				if !po.Parent.Mode.IsDir() || po.Parent.Size != dirSize() {
					t.Errorf("%s: parent attributes %+v, want those of /d now (size %d)", op, *po.Parent, dirSize())
				}
			}

			po := &sdk.PostOp{}
			h, _, err := c.Open(sdk.WithPostOp(ctx, po), "/d/f", sdk.ReadWrite|sdk.Create|sdk.Exclusive, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			check("create", po)
			if _, err := c.Write(ctx, h, []byte("hello"), 0); err != nil {
				t.Fatal(err)
			}
			po = &sdk.PostOp{ReleasePath: "/d/f"}
			if err := c.Release(sdk.WithPostOp(ctx, po), h); err != nil {
				t.Fatal(err)
			}
			if po.Self == nil || po.Self.Size != 5 {
				t.Errorf("release: attributes %+v, want the file's with size 5", po.Self)
			}
			po = &sdk.PostOp{}
			if _, err := c.Mkdir(sdk.WithPostOp(ctx, po), "/d/sub", 0o755); err != nil {
				t.Fatal(err)
			}
			check("mkdir", po)
			po = &sdk.PostOp{}
			if err := c.Rmdir(sdk.WithPostOp(ctx, po), "/d/sub"); err != nil {
				t.Fatal(err)
			}
			check("rmdir", po)
			po = &sdk.PostOp{}
			if err := c.Unlink(sdk.WithPostOp(ctx, po), "/d/f"); err != nil {
				t.Fatal(err)
			}
			check("unlink", po)

			// An open that creates nothing answers none.
			po = &sdk.PostOp{}
			h, _, err = c.Open(sdk.WithPostOp(ctx, po), "/d/f", sdk.ReadWrite|sdk.Create, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Release(ctx, h); err != nil {
				t.Fatal(err)
			}
			if po.Parent == nil {
				t.Error("open with create: no parent attributes")
			}
			po = &sdk.PostOp{}
			h, _, err = c.Open(sdk.WithPostOp(ctx, po), "/d/f", sdk.ReadOnly, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Release(sdk.WithPostOp(ctx, po), h); err != nil {
				t.Fatal(err)
			}
			if po.Parent != nil || po.Self != nil {
				t.Errorf("an open without create and a release without a path: %+v, want none", po)
			}
		})
	}
}
