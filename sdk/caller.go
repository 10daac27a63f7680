package sdk

import "context"

// Caller identifies the process on whose behalf an operation runs, as the
// kernel reported it. Plugins use it to set the owner of new objects and for
// their own permission checks; the host already enforces mode bits
// (default_permissions) before a request reaches the plugin.
type Caller struct {
	Uid uint32
	Gid uint32
	Pid uint32
}

type callerKey struct{}

// WithCaller returns a context that carries c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx, and whether there was one.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
