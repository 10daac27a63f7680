package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// errFS fails every Stat with the error named by the path.
type errFS struct{ sdk.FileSystem }

var errByPath = map[string]error{
	"/notexist": fmt.Errorf("wrapped: %w", sdk.ErrNotExist),
	"/notempty": sdk.ErrNotEmpty,
	"/deadline": context.DeadlineExceeded,
	"/plain":    errors.New("something odd"),
}

func (errFS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	if p == "/caller" {
		c, _ := sdk.CallerFrom(ctx)
		return sdk.Attr{Uid: c.Uid, Gid: c.Gid, Mode: fs.ModeDir | 0o750, Mtime: time.Unix(5, 7)}, nil
	}
	return sdk.Attr{}, errByPath[p]
}

func TestErrorsCrossTheWire(t *testing.T) {
	c, res := sdktest.TestClient(t, sdktest.TestPlugin(errFS{}), nil)
	if !res.Features.ReadOnly || res.Features.Write {
		t.Fatalf("features of a read-only plugin: %+v", res.Features)
	}
	ctx := context.Background()
	for path, want := range map[string]error{
		"/notexist": fs.ErrNotExist,
		"/notempty": sdk.ErrNotEmpty,
		"/deadline": sdk.ErrTimeout,
		"/plain":    sdk.ErrIO,
	} {
		_, err := c.Stat(ctx, path)
		if !errors.Is(err, want) {
			t.Errorf("Stat(%s) = %v; want errors.Is %v", path, err, want)
		}
		if sdk.CodeOf(err) != sdk.CodeOf(want) {
			t.Errorf("Stat(%s) code %v, want %v", path, sdk.CodeOf(err), sdk.CodeOf(want))
		}
	}
	_, err := c.Stat(ctx, "/plain")
	if err == nil || err.Error() != "something odd" {
		t.Errorf("message lost across the wire: %v", err)
	}
}

func TestCallerAndAttrCrossTheWire(t *testing.T) {
	c, _ := sdktest.TestClient(t, sdktest.TestPlugin(errFS{}), nil)
	ctx := sdk.WithCaller(context.Background(), sdk.Caller{Uid: 1000, Gid: 100, Pid: 42})
	a, err := c.Stat(ctx, "/caller")
	if err != nil {
		t.Fatal(err)
	}
	if a.Uid != 1000 || a.Gid != 100 || a.Mode != fs.ModeDir|0o750 || !a.Mtime.Equal(time.Unix(5, 7)) || !a.Atime.IsZero() {
		t.Errorf("attr came back as %+v", a)
	}
}

func TestUnknownOptionRefusedAtInit(t *testing.T) {
	p := &sdk.Plugin{Name: "opt", Options: []sdk.Option{{Name: "root", Required: true}},
		New: func(context.Context, sdk.Options) (sdk.FileSystem, error) { return errFS{}, nil }}
	if _, err := p.Validate(map[string]string{"root": "/x", "bogus": "1"}); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("unknown option: %v", err)
	}
	if _, err := p.Validate(map[string]string{}); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("missing required option: %v", err)
	}
	o, err := p.Validate(map[string]string{"root": "/x"})
	if err != nil || o.String("root") != "/x" {
		t.Errorf("valid options: %v %v", o, err)
	}
}

func TestModeRoundTrip(t *testing.T) {
	for _, m := range []fs.FileMode{0o644, fs.ModeDir | 0o755 | fs.ModeSticky, fs.ModeSymlink | 0o777,
		fs.ModeNamedPipe | 0o600, fs.ModeSocket | 0o700, fs.ModeDevice | fs.ModeCharDevice | 0o660,
		fs.ModeDevice | 0o660, 0o755 | fs.ModeSetuid | fs.ModeSetgid} {
		if got := sdk.ModeFromPOSIX(sdk.ModeToPOSIX(m)); got != m {
			t.Errorf("mode %v came back as %v", m, got)
		}
	}
	if sdk.ModeToPOSIX(fs.ModeDir|0o755) != 0o40755 {
		t.Errorf("dir mode not POSIX")
	}
}

func TestEpochIsNotUnknown(t *testing.T) {
	epoch := time.Unix(0, 0)
	if got := sdk.NsToTimeForTest(sdk.TimeToNsForTest(epoch)); !got.Equal(epoch) || got.IsZero() {
		t.Errorf("the epoch came back as %v", got)
	}
	if got := sdk.NsToTimeForTest(sdk.TimeToNsForTest(time.Time{})); !got.IsZero() {
		t.Errorf("unknown time came back as %v", got)
	}
}

func TestIntOptionOverflow(t *testing.T) {
	o := sdk.Options{"n": "99999999999T", "m": "2G"}
	if _, err := o.Int("n"); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("overflow accepted: %v", err)
	}
	if n, err := o.Int("m"); err != nil || n != 2<<30 {
		t.Errorf("2G = %d, %v", n, err)
	}
}

// declaringFS declares every Declared field.
type declaringFS struct{ errFS }

var everythingDeclared = sdk.Declared{
	RenameNoReplace: true, RenameExchange: true, ReadOnly: true, CaseInsensitive: true,
	StableIno: true, MaxIO: 256 << 10, ExclusiveData: true, ReadAhead: true,
}

func (declaringFS) Describe() sdk.Declared { return everythingDeclared }

// TestDeclaredCrossesTheWire: what a plugin declares about itself reaches
// the host whole.
func TestDeclaredCrossesTheWire(t *testing.T) {
	_, res := sdktest.TestClient(t, sdktest.TestPlugin(declaringFS{}), nil)
	if res.Features.Declared != everythingDeclared {
		t.Errorf("host sees %+v, plugin declared %+v", res.Features.Declared, everythingDeclared)
	}
}
