package sdk

import (
	"context"
	"path"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// PostOp asks a Client to bring back, in the same round trip as a change,
// attributes read right after it (the protocol's post-operation
// attributes, like NFSv3's wcc_data): the parent directory's for a change
// to a name (Open with Create, Mkdir, Mknod, Unlink, Rmdir), and the
// file's at ReleasePath for Release. A host keeps its metadata cache fresh
// with them instead of a second call. Fields stay nil when the plugin did
// not answer them; the call itself is unchanged.
type PostOp struct {
	// ReleasePath, for Release: the path whose attributes to read after
	// the release ("" for none).
	ReleasePath string
	// Parent is the parent directory's attributes after the change.
	Parent *Attr
	// Self is ReleasePath's attributes after the release.
	Self *Attr
}

type postOpKey struct{}

// WithPostOp returns ctx carrying p: a Client call made with it asks for
// post-operation attributes and stores them in p.
func WithPostOp(ctx context.Context, p *PostOp) context.Context {
	return context.WithValue(ctx, postOpKey{}, p)
}

// postOpFrom returns the PostOp ctx carries, or nil.
func postOpFrom(ctx context.Context) *PostOp {
	p, _ := ctx.Value(postOpKey{}).(*PostOp)
	return p
}

// setParent records the parent attributes a plugin answered, if any.
func (p *PostOp) setParent(a *fsv1.Attr) {
	if p != nil && a != nil {
		v := attrFromWire(a)
		p.Parent = &v
	}
}

// parentAttr answers the post-operation attributes of p's parent for a
// request that asked (want); nil when not asked or not readable.
func parentAttr(ctx context.Context, f FileSystem, p string, want bool) *fsv1.Attr {
	if !want {
		return nil
	}
	return statWire(ctx, f, path.Dir(p))
}

// statWire is Stat in wire form, nil on error: post-operation attributes
// are an optimisation, and a failed read only means the host asks again.
func statWire(ctx context.Context, f FileSystem, p string) *fsv1.Attr {
	a, err := f.Stat(ctx, p)
	if err != nil {
		return nil
	}
	return attrToWire(a)
}
